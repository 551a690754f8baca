decode
does-not-exist.txt
