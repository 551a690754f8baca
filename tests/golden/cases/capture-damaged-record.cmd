decode
captures/damaged-truncated-record.pcap
