decode
--text
GET / HTTP/1.1
