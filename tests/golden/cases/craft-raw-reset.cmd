craft
raw
RESET!1
