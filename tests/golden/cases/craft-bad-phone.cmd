craft
sos-number
2
0044-20-7946
