decode
--sms
123456M1,030S
