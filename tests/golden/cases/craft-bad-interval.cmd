craft
track
30
