decode
--flows
captures/udp.pcap
