craft
--password
12345
locate
