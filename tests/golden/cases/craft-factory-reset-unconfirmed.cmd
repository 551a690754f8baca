craft
factory-reset
