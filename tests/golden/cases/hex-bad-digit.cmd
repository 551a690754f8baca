decode
--hex
23 3G
