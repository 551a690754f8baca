craft
timezone
+05:20
