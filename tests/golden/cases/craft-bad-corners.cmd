craft
geofence
1
--enter
51.1,9.2
51.1,10.0
