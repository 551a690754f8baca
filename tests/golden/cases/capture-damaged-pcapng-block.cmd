decode
captures/damaged-pcapng-bad-block-length.pcapng
