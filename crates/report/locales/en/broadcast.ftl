# broadcast messages (en). One message per diagnosis; hints select on $lang (python, c, node, …).

broadcast-needs-lan = broadcast is checked only on a simulated LAN of network namespaces: { $reason }
broadcast-lan-failed = could not build the LAN: { $error }

## broadcast.receiver.*

broadcast-receiver-sender-failed = sockspec could not open its broadcasting socket on host h1: { $error }
broadcast-receiver-so-broadcast-failed = sockspec could not set SO_BROADCAST on its socket: { $error }
broadcast-receiver-send-failed = sockspec's broadcast to { $to } failed: { $error }
broadcast-receiver-no-instance = sockspec has no receiver running to watch
broadcast-receiver-baseline-missed = the receiver did not show a plain broadcast, so this cannot be judged (see broadcast.receiver.receives)
broadcast-receiver-received = broadcasts to 255.255.255.255 and { $directed } showed in its output
broadcast-receiver-missed-one = { $payload } (to { $to })
broadcast-receiver-missed-both = { $first }, { $second }
broadcast-receiver-missed = Broadcasts from another host to port { $port } never showed in the receiver's output: { $missed }; and { $state }. Bind to ('', { $port }) (all addresses, not one), recvfrom() and print what arrives.
broadcast-receiver-second-failed = A second receiver on the same host could not start: { $error }. Without SO_REUSEADDR (or SO_REUSEPORT) set before bind(), only one program may use port { $port }.
broadcast-receiver-stderr =
    the second receiver's error output (end):
    { $stderr }
broadcast-receiver-shared-held = two receivers on one port both printed the broadcast
broadcast-receiver-shared-missed = With two receivers on port { $port } of one host, { $which ->
    [first] only the first
    [second] only the second
   *[neither] neither
} printed the broadcast.
broadcast-receiver-bad-bytes-held = after bytes that are not UTF-8 it still printed the next broadcast
broadcast-receiver-bad-bytes-stopped = After a broadcast that is not valid UTF-8, the next one never showed, and { $state }. { $lang ->
    [c] Network data is bytes: treat the buffer as bytes with the length recvfrom() returned, and check every return value.
    [node] Network data is bytes: msg.toString() replaces bad bytes, but new TextDecoder('utf-8', { "{" } fatal: true { "}" }).decode(msg) throws; catch the error or keep the Buffer.
   *[other] Network data is bytes: decode with data.decode('utf-8', 'replace') or catch UnicodeDecodeError.
}

## broadcast.sender.*

broadcast-sender-listen-failed = sockspec could not listen on host { $host }: { $error }
broadcast-sender-pktinfo-failed = sockspec could not ask for the datagrams' destination addresses (IP_PKTINFO): { $error }
broadcast-sender-went-elsewhere = its datagrams went to { $destination }, off the LAN, so this cannot be judged (see broadcast.sender.address)
broadcast-sender-unicast-elsewhere = { $payload } was sent to { $destination }{ $loopback ->
    [yes] , the sender's own loopback: it never leaves the machine, so no other host receives it
   *[no] , an address off the LAN: it is unicast, not a broadcast
}. Send to the broadcast address instead: 255.255.255.255 ('<broadcast>' in Python) or the LAN's { $broadcast }, port { $port }, with SO_BROADCAST set.
broadcast-sender-nothing-heard = no datagram reached any host, so this cannot be judged (see broadcast.sender.delivers)
broadcast-sender-delivered = { $count ->
    [one] 1 datagram
   *[other] { $count } datagrams
} reached the LAN's hosts
broadcast-sender-no-so-broadcast = { $lang ->
    [c] sendto() to a broadcast address failed with EACCES (Permission denied): a socket must setsockopt(fd, SOL_SOCKET, SO_BROADCAST, &on, sizeof(on)) with int on = 1 before it may broadcast. Its error output is below.
    [node] socket.send() to a broadcast address failed with EACCES: call socket.setBroadcast(true) once the socket is bound (in the bind() callback or the 'listening' event) before it may broadcast. Its error output is below.
   *[other] sendto() to a broadcast address failed with PermissionError (EACCES): a socket must setsockopt(SOL_SOCKET, SO_BROADCAST, 1) before it may broadcast. Its traceback is below.
}
broadcast-sender-nothing-delivered = No datagram reached any host of the LAN on port { $port }, and { $state }. { $lang ->
    [c] sendto() each message to the broadcast address (INADDR_BROADCAST, 255.255.255.255) and port { $port }, with SO_BROADCAST set, and check sendto()'s return value.
    [node] socket.send() each message to '255.255.255.255' and port { $port }, after socket.setBroadcast(true).
   *[other] Send each message to ('<broadcast>', PORT), with SO_BROADCAST set.
}
broadcast-sender-never-reads = the sender never reads its input (every byte written to its stdin stayed unread): judged by what it sends, { $datagrams ->
    [one] 1 datagram
   *[other] { $datagrams } datagrams
} of { $distinct ->
    [one] 1 message
   *[other] { $distinct } messages
}, one message per datagram (the first: { $first })
broadcast-sender-uneven = Host { $host } got { $got ->
    [one] 1 datagram
   *[other] { $got } datagrams
} but host { $best_host } got { $best }: a broadcast reaches every host once. Send to the broadcast address ('<broadcast>' or { $broadcast }), not to one host.
broadcast-sender-all-hosts-held = each of the { $hosts } receiver hosts got the same { $count ->
    [one] 1 datagram
   *[other] { $count } datagrams
} once
broadcast-sender-boundaries-held = { $lines ->
    [one] 1 input line
   *[other] { $lines } input lines
} arrived as { $datagrams ->
    [one] 1 datagram
   *[other] { $datagrams } datagrams
}
broadcast-sender-boundaries-differ = { $lines ->
    [one] 1 input line
   *[other] { $lines } input lines
} arrived at host { $host } as { $datagrams ->
    [one] 1 datagram
   *[other] { $datagrams } datagrams
} (the first: { $first }). Send each message with one sendto().
broadcast-sender-unicast = Host { $host } got { $payload } sent to { $destination }, one host's own address, not a broadcast address. Send to '<broadcast>' (255.255.255.255) or the LAN's broadcast address { $broadcast }.
broadcast-sender-address-held = every datagram went to a broadcast address ({ $destinations })
