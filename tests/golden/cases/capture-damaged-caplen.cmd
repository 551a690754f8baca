decode
captures/damaged-caplen-ffffffff.pcap
