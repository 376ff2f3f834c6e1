"""Sends argv[3] bytes of seeded pseudo-random data to argv[1]:argv[2] and prints 'bytes sha256'.
argv[4] (optional) paces the transfer over that many seconds, so a test can act mid-transfer.
A second line gives the time from connected to closed: "elapsed SECONDS"."""
import hashlib
import random
import socket
import sys
import time

host, port, size = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
seconds = float(sys.argv[4]) if len(sys.argv) > 4 else 0.0
rng = random.Random(1577)
chunk_size = 1 << 16
h = hashlib.sha256()
s = socket.create_connection((host, port), timeout=60)
sent = 0
start = time.monotonic()
while sent < size:
    n = min(chunk_size, size - sent)
    data = rng.randbytes(n)
    s.sendall(data)
    h.update(data)
    sent += n
    if seconds > 0:
        due = start + seconds * sent / size
        delay = due - time.monotonic()
        if delay > 0:
            time.sleep(delay)
s.shutdown(socket.SHUT_WR)
s.recv(1)
s.close()
elapsed = time.monotonic() - start
print(sent, h.hexdigest(), flush=True)
print(f"elapsed {elapsed:.3f}", flush=True)
