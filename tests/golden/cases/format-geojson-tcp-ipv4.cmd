decode
--format
geojson
captures/tcp-ipv4.pcap
