detect
--format
text
--hex
000f313233343536373839303132333435
--server-hex
01
