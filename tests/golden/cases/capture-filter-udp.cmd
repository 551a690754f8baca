decode
-f
udp
captures/cooked-any-sll2.pcap
