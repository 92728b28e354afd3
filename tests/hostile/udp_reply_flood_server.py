# Answers the first datagram of every client with an endless stream of copies.
from socket import socket, AF_INET, SOCK_DGRAM

sock = socket(AF_INET, SOCK_DGRAM)
sock.bind(('0.0.0.0', 9999))
while True:
    data, addr = sock.recvfrom(2048)
    while True:
        sock.sendto(data, addr)
