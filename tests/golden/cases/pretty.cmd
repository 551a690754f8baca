decode
--pretty
--text
#353327020412763,CMD-X#
