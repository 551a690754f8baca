craft
speed-alarm
80
--format
sms
