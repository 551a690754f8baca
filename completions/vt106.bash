# bash completion for vt106
_vt106() {
  local cur prev sub
  cur=${COMP_WORDS[COMP_CWORD]}
  prev=${COMP_WORDS[COMP_CWORD-1]}
  sub=${COMP_WORDS[1]}
  if [ "$COMP_CWORD" -eq 1 ]; then
    COMPREPLY=($(compgen -W "decode detect --help --version" -- "$cur"))
    return
  fi
  case $sub in
    decode)
      case $prev in
        --input-format) COMPREPLY=($(compgen -W "auto capture hex text sms" -- "$cur")); return ;;
        --event) COMPREPLY=($(compgen -W "position heartbeat gprs_connected sos geofence overspeed low_battery gps_lost battery_full movement fall shock ota_ok ota_fail command_reply error_reply version obd command unknown error" -- "$cur")); return ;;
        --text|--hex|--sms|--device-tz|--max-frame|--imei) return ;;
      esac
      if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "--text --hex --sms --input-format --device-tz --max-frame --imei --event --no-errors --pretty --help" -- "$cur"))
      else
        COMPREPLY=($(compgen -f -- "$cur"))
      fi
      ;;
    detect)
      case $prev in
        --transport) COMPREPLY=($(compgen -W "tcp udp" -- "$cur")); return ;;
        --format) COMPREPLY=($(compgen -W "auto json text" -- "$cur")); return ;;
        --hex|--text|--server-hex|--server-text|--port) return ;;
      esac
      if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "--hex --text --server-hex --server-text --port --transport --format --pretty --list --help" -- "$cur"))
      else
        COMPREPLY=($(compgen -f -- "$cur"))
      fi
      ;;
  esac
}
complete -F _vt106 vt106
