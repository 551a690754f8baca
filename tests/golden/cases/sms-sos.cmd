decode
--sms
HELP ME!\nDATE:24/08/13\nTIME:23:59:37\nSPEED:0.0\nBAT:95\nCSQ:20 \nhttp://maps.google.com/maps?f=q&hl=en&q=2.9930825,101.5746188
