craft
locate
--format
xml
