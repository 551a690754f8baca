detect
no-such-file.bin
