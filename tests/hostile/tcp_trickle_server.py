# Answers every client with one byte every 50 ms, forever, never reading again.
import socket
import time

srv = socket.socket()
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(('0.0.0.0', 8888))
srv.listen(8)
while True:
    conn, _ = srv.accept()
    conn.recv(1024)
    while True:
        conn.send(b'.')
        time.sleep(0.05)
