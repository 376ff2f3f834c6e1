PACKETS = [
    eth(CLIENT) / IP(src=CLIENT, dst=SERVER) / UDP(sport=5000, dport=9999) / Raw(b"\x00\x05HELLO\x00\x02OK"),
    eth(CLIENT) / IP(src=CLIENT, dst=SERVER) / UDP(sport=5000, dport=9999) / Raw(b"\x00\x09HELLO"),
]
