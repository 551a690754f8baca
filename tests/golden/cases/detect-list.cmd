detect
--list
--format
json
