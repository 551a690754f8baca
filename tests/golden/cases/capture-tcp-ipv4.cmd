decode
captures/tcp-ipv4.pcap
