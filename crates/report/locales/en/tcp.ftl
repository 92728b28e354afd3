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
} within { $limit } ms ({ $ending }), and { $state }. Under this contract every message gets its reply: after recv(), send the answer back on the same connection (conn.sendall(...)).

tcp-server-accepts-remote = the connection was completed (accept() is not observable in a remote target)
tcp-server-accepts-holds = accepted in { $ms } ms
tcp-server-accepts-not-accepted = The kernel completed the connection but the program did not accept() it within { $limit } ms, and { $state }. Call accept() in a loop after listen().

tcp-server-stream-integrity-needs-echo = needs contract echo to know what must come back
tcp-server-stream-integrity-differs = { $size } bytes written as { $cutting } came back as { $received } bytes, identical for the first { $same } ({ $ending }). Under contract echo every byte must come back unchanged and in order: send back exactly what recv() returned, with sendall().
tcp-server-stream-integrity-written-as = { $payload } written as { $cutting }
tcp-server-stream-integrity-large = A { $size }-byte payload came back as { $received } bytes, identical for the first { $same } ({ $ending }). send() may send only part of what it is given and returns how much: use sendall(), or loop until everything is sent.
tcp-server-stream-integrity-large-input = { $size } bytes (i % 251) in one write
tcp-server-stream-integrity-holds = { $cases } payloads and one of { $size } bytes came back identical

tcp-server-segmentation-holds = { $cases } streams got the same replies however they were cut
tcp-server-segmentation-ended = { $count } messages written one at a time: { $ending } after { $message }.
tcp-server-segmentation-stopped-reading = The server stopped reading: of { $sent } written { $cutting }, bytes were still unread after { $patience } ms.
tcp-server-segmentation-line-count = { $count } messages sent { $cutting } got { $got_lines } reply lines; written one at a time they got { $expected_lines }
tcp-server-segmentation-other-replies = { $count } messages sent { $cutting } got different replies than written one at a time
tcp-server-segmentation-differs = { $summary }: { $got } instead of { $expected } ({ $ending }). The server answers each recv() instead of each message: one recv() can return several messages (粘包) or part of one. Keep a buffer and answer each complete message in it.

tcp-server-coalesced-needs-contract = needs contract echo or lines to know what a message is (tcp.server.segmentation-invariant covers any)
tcp-server-coalesced-holds = both replies came back for two coalesced messages
tcp-server-coalesced-lost = 2 messages written back-to-back got { $joined } ({ $joined_lines } reply lines, { $ending }); written one at a time they got { $expected } ({ $expected_lines } reply lines). TCP is a byte stream: one recv() can return both messages (粘包). Keep a buffer, and answer each complete message in it, not each recv().

tcp-server-eof-closes-holds = closed { $ms } ms after the client
tcp-server-eof-closes-reset = After the client closed, the server reset the connection (RST) instead of closing it, and { $state }. When recv() returns b'', close the connection with conn.close().
tcp-server-eof-closes-open = After the client closed, the server kept the connection open for { $limit } ms, and { $state }. When recv() returns b'' the client has gone: break out of the loop, conn.close(), and accept() the next client.

tcp-server-eof-no-spin-not-external = CPU time is measured only for external programs
tcp-server-eof-no-spin-no-cpu-time = the target's CPU time could not be read
tcp-server-eof-no-spin-spins = After the client closed, the program used { $cpu } ms of CPU in { $window } ms: recv() returns b'' at once, again and again, and the loop spins (`if not data: continue`). On b'' the client is gone: break.
tcp-server-eof-no-spin-holds = { $cpu } ms of CPU in the { $window } ms after the client closed

tcp-server-next-client-holds = the next client got { $reply }
tcp-server-next-client-refused = { $after ->
    [reset] After a client reset its connection (RST)
   *[left] After the first client left
}, the next client could not connect ({ $error }), and { $state }. Keep the listening socket open and loop back to accept().
tcp-server-next-client-unanswered = { $after ->
    [reset] After a client reset its connection (RST)
   *[left] After the first client left
}, the next client connected but got no reply ({ $ending }), and { $state }. The server must close the finished connection and loop back to accept().

