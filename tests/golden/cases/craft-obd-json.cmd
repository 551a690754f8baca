craft
obd-request
vin-legacy
--format
json
