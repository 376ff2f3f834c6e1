PACKETS = [
    eth(CLIENT) / IP(src=CLIENT, dst=SERVER) / ICMP(type=8, id=1, seq=1) / Raw(b"ping"),
    eth(SERVER) / IP(src=SERVER, dst=CLIENT) / ICMP(type=0, id=1, seq=1) / Raw(b"ping"),
    eth(SERVER) / IP(src=SERVER, dst=CLIENT) / ICMP(type=3, code=3) / IP(src=CLIENT, dst=SERVER) / UDP(sport=5000, dport=9),
    eth(SERVER) / IP(src=SERVER, dst=CLIENT) / ICMP(type=3, code=1) / IP(src=CLIENT, dst=SERVER) / UDP(sport=5000, dport=9),
]
