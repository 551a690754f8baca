decode
--format
csv
captures/tcp-ipv4.pcap