tcp-server-half-close-holds = the reply arrived after the client's shutdown(SHUT_WR)
tcp-server-half-close-lost = A message followed at once by the client's shutdown(SHUT_WR) got { $reply } instead of its reply { $usual } ({ $ending }). Answer what you received before you close: b'' only means the client sends no more.
tcp-server-half-close-input = { $payload } then shutdown(SHUT_WR)

tcp-server-reset-survives-lost = { $diagnosis } Catch ConnectionResetError around recv() and send(): a client may vanish at any time.

tcp-server-rebind-no-time-wait = no connection of port { $port } reached TIME_WAIT on the server's side (it never closed one), so a restart in TIME_WAIT could not be tested
tcp-server-rebind-holds = restarted on { $addr } at once
tcp-server-rebind-fails = Restarted at once after being killed, the server did not come up ({ $state }): its port still has a connection in TIME_WAIT, so bind() fails with 'Address already in use'. Set setsockopt(SOL_SOCKET, SO_REUSEADDR, 1) before bind().

tcp-server-bad-bytes-holds = after { $poison } it still answered
tcp-server-bad-bytes-lost = After bytes that are not UTF-8, the next message got { $reply } ({ $ending }), and { $state }. Network data is bytes: decode with data.decode('utf-8', 'replace') or catch UnicodeDecodeError.

tcp-server-concurrent-sequential = While one client stays connected, a second one waits: the server serves one client at a time.
tcp-server-concurrent-concurrent = A second client is served while the first stays connected: the server is concurrent.

## tcp.client.*

tcp-client-never-connected = The client never connected to { $addr }, where sockspec served, and { $state }. It must connect() to its server; if that is a fixed address sockspec did not find in its source, give it with --addr HOST:PORT.
tcp-client-instance-gone = the client instance is gone

tcp-client-sends-input-holds = the { $lines } input lines arrived as { $size } bytes
tcp-client-sends-input-differs = The client sent { $sent } but its input calls for { $want } ({ $what ->
    [lines] each input line followed by a newline
   *[bytes] the input lines' bytes
}), and { $state }.

tcp-client-segmentation-holds = replies cut into pieces gave the same output
tcp-client-segmentation-differs = With each reply cut into 3 pieces the client printed { $cut } instead of { $whole }. recv() returns whatever part of the reply has arrived: read until the reply is complete (e.g. until its newline, or its length) before printing it.
tcp-client-segmentation-input = each reply written in 3 pieces, each after the client read the previous one

tcp-client-eof-exits-traceback = When the server closed the connection, the client ended ({ $state }) with a traceback (below). When recv() returns b'' the server has closed: say so and stop, instead of using the closed connection.
tcp-client-eof-exits-holds = the client ended when the server closed ({ $state })
tcp-client-eof-exits-spins = After the server closed the connection, the client kept running and used { $cpu } ms of CPU in { $window } ms: recv() returns b'' again and again and the loop spins. On b'' stop reading (break).
tcp-client-eof-exits-idle = the client stopped reading and stays idle
tcp-client-eof-exits-no-cpu-time = the client did not exit and its CPU time cannot be measured

tcp-client-refused-no-sandbox = outside a sandbox, { $addr } may belong to another program on this host
tcp-client-refused-silent = With no server listening, the client ended without a word ({ $state }). Catch ConnectionRefusedError and print what went wrong.
tcp-client-refused-holds = the client reported the refusal and ended ({ $state })
tcp-client-refused-hangs = With no server listening at { $addr }, the client was still running { $waited } ms later: it hangs (e.g. retries connect() forever). Catch ConnectionRefusedError, print an error and exit.
