decode
--device-tz
8
--text
#353327020412763,CMD-X#
