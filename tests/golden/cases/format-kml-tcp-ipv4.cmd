decode
--format
kml
captures/tcp-ipv4.pcap
