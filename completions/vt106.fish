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
complete -c vt106 -n '__fish_seen_subcommand_from decode' -s f -l filter -x -d 'Only packets matching this BPF expression'
complete -c vt106 -n '__fish_seen_subcommand_from decode' -l flows -d 'A summary record per flow'
complete -c vt106 -n '__fish_seen_subcommand_from decode' -l server-port -x -d 'A port the platform listens on'
complete -c vt106 -n '__fish_seen_subcommand_from decode' -l max-flows -x -d 'Flows tracked at once'
complete -c vt106 -n '__fish_seen_subcommand_from decode' -l max-buffer -x -d 'Out-of-order bytes held per flow direction'
complete -c vt106 -n '__fish_seen_subcommand_from decode' -l max-ooo -x -d 'Out-of-order segments held per flow direction'
complete -c vt106 -n '__fish_seen_subcommand_from decode' -l idle-timeout -x -d 'Seconds without a packet that end a flow'
