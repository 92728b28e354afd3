# tcp messages (en). One message per diagnosis; hints select on $lang (python, c, node, …).

## Phrases the diagnoses share.

tcp-ending-open = the connection stayed open
tcp-ending-eof = the server closed the connection (EOF)
tcp-ending-reset = the connection was reset (RST)
tcp-cutting-whole = all in one write
tcp-cutting-per-message = one write per message
tcp-cutting-bytes = one byte per write
tcp-cutting-at = writes cut at byte offsets { $offsets }
tcp-in-one-write = { $payload } in one write
tcp-connect-failed = connect() to the server at { $addr } failed ({ $error }), and { $state }.
tcp-baseline-unanswered = a plain message { $sent } got { $received ->
    [0] no reply
   *[other] only { $reply }
} ({ $ending }), so this cannot be judged{ $check ->
    [none] {""}
   *[other] {" "}(see { $check })
}

## tcp.server.*

tcp-server-plain-message-unanswered = A plain message { $sent } got { $received ->
    [0] no reply
   *[other] only { $reply }
} within { $limit } ms ({ $ending }), and { $state }. Under this contract every message gets its reply: { $lang ->
        [c] after read(), write() the answer back on the same connection (connfd).
        [node] in the socket's 'data' handler, socket.write() the answer back.
       *[other] after recv(), send the answer back on the same connection (conn.sendall(...)).
    }

tcp-server-accepts-remote = the connection was completed (accept() is not observable in a remote target)
tcp-server-accepts-holds = accepted in { $ms } ms
tcp-server-accepts-not-accepted = The kernel completed the connection but the program did not accept() it within { $limit } ms, and { $state }. Call accept() in a loop after listen().

tcp-server-stream-integrity-needs-echo = needs contract echo to know what must come back
tcp-server-stream-integrity-differs = { $size } bytes written as { $cutting } came back as { $received } bytes, identical for the first { $same } ({ $ending }). Under contract echo every byte must come back unchanged and in order: { $lang ->
        [c] write() back exactly the n bytes read() returned, looping until all n are written.
        [node] socket.write() back exactly the Buffer each 'data' event gives, without converting it.
       *[other] send back exactly what recv() returned, with sendall().
    }
tcp-server-stream-integrity-written-as = { $payload } written as { $cutting }
tcp-server-stream-integrity-large = A { $size }-byte payload came back as { $received } bytes, identical for the first { $same } ({ $ending }). { $lang ->
        [c] write()/send() may write only part of the buffer and return how much: loop until all of it is written.
        [node] write every 'data' chunk back, and do not end the socket before the writes are done.
       *[other] send() may send only part of what it is given and returns how much: use sendall(), or loop until everything is sent.
    }
tcp-server-stream-integrity-large-input = { $size } bytes of numbered ASCII lines in one write
tcp-server-stream-integrity-holds = { $cases } payloads and one of { $size } bytes came back identical

tcp-server-segmentation-holds = { $cases } streams got the same replies however they were cut
tcp-server-segmentation-ended = { $count } messages written one at a time: { $ending } after { $message }.
tcp-server-segmentation-stopped-reading = The server stopped reading: of { $sent } written { $cutting }, bytes were still unread after { $patience } ms.
tcp-server-segmentation-line-count = { $count } messages sent { $cutting } got { $got_lines } reply lines; written one at a time they got { $expected_lines }
tcp-server-segmentation-other-replies = { $count } messages sent { $cutting } got different replies than written one at a time
tcp-server-segmentation-differs = { $summary }: { $got } instead of { $expected } ({ $ending }). The server answers each recv() instead of each message: one recv() can return several messages (粘包) or part of one. Keep a buffer and answer each complete message in it.

