decode
--format
json
captures/tcp-ipv4.pcap
