decode
--format
table
captures/tcp-ipv4.pcap
