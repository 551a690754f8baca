craft
track
30s
