decode
captures/damaged-truncated-record-header.pcap
