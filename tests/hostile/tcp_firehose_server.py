# Writes without end to every client, never reading what it sends.
import socket

srv = socket.socket()
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(('0.0.0.0', 8888))
srv.listen(8)
block = b'x' * 65536
while True:
    conn, _ = srv.accept()
    try:
        while True:
            conn.sendall(block)
    except OSError:
        conn.close()
