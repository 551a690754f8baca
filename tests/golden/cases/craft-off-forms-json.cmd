craft
low-battery
off
--format
json
