detect
--text

