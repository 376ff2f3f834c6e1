PACKETS = [eth(CLIENT) / IP(src=CLIENT, dst=SERVER) / UDP(sport=6000, dport=7) / Raw(b"x" * n) for n in (10, 100, 1000)]
