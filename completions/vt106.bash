# bash completion for vt106

# File names after an option that takes a file, and for input arguments: directories end in a
# slash, names with spaces stay whole (bash-completion's _filedir when it is loaded).
_vt106_files() {
  if declare -F _filedir > /dev/null; then
    _filedir
    return
  fi
  compopt -o filenames 2> /dev/null
  local IFS=$'\n'
  COMPREPLY=($(compgen -f -- "$cur"))
}

# Table columns, comma-separated: the next name after the last comma.
_vt106_columns() {
  local done=${cur%"${cur##*,}"}
  COMPREPLY=($(compgen -P "$done" -W "time dir imei event valid fix_time lat lon kmh bat gsm detail" -- "${cur##*,}"))
  compopt -o nospace 2> /dev/null
}

_vt106() {
  local cur prev sub
  cur=${COMP_WORDS[COMP_CWORD]}
  prev=${COMP_WORDS[COMP_CWORD-1]}
  sub=${COMP_WORDS[1]}
  if [ "$COMP_CWORD" -eq 1 ]; then
    COMPREPLY=($(compgen -W "decode capture craft detect doctor replay listen proxy report help --help --version" -- "$cur"))
    return
  fi
  case $sub in
    help)
      [ "$COMP_CWORD" -eq 2 ] && COMPREPLY=($(compgen -W "decode capture craft detect doctor replay listen proxy report" -- "$cur"))
      ;;
    decode)
      case $prev in
        --input-format) COMPREPLY=($(compgen -W "auto capture hex text sms" -- "$cur")); return ;;
        --format) COMPREPLY=($(compgen -W "ndjson json csv table geojson gpx kml" -- "$cur")); return ;;
        --columns) _vt106_columns; return ;;
        --event) COMPREPLY=($(compgen -W "position heartbeat gprs_connected sos geofence overspeed low_battery gps_lost battery_full movement fall shock ota_ok ota_fail command_reply error_reply version obd command unknown error foreign" -- "$cur")); return ;;
        --text|--hex|--sms|--log-tz|--device-tz|--max-frame|--imei|-f|--filter|--server-port|--max-flows|--max-buffer|--max-ooo|--idle-timeout|-j|--jobs) return ;;
      esac
      if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "--text --hex --sms --input-format --log-tz --format -q --quiet -j --jobs --device-tz --max-frame --imei --event --no-errors --strict --columns --pretty -f --filter --flows --server-port --max-flows --max-buffer --max-ooo --idle-timeout --help" -- "$cur"))
      else
        _vt106_files
      fi
      ;;
    capture)
      case $prev in
        -i|--interface)
          COMPREPLY=($(compgen -W "any $(ls /sys/class/net 2>/dev/null)" -- "$cur")); return ;;
        -w|--write) _vt106_files; return ;;
        --format) COMPREPLY=($(compgen -W "ndjson json csv table geojson gpx kml" -- "$cur")); return ;;
        --columns) _vt106_columns; return ;;
        --event) COMPREPLY=($(compgen -W "position heartbeat gprs_connected sos geofence overspeed low_battery gps_lost battery_full movement fall shock ota_ok ota_fail command_reply error_reply version obd command unknown error foreign" -- "$cur")); return ;;
        -f|--filter|--port|-c|--count|--duration|--snaplen|-B|--buffer-size|--device-tz|--max-frame|--imei|--server-port|--max-flows|--max-buffer|--max-ooo|--idle-timeout) return ;;
      esac
      COMPREPLY=($(compgen -W "-i --interface -f --filter --port -w --write -c --count --duration --snaplen -B --buffer-size --no-promisc -D --list-interfaces -q --quiet --format --device-tz --max-frame --imei --event --no-errors --strict --columns --pretty --flows --server-port --max-flows --max-buffer --max-ooo --idle-timeout --help" -- "$cur"))
      ;;
    craft)
      _vt106_craft
      ;;
    doctor)
      case $prev in
        -i|--interface) COMPREPLY=($(compgen -W "any $(ls /sys/class/net 2>/dev/null)" -- "$cur")); return ;;
        --format) COMPREPLY=($(compgen -W "text ndjson json" -- "$cur")); return ;;
        --duration|--imei|--status-timeout|--server-port|--device-tz|--log-tz|-j|--jobs) return ;;
      esac
      if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "-i --interface --duration --imei --all --format --json -j --jobs --status-timeout --server-port --device-tz --log-tz --help" -- "$cur"))
      else
        _vt106_files
      fi
      ;;
    detect)
      case $prev in
        --transport) COMPREPLY=($(compgen -W "tcp udp" -- "$cur")); return ;;
        --format) COMPREPLY=($(compgen -W "auto json text" -- "$cur")); return ;;
        --table) _vt106_files; return ;;
        --hex|--text|--server-hex|--server-text|--port) return ;;
      esac
      if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "--hex --text --server-hex --server-text --port --transport --format --pretty --list --table --help" -- "$cur"))
      else
        _vt106_files
      fi
      ;;
    replay)
      case $prev in
        --transport) COMPREPLY=($(compgen -W "tcp udp" -- "$cur")); return ;;
        --input-format) COMPREPLY=($(compgen -W "auto capture text" -- "$cur")); return ;;
        --imei-map) [[ $cur == *=* ]] || _vt106_files; return ;;
        --to|--speed|--rate|--loop|--duration|--shard|--imei-prefix|--max-retries|--connect-timeout|--linger|--max-connections|--max-frame|-f|--filter|--server-port) return ;;
      esac
      if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "--to --transport --speed --rate --top-speed --loop --duration --shard --imei-map --imei-prefix --restamp --connect-ahead --read-ahead --reconnect --max-retries --connect-timeout --linger --max-connections --max-frame --input-format -f --filter --server-port -v --verbose -q --quiet --pretty --help" -- "$cur"))
      else
        _vt106_files
      fi
      ;;
    listen)
      case $prev in
        -w|--write|--save-ndjson) _vt106_files; return ;;
        --event) COMPREPLY=($(compgen -W "position heartbeat gprs_connected sos geofence overspeed low_battery gps_lost battery_full movement fall shock ota_ok ota_fail command_reply error_reply version obd command unknown error foreign" -- "$cur")); return ;;
        --format) COMPREPLY=($(compgen -W "ndjson json csv table geojson gpx kml" -- "$cur")); return ;;
        --columns) _vt106_columns; return ;;
        -p|--port|--bind|--max-connections|--max-buffer|--idle-timeout|--command|--password|-c|--count|--duration|--device-tz|--max-frame|--imei) return ;;
      esac
      COMPREPLY=($(compgen -W "-p --port --bind --max-connections --max-buffer --idle-timeout --command --password -w --write --save-ndjson -c --count --duration -q --quiet --format --device-tz --max-frame --imei --event --no-errors --strict --columns --pretty --help" -- "$cur"))
      ;;
    proxy)
      case $prev in
        -w|--write|--save-ndjson) _vt106_files; return ;;
        --proxy-protocol) COMPREPLY=($(compgen -W "v1 v2" -- "$cur")); return ;;
        --event) COMPREPLY=($(compgen -W "position heartbeat gprs_connected sos geofence overspeed low_battery gps_lost battery_full movement fall shock ota_ok ota_fail command_reply error_reply version obd command unknown error foreign" -- "$cur")); return ;;
        --format) COMPREPLY=($(compgen -W "ndjson json csv table geojson gpx kml" -- "$cur")); return ;;
        --columns) _vt106_columns; return ;;
        -l|--listen|--to|--connect-timeout|--udp-idle|--max-connections|--max-buffer|--send|--password|-c|--count|--duration|--device-tz|--max-frame|--imei) return ;;
      esac
      COMPREPLY=($(compgen -W "-l --listen --to --connect-timeout --udp-idle --proxy-protocol --max-connections --max-buffer --send --password -w --write --save-ndjson -c --count --duration --no-doctor -q --quiet --format --device-tz --max-frame --imei --event --no-errors --strict --columns --pretty --help" -- "$cur"))
      ;;
    report)
      case $prev in
        -o|--output) _vt106_files; return ;;
        --imei|--status-timeout|--server-port|--device-tz|--log-tz|-j|--jobs) return ;;
      esac
      if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "-o --output --imei --status-timeout --server-port --device-tz --log-tz -j --jobs --help" -- "$cur"))
      else
        _vt106_files
      fi
      ;;
  esac
}