tcp-server-coalesced-needs-contract = needs contract echo or lines to know what a message is (tcp.server.segmentation-invariant covers any)
tcp-server-coalesced-holds = both replies came back for two coalesced messages
tcp-server-coalesced-connection-ended = after one message the server ended the connection ({ $ending }): it reads once per connection (tcp.server.segmentation-invariant names it)
tcp-server-coalesced-lost = 2 messages written back-to-back got { $joined } ({ $joined_lines } reply lines, { $ending }); written one at a time they got { $expected } ({ $expected_lines } reply lines). TCP is a byte stream: one recv() can return both messages (粘包). Keep a buffer, and answer each complete message in it, not each recv().

tcp-server-eof-closes-holds = closed { $ms } ms after the client
tcp-server-eof-closes-reset = After the client closed, the server reset the connection (RST) instead of closing it, and { $state }. { $lang ->
        [c] When read()/recv() returns 0, close(connfd).
        [node] Let the 'end' event end the socket with socket.end() (or keep allowHalfOpen off).
       *[other] When recv() returns b'', close the connection with conn.close().
    }
tcp-server-eof-closes-open = After the client closed, the server kept the connection open for { $limit } ms, and { $state }. { $lang ->
        [c] When read()/recv() returns 0 the client has gone: leave the loop, close(connfd), and accept() the next client.
        [node] On the socket's 'end' event the client has gone: call socket.end().
       *[other] When recv() returns b'' the client has gone: break out of the loop, conn.close(), and accept() the next client.
    }

tcp-server-eof-no-spin-not-external = CPU time is measured only for external programs
tcp-server-eof-no-spin-no-cpu-time = the target's CPU time could not be read
tcp-server-eof-no-spin-spins = After the client closed, the program used { $cpu } ms of CPU in { $window } ms: { $lang ->
        [c] read()/recv() returns 0 at once, again and again, and the loop spins. On 0 the client is gone: break, then close().
        [node] the program loops on a closed socket. Handle the 'end' and 'close' events instead of polling.
       *[other] recv() returns b'' at once, again and again, and the loop spins (`if not data: continue`). On b'' the client is gone: break.
    }
tcp-server-eof-answers-in-loop = after sockspec ended its stream, the server sent { $bytes } bytes in { $window } ms and went on: it { $lang ->
        [c] answers read()'s 0 in a loop
        [node] writes in a loop after the 'end' event
       *[other] answers b'' in a loop
    } (tcp.server.eof-no-spin names it)
tcp-server-eof-spins-meanwhile = the server is busy in a loop ({ $cpu } ms of CPU in { $window } ms){ $lang ->
        [c] : read() keeps returning 0
        [node] {""}
       *[other] : recv() keeps returning b''
    } (tcp.server.eof-no-spin names it)
tcp-server-eof-no-spin-answers-in-loop = After the client's shutdown(SHUT_WR), the server sent { $bytes } bytes in { $window } ms, and kept sending: it { $lang ->
        [c] answers read()'s 0 in a loop. read()/recv() returns 0 once the client has finished sending, and 0 again on every call: on 0, stop reading, close(connfd).
        [node] writes in a loop after the 'end' event. On 'end' the client has finished sending: socket.end().
       *[other] answers b'' in a loop (a check such as `if data == "##"` never sees the end: recv() returns b'' once the client has finished sending, and b'' again on every call). On b'', break and conn.close().
    }
tcp-server-eof-no-spin-ended = after the client left, { $state }: whether it spins cannot be measured (tcp.server.next-client names it)
tcp-server-eof-no-spin-holds = { $cpu } ms of CPU in the { $window } ms after the client closed

tcp-server-next-client-holds = the next client got { $reply }
tcp-server-next-client-accepted = the next client was accepted by the running server (no reply is due under contract any)
tcp-server-next-client-refused = { $after ->
    [reset] After a client reset its connection (RST)
   *[left] After the first client left
}, the next client could not connect ({ $error }), and { $state }. Keep the listening socket open and loop back to accept().
tcp-server-next-client-unanswered = { $after ->
    [reset] After a client reset its connection (RST)
   *[left] After the first client left
}, the next client connected but got no reply ({ $ending }), and { $state }. The server must close the finished connection and loop back to accept().

