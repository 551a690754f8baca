decode
-f
port (
captures/udp.pcap
