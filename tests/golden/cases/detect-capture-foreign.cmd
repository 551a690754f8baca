detect
captures/foreign.pcap