tcp-server-half-close-holds = the reply arrived after the client's shutdown(SHUT_WR)
tcp-server-half-close-lost = A message followed at once by the client's shutdown(SHUT_WR) got { $reply } instead of its reply { $usual } ({ $ending }). Answer what you received before you close: { $lang ->
        [c] read() returning 0 only means the client sends no more (do not peek for it before replying).
        [node] the 'end' event only means the client sends no more: write the replies, then socket.end().
       *[other] b'' only means the client sends no more.
    }
tcp-server-half-close-input = { $payload } then shutdown(SHUT_WR)

tcp-server-reset-survives-lost = { $diagnosis } { $lang ->
        [c] read()/recv() returning -1 with ECONNRESET ends that client only: close(connfd) and go on; ignore SIGPIPE (signal(SIGPIPE, SIG_IGN)) or send with MSG_NOSIGNAL so a write to a reset connection does not kill the server.
        [node] Give every socket an 'error' handler (socket.on('error', ...)): an ECONNRESET without one kills the process.
       *[other] Catch ConnectionResetError around recv() and send(): a client may vanish at any time.
    }

tcp-server-rebind-no-time-wait = no connection of port { $port } reached TIME_WAIT on the server's side (it never closed one), so a restart in TIME_WAIT could not be tested
tcp-server-rebind-holds = restarted on { $addr } at once
tcp-server-rebind-other-port = Restarted at once after being killed, the server listened on { $addr } instead of port { $port }: clients that know port { $port } cannot reach it. { $lang ->
        [c] bind() failed (the port still has a connection in TIME_WAIT) and its return value was not checked, so listen() took an ephemeral port. Check bind()'s return value and set setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) before bind().
        [node] The listen() call did not get the port it asked for. Listen on the fixed port and handle the 'error' event (EADDRINUSE).
       *[other] bind() did not get the port (it still has a connection in TIME_WAIT). Set setsockopt(SOL_SOCKET, SO_REUSEADDR, 1) before bind(), and do not go on when bind() fails.
    }
tcp-server-rebind-fails = Restarted at once after being killed, the server did not come up ({ $state }): its port still has a connection in TIME_WAIT, so bind() fails with 'Address already in use'. { $lang ->
        [c] Call setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) before bind().
        [node] Node's server.listen() sets SO_REUSEADDR itself: check that the port is free and handle the 'error' event (EADDRINUSE).
       *[other] Set setsockopt(SOL_SOCKET, SO_REUSEADDR, 1) before bind().
    }

tcp-server-bad-bytes-holds = after { $poison } it still answered
tcp-server-bad-bytes-closed-holds = after { $poison } it closed that connection, and still served the next client
tcp-server-bad-bytes-one-shot = after that one client, { $state }: it serves one client (tcp.server.next-client names it)
tcp-server-bad-bytes-lost = After bytes that are not UTF-8, the next message got { $reply } ({ $ending }), and { $state }. Network data is bytes: { $lang ->
        [c] treat the buffer as bytes (no string functions that stop at invalid input), and ignore SIGPIPE (signal(SIGPIPE, SIG_IGN)) or send with MSG_NOSIGNAL.
        [node] read Buffers, and give the socket an 'error' handler so one client cannot kill the process.
       *[other] decode with data.decode('utf-8', 'replace') or catch UnicodeDecodeError.
    }

tcp-server-concurrent-sequential = While one client stays connected, a second one waits: the server serves one client at a time.
tcp-server-concurrent-concurrent = A second client is served while the first stays connected: the server is concurrent.

## tcp.client.*

tcp-client-never-connected = The client never connected to { $addr }, where sockspec served, and { $state }. It must connect() to its server; if that is a fixed address sockspec did not find in its source, give it with --addr HOST:PORT.
tcp-client-instance-gone = the client instance is gone

