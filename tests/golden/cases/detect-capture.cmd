detect
captures/tcp-ipv4.pcap
