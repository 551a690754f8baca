craft
timezone
-07
--password
654321
