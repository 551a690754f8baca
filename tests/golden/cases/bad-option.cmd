decode
--bogus
