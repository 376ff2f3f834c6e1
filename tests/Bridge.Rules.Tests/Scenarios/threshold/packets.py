PACKETS = [(i * 1.0, eth(CLIENT) / IP(src=CLIENT, dst=SERVER) / UDP(sport=7000 + i, dport=514) / Raw(b"ping")) for i in range(5)]
