decode
--device-tz
eight
--text
#353327020412763,CMD-X#
