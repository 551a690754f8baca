detect
--port
5027
-
