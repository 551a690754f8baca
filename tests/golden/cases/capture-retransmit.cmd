decode
--flows
captures/retransmit.pcap
