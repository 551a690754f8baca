craft
--format
hex
sos-number
1
+8613812345678
