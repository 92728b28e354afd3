# udp messages (en). One message per diagnosis; hints select on $lang (python, c, node, …).

## udp.server.reply

udp-server-no-reply = No reply came back to the sender ({ $me }) within { $waited } ms, and { $state }. { $lang ->
    [c] A UDP server must answer with sendto(fd, reply, len, 0, (struct sockaddr *)&client, clientlen), using the address that recvfrom() filled in, and check both return values.
    [node] A UDP server must answer in its 'message' handler with server.send(reply, rinfo.port, rinfo.address).
   *[other] A UDP server must answer with sendto(reply, addr), using the addr that recvfrom() returned with the datagram.
}
udp-server-not-echoed = Under contract echo the reply must be the datagram itself, but { $reply } came back for { $sent }.{ $truncated ->
    [yes] {" "}Only the first { $kept } bytes came back: the buffer given to recvfrom() is too small.
   *[no] {""}
}
udp-server-replied = replied { $len } bytes in { $ms } ms
udp-server-replied-truncated = replied { $len } bytes in { $ms } ms: the { $sent }-byte datagram truncated to { $len } bytes (the buffer given to recvfrom() is too small; udp.server.max-size reports it)

## udp.server.boundaries

udp-server-boundaries-held = { $cases } sequences of datagrams each got one reply per datagram
udp-server-quit-on-datagram = { $sent ->
    [one] 1 datagram
   *[other] { $sent } datagrams
} sent back-to-back got { $replies ->
    [one] 1 reply
   *[other] { $replies } replies
} and then { $state }: the server took a datagram for the end and quit (see its output). A UDP server serves until it is stopped.
udp-server-crashed-on-datagram = { $sent ->
    [one] 1 datagram
   *[other] { $sent } datagrams
} sent back-to-back got { $replies ->
    [one] 1 reply
   *[other] { $replies } replies
} and then { $state }: a datagram made the server crash (see its traceback).
udp-server-fewer-replies = { $sent ->
    [one] 1 datagram
   *[other] { $sent } datagrams
} sent back-to-back got { $replies ->
    [one] 1 reply
   *[other] { $replies } replies
}; sent one at a time each gets its own reply.{ $merged ->
    [yes] {" "}A reply holds the bytes of more than one datagram: the server merged datagrams.
   *[no] {""}
} Each recvfrom() returns exactly one datagram: answer every datagram once, without collecting several into one reply.
udp-server-more-replies = { $sent ->
    [one] 1 datagram
   *[other] { $sent } datagrams
} sent back-to-back got { $replies ->
    [one] 1 reply
   *[other] { $replies } replies
}: the server split a datagram or answered one more than once. Send one sendto() per datagram received.
udp-server-reply-not-echo = Reply #{ $n } is not datagram #{ $n } echoed: sent { $sent }, got { $got }.{ $reordered ->
    [yes] {" "}It is datagram #{ $other }: replies came back out of order.
   *[no] {""}
}

## udp.server.clients-isolated

udp-server-stray-reply = Client { $other } received { $stray }, the reply to client { $name }'s datagram: the server replies to a remembered address instead of the addr recvfrom() returned with each datagram.
udp-server-isolated-no-reply = Client { $name }'s datagram got no reply while another client was also talking, and { $state }. Reply to the addr that recvfrom() returned with each datagram.
udp-server-replies-mixed = Client { $name } got { $got } for its own { $sent }: replies are mixed up between clients.
udp-server-client-sent = client { $name } sent { $sent }
udp-server-isolated-held = { $count } interleaved datagrams from 2 clients each got their own reply

## udp.server.empty-datagram, udp.server.bad-bytes

udp-server-empty-stopped = After a 0-byte datagram the server stopped answering, and { $state }. { $lang ->
    [c] recvfrom() returning 0 in UDP is just an empty datagram, not a client closing (UDP has no connection): do not break or exit on it.
    [node] A 'message' event with msg.length === 0 is just an empty datagram, not a client closing (UDP has no connection): do not close the socket or exit on it.
   *[other] recvfrom() returning b'' in UDP is just an empty datagram, not a client closing (UDP has no connection): do not break or exit on it.
}
udp-server-empty-not-echoed = A 0-byte datagram got no reply within { $waited } ms, though the server still answers the next datagram. Under contract echo an empty datagram is a datagram like any other and gets a 0-byte reply: { $lang ->
    [c] recvfrom() returning 0 is a 0-byte datagram (only -1 is an error), so do not skip it with `if (n <= 0) continue;`.
    [node] a 'message' event with msg.length === 0 is a datagram too: send it back.
   *[other] recvfrom() returning b'' is a 0-byte datagram, so do not skip it with `if not data: continue`.
}
udp-server-bad-bytes-stopped = After a datagram that is not valid UTF-8 the server stopped answering, and { $state }. { $lang ->
    [c] Network data is bytes: treat the buffer as bytes with the length recvfrom() returned, and check every return value.
    [node] Network data is bytes: msg.toString() replaces bad bytes, but new TextDecoder('utf-8', { "{" } fatal: true { "}" }).decode(msg) throws; catch the error or keep the Buffer.
   *[other] Network data is bytes: decode with data.decode('utf-8', 'replace') or catch UnicodeDecodeError.
}
udp-server-survived = after { $poison } it still answered
udp-server-blocked-keeps-serving = the server does not answer a second datagram (see udp.server.keeps-serving)

