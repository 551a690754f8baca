decode
--imei
867648040000026
captures/tcp-ipv4.pcap
