# Sends a request line, then header lines without end, never reading.
import socket

c = socket.create_connection(('127.0.0.1', 80))
c.sendall(b'GET / HTTP/1.1\r\nHost: localhost\r\n')
line = b'X-Filler: ' + b'f' * 1000 + b'\r\n'
while True:
    c.sendall(line)