# vt106 craft [options] COMMAND [arguments]: the command is the first word that is neither an
# option nor an option's value.
_vt106_craft() {
  local commands="locate track heartbeat sos-number speed-alarm geofence timezone low-battery password cut-fuel restore-fuel listen-in talk server apn-login query-settings version gprs call obd-request raw factory-reset"
  local options="--password --format --send --transport --wait --connect-timeout --help"
  case $prev in
    --format) COMPREPLY=($(compgen -W "text hex json sms" -- "$cur")); return ;;
    --transport) COMPREPLY=($(compgen -W "tcp udp" -- "$cur")); return ;;
    --password|--send|--wait|--connect-timeout|--name|--apn) return ;;
  esac
  local i command=
  for ((i = 2; i < COMP_CWORD; i++)); do
    case ${COMP_WORDS[i]} in
      --password|--format|--send|--transport|--wait|--connect-timeout|--name|--apn) i=$((i + 1)) ;;
      -*) ;;
      *) command=${COMP_WORDS[i]}; break ;;
    esac
  done
  if [ -z "$command" ]; then
    if [[ $cur == -* ]]; then
      COMPREPLY=($(compgen -W "$options" -- "$cur"))
    else
      COMPREPLY=($(compgen -W "$commands" -- "$cur"))
    fi
    return
  fi
  local own= values=
  case $command in
    track|speed-alarm|low-battery) values="off" ;;
    geofence) own="--enter --exit"; values="off" ;;
    sos-number) own="--delete --name" ;;
    server) own="--apn --udp" ;;
    call) own="--silent" ;;
    gprs) values="on off" ;;
    obd-request) values="vin vin-legacy odometer" ;;
    factory-reset) own="--yes-really-reset" ;;
  esac
  if [[ $cur == -* ]]; then
    COMPREPLY=($(compgen -W "$own $options" -- "$cur"))
  else
    COMPREPLY=($(compgen -W "$values" -- "$cur"))
  fi
}
complete -F _vt106 vt106
