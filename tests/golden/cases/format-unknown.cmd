decode
--format
xml
captures/tcp-ipv4.pcap
