# Answers every request with a status line, a header and a body without end.
import socket

srv = socket.socket()
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(('0.0.0.0', 8000))
srv.listen(8)
while True:
    conn, _ = srv.accept()
    conn.recv(4096)
    try:
        conn.sendall(b'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\n')
        while True:
            conn.sendall(b'a' * 65536)
    except OSError:
        conn.close()
