PACKETS = session(40001, 21, [("c", b"USER admin\r\nPASS secret\r\n"), ("c", b"key=1;key:2")])
