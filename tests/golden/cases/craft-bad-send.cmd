craft
locate
--send
127.0.0.1
