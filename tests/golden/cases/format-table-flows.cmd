decode
--format
table
--flows
captures/retransmit.pcap
