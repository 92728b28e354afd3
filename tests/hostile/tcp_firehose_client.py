# Connects and writes without end, never reading a reply.
import socket

c = socket.create_connection(('127.0.0.1', 8888))
block = b'0123456789abcdef' * 4096
while True:
    c.sendall(block)
