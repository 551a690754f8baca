detect
--format
text
--text
[3G*8800000015*0003*TKQ]
--text
#353327020412763,CMD-X#
