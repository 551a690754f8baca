craft
geofence
1
--exit
51.193125,9.21575
50.403097,11.019925
--format
json
