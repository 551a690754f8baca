craft
server
example.com:8888
--apn
internet
