craft
factory-reset
--yes-really-reset
