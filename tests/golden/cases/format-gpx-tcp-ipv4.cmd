decode
--format
gpx
captures/tcp-ipv4.pcap
