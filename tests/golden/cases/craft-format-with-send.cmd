craft
locate
--format
json
--send
127.0.0.1:5050
