decode
-
