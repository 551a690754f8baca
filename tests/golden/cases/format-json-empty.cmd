decode
--format
json
--imei
000000000000000
captures/tcp-ipv4.pcap
