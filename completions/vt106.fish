# fish completion for vt106
set -l vt106_events position heartbeat gprs_connected sos geofence overspeed low_battery gps_lost battery_full movement fall shock ota_ok ota_fail command_reply error_reply version obd command unknown error
complete -c vt106 -f
complete -c vt106 -n __fish_use_subcommand -l help -d 'Show help'
complete -c vt106 -n __fish_use_subcommand -l version -d 'Show the version'
complete -c vt106 -n __fish_use_subcommand -a decode -d 'Decode frames, hex dumps, SMS texts and captures'
complete -c vt106 -n '__fish_seen_subcommand_from decode' -F
complete -c vt106 -n '__fish_seen_subcommand_from decode' -l text -r -d 'Frames as text'
complete -c vt106 -n '__fish_seen_subcommand_from decode' -l hex -r -d 'Bytes as hex'
complete -c vt106 -n '__fish_seen_subcommand_from decode' -l sms -r -d 'An SMS text'
complete -c vt106 -n '__fish_seen_subcommand_from decode' -l input-format -x -a 'auto capture hex text sms' -d 'What the files hold'
complete -c vt106 -n '__fish_seen_subcommand_from decode' -l device-tz -x -d 'Device reports local time at this UTC offset'
complete -c vt106 -n '__fish_seen_subcommand_from decode' -l max-frame -x -d 'Longest frame body in bytes'
complete -c vt106 -n '__fish_seen_subcommand_from decode' -l imei -x -d 'Only records of this device'
complete -c vt106 -n '__fish_seen_subcommand_from decode' -l event -x -a "$vt106_events" -d 'Only messages with this event'
complete -c vt106 -n '__fish_seen_subcommand_from decode' -l no-errors -d 'Leave error records out'
complete -c vt106 -n '__fish_seen_subcommand_from decode' -l pretty -d 'Indent each record'
complete -c vt106 -n __fish_use_subcommand -a detect -d 'Name the protocol a device speaks from its first bytes'
complete -c vt106 -n '__fish_seen_subcommand_from detect' -F
complete -c vt106 -n '__fish_seen_subcommand_from detect' -l hex -r -d 'The client first bytes as hex'
complete -c vt106 -n '__fish_seen_subcommand_from detect' -l text -r -d 'The client first bytes as text with escapes'
complete -c vt106 -n '__fish_seen_subcommand_from detect' -l server-hex -r -d 'The server first answer as hex'
complete -c vt106 -n '__fish_seen_subcommand_from detect' -l server-text -r -d 'The server first answer as text'
complete -c vt106 -n '__fish_seen_subcommand_from detect' -l port -x -d 'Server port the client connected to'
complete -c vt106 -n '__fish_seen_subcommand_from detect' -l transport -x -a 'tcp udp' -d 'How the bytes travelled'
complete -c vt106 -n '__fish_seen_subcommand_from detect' -l format -x -a 'auto json text' -d 'Output format'
complete -c vt106 -n '__fish_seen_subcommand_from detect' -l pretty -d 'Indent each JSON record'
complete -c vt106 -n '__fish_seen_subcommand_from detect' -l list -d 'List the protocols detection knows'
