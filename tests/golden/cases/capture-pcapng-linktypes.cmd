decode
captures/mixed-linktypes.pcapng
