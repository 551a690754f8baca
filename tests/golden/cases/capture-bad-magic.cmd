decode
captures/damaged-bad-magic.pcap
