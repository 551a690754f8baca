decode
--flows
captures/foreign.pcap
