# Ignores its input and sends datagrams to the server as fast as it can.
import socket

c = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
while True:
    c.sendto(b'flood ' * 16, ('127.0.0.1', 9999))
