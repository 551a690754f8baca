detect
--transport
sctp
--text
x
