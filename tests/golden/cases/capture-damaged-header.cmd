decode
captures/damaged-truncated-header.pcap
