PACKETS = session(40003, 21, [("c", b"LOGIN bob\r\n"), ("s", b"230 OK\r\n"), ("c", b"RETR x\r\n")]) + \
          session(40004, 21, [("c", b"RETR x\r\n")])