tcp-client-sends-input-holds = the { $lines } input lines arrived as { $size } bytes
tcp-client-never-reads = the client never reads its input (it left every byte written to its stdin unread, or ended before one was written): judged by what it sends, { $size } bytes ({ $sent })
tcp-client-sends-input-quit = the first { $lines } input lines arrived as { $size } bytes; the client exited (status 0) after reading { $quit }, its quit command
tcp-client-sends-input-differs = The client sent { $sent } but its input calls for { $want } ({ $what ->
    [lines] each input line followed by a newline
   *[bytes] the input lines' bytes
}), and { $state }.

tcp-client-segmentation-holds = replies cut into pieces gave the same output
tcp-client-segmentation-differs = With each reply cut into 3 pieces the client printed { $cut } instead of { $whole }. { $lang ->
        [c] read() returns whatever part of the reply has arrived: keep reading into the buffer until the reply is complete (its newline, or its length) before printing it.
        [node] each 'data' event gives whatever part of the reply has arrived: collect the Buffers (Buffer.concat) until the reply is complete, then decode and print it once.
       *[other] recv() returns whatever part of the reply has arrived, and a piece may end inside a character: read until the reply is complete (its newline, or its length), then decode and print it.
    }
tcp-client-segmentation-second-run-offline = The client connected for the run with whole replies but not for the run with replies cut into pieces, so the two could not be compared; run it again.
tcp-client-segmentation-input = each reply written in 3 pieces, each after the client read the previous one

tcp-client-eof-exits-traceback = When the server closed the connection, the client ended ({ $state }) with a traceback (below). { $lang ->
        [c] When read()/recv() returns 0 the server has closed: say so and stop, instead of using the closed connection.
        [node] On the socket's 'end' or 'close' event the server has closed: say so and stop writing.
       *[other] When recv() returns b'' the server has closed: say so and stop, instead of using the closed connection.
    }
tcp-client-eof-exits-killed = After the server closed the connection, the client ended: { $state }. { $lang ->
        [c] { $sigpipe ->
            [yes] It went on writing to the closed connection, and send() raised SIGPIPE, which kills the program. When read()/recv() returns 0 the server has closed: say so, stop the loop (break) and close().
           *[other] When read()/recv() returns 0 the server has closed (and -1 is an error): say so, stop the loop (break) and close(), and use only the bytes a call returned.
        }
        [node] When the socket emits 'end' or 'close' the server has closed: say so and stop writing.
       *[other] When recv() returns b'' the server has closed: say so and stop, instead of using the closed connection.
    }
tcp-client-eof-exits-holds = the client ended when the server closed ({ $state })
tcp-client-eof-exits-spins = After the server closed the connection, the client kept running and used { $cpu } ms of CPU in { $window } ms: { $lang ->
        [c] read()/recv() returns 0 again and again and the loop spins. On 0 stop reading (break), then close().
        [node] the program loops instead of waiting for events: on 'end'/'close' stop.
       *[other] recv() returns b'' again and again and the loop spins. On b'' stop reading (break).
    }
tcp-client-eof-exits-idle = the client stopped reading and stays idle
tcp-client-eof-exits-no-cpu-time = the client did not exit and its CPU time cannot be measured

tcp-client-refused-no-sandbox = outside a sandbox, { $addr } may belong to another program on this host
tcp-client-refused-silent = With no server listening, the client ended without a word ({ $state }). { $lang ->
        [c] Check connect()'s return value and print the error (perror("connect")).
        [node] Handle the socket's 'error' event (ECONNREFUSED) and print what went wrong.
       *[other] Catch ConnectionRefusedError and print what went wrong.
    }
tcp-client-refused-holds = the client reported the refusal and ended ({ $state })
tcp-client-refused-hangs = With no server listening at { $addr }, the client was still running { $waited } ms later: it hangs (e.g. retries connect() forever). { $lang ->
        [c] When connect() returns -1, print the error (perror) and exit.
        [node] Handle the socket's 'error' event (ECONNREFUSED): print an error and exit.
       *[other] Catch ConnectionRefusedError, print an error and exit.
    }
tcp-greeting-set-aside = the server sent { $greeting } on connect, before any request: set aside as a greeting, not taken for a reply
