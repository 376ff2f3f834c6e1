PACKETS = [(i * 1.0, eth(CLIENT) / IP(src=CLIENT, dst=SERVER) / TCP(sport=42000 + i, dport=22, flags="S")) for i in range(6)]
