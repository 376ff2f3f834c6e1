PACKETS = [
    eth(CLIENT) / IP(src=CLIENT, dst=SERVER) / TCP(sport=41000, dport=22, flags="S"),
    eth(SERVER) / IP(src=SERVER, dst=CLIENT) / TCP(sport=22, dport=41000, flags="SA"),
    eth(CLIENT) / IP(src=CLIENT, dst=SERVER) / TCP(sport=41001, dport=22, flags=""),
    eth(CLIENT) / IP(src=CLIENT, dst=SERVER) / TCP(sport=41002, dport=22, flags="FPU"),
    eth(CLIENT) / IP(src=CLIENT, dst=SERVER) / TCP(sport=41003, dport=22, flags="SF"),
    eth(CLIENT) / IP(src=CLIENT, dst=SERVER) / TCP(sport=41004, dport=22, flags="SEC"),
]
