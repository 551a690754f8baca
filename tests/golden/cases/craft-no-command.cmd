craft
