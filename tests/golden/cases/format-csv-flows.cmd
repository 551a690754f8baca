decode
--format
csv
--flows
captures/udp.pcap
