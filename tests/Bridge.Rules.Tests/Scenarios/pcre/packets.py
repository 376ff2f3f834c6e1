PACKETS = session(40002, 80, [("c", b"GET /download.php?file=../../etc/passwd HTTP/1.1\r\nHost: x\r\nUser-Agent: curl/7.1\r\n\r\n")])
