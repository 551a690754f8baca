detect
--pretty
--text
SSH-2.0-OpenSSH_8.9p1 Ubuntu-3ubuntu0.10\r\n
