"""Accepts one TCP connection, reads until EOF and prints 'bytes sha256'. Listens on argv[1]:argv[2]."""
import hashlib
import socket
import sys

host, port = sys.argv[1], int(sys.argv[2])
srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind((host, port))
srv.listen(1)
print("listening", flush=True)
srv.settimeout(60)
conn, _ = srv.accept()
conn.settimeout(60)
h = hashlib.sha256()
total = 0
while True:
    chunk = conn.recv(1 << 16)
    if not chunk:
        break
    h.update(chunk)
    total += len(chunk)
print(total, h.hexdigest(), flush=True)
