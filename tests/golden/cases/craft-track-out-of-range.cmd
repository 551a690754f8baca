craft
track
255m
