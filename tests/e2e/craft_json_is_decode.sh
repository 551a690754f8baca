#!/usr/bin/env bash
# `vt106 craft ... --format json` prints exactly what `vt106 decode --text` prints for the crafted
# frame, and `vt106 decode --sms` reads the --format sms text back as the same command.
set -u
bin=$1
fail=0
count=0
while IFS= read -r line; do
  read -ra args <<< "$line"
  frame=$("$bin" craft "${args[@]}") || { echo "craft $line failed"; fail=1; continue; }
  want=$("$bin" decode --text "$frame")
  got=$("$bin" craft "${args[@]}" --format json)
  [ "$got" = "$want" ] || { printf 'craft %s --format json:\n  got  %s\n  want %s\n' "$line" "$got" "$want"; fail=1; }
  sms=$("$bin" craft "${args[@]}" --format sms)
  name=$(printf '%s' "$want" | python3 -c 'import json,sys; print(json.load(sys.stdin)["name"])')
  sms_name=$("$bin" decode --sms "$sms" | python3 -c 'import json,sys; print(json.load(sys.stdin).get("name"))')
  [ "$sms_name" = "$name" ] || { echo "craft $line --format sms: '$sms' decodes as '$sms_name', not '$name'"; fail=1; }
  count=$((count + 1))
done <<'LIST'
locate
track 30s
track off
heartbeat 180
sos-number 1 +8613812345678
sos-number 1 +8613812345678 --name Mum
sos-number 2 --delete
speed-alarm 80
speed-alarm off
geofence 1 --exit 51.193125,9.21575 50.403097,11.019925
geofence 5 --enter -33.9,18.4 -34.1,18.6
geofence 2 off
timezone -03:30
low-battery 40
low-battery off
password 456789
cut-fuel
restore-fuel
listen-in
talk
server 54.85.159.138:8888 --apn internet
server 54.85.159.138:8888 --apn internet --udp
apn-login internet internet123
query-settings
version
gprs on
gprs off
call 9963
call 9963 --silent
obd-request vin
obd-request vin-legacy
obd-request odometer
raw M4,1
factory-reset --yes-really-reset
LIST
[ $fail = 0 ] && echo "craft --format json equals decode for $count commands; their SMS forms decode to the same commands"
exit $fail
