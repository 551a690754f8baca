detect
--hex
bd 5b cb b0 f1 d7 bd a6 11 22 33 44 55 66 77 88