## udp.server.keeps-serving

udp-server-stopped-serving = After answering { $answered ->
    [one] 1 datagram
   *[other] { $answered } datagrams
} the server did not answer the next one, from client { $name }, and { $state }. A UDP server serves until it is stopped: { $lang ->
    [c] keep recvfrom() and sendto() inside a `while (1)` loop, and do not close(fd) or return after the first reply.
    [node] keep the socket open: do not call server.close() or process.exit() in the 'message' handler.
   *[other] keep recvfrom() and sendto() inside a `while True:` loop, and do not close the socket or exit after the first reply.
}
udp-server-keeps-serving-held = { $count } datagrams from 2 clients each got a reply from the same server

## udp.server.max-size

udp-server-max-size-needs-echo = needs contract echo to know what an intact reply is
udp-server-max-size-changed = { $upto ->
    [0] No datagram came back intact
   *[other] Datagrams up to { $upto } bytes come back intact
}; a { $size }-byte datagram came back as { $got } bytes{ $shorter ->
    [yes] : recvfrom({ $got }) truncates larger ones
   *[no] {""}
}.
udp-server-max-size-no-reply = { $upto ->
    [0] No datagram came back intact
   *[other] Datagrams up to { $upto } bytes come back intact
}; a { $size }-byte datagram got no reply ({ $state }).
udp-server-max-size-all = Every size up to { $max } bytes (the IPv4 maximum) came back intact.

## udp.client.one-line-one-datagram

udp-client-nothing-arrived = No datagram arrived at { $server }, where sockspec served, and { $state }. The client must sendto() each input line to the server; if it sends to a fixed address that sockspec did not find in its source, give it with --addr HOST:PORT.
udp-client-line-count = { $lines ->
    [one] 1 input line
   *[other] { $lines } input lines
} arrived as { $datagrams ->
    [one] 1 datagram
   *[other] { $datagrams } datagrams
}.{ $how ->
    [cut] {" "}Together they hold exactly the input: the first line { $first } was cut into several sendto() calls.
    [stopped] {" "}The client stopped early, and { $state }.
   *[other] {""}
} Send each line with one sendto() call.
udp-client-datagram-differs = Datagram #{ $n } is { $datagram } but input line #{ $n } is { $line }: send the line's bytes as they are (line.encode()).
udp-client-lines-held = { $lines ->
    [one] 1 input line
   *[other] { $lines } input lines
} arrived as { $datagrams ->
    [one] 1 datagram
   *[other] { $datagrams } datagrams
}
udp-client-never-reads = the client never reads its input (every byte written to its stdin stayed unread): judged by what it sends, { $datagrams ->
    [one] 1 datagram
   *[other] { $datagrams } datagrams
}, each one message (the first: { $first })
udp-client-lines-held-quit = { $lines ->
    [one] 1 input line
   *[other] { $lines } input lines
} arrived as as many datagrams; input line #{ $n } { $quit } was not sent: the client exited with status 0 right after reading it (its quit command)

## udp.client.handles-reply

udp-client-replies-not-shown = The client never showed the server's replies: none of the { $replies ->
    [one] 1 reply
   *[other] { $replies } replies
} sockspec sent appears in its output. { $lang ->
    [c] After sendto(), read the reply with recvfrom() (its return value is the reply's length) and print those bytes.
    [node] Listen for the socket's 'message' event and print msg.toString().
   *[other] After sendto(), read the reply with recvfrom() and print it.
}
udp-client-first-reply = first reply sent: { $reply }
udp-client-stopped-after-replies = After { $replies ->
    [one] 1 reply
   *[other] { $replies } replies
} the client sent nothing more for its remaining input lines, and { $state }.
udp-client-reply-truncated = Reply #{ $n } ({ $len } bytes) is shown truncated to { $kept } bytes: the buffer given to recvfrom() is too small for it.
udp-client-replies-shown = { $shown } of { $replies } replies appear in the client's output
