decode
--text
:123456M1,005S#:123456L+08#
