detect
--hex
7878zz
