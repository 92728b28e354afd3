# http messages (en). One message per diagnosis; hints select on $lang (python, c, node, …).
# The validator (sockspec-wire) states each broken rule as an English sentence
# with its RFC section: it is quoted as $text in http-validator-says.

## Shared by the request and response rules.

http-validator-says = { $text }
http-problem-line =
    {"  "}at byte { $offset }: { $problem } ({ $section })
    { $rest }
http-problem-last = {"  "}at byte { $offset }: { $problem } ({ $section })
http-problems-left = {"  "}… and { $left } more
http-problems-none = {"  "}(none)

## The validator's violations that have a kind of their own (sockspec-wire
## http::Kind); every other one is quoted by http-validator-says.

http-bare-lf = line { $line } ends in a bare LF: every line of an HTTP message ends in CRLF (\r\n)
http-bare-cr = line { $line } has a bare CR (\r not followed by \n) in it: a CR may only appear as part of the CRLF that ends a line
http-stops-mid-line = the message stops in the middle of line { $line }: end every line with CRLF (\r\n) and the header section with an empty line
http-head-not-closed = the header section is not closed by an empty line: after the last field line send one more CRLF, so the header ends with \r\n\r\n
http-no-host = there is no Host field: an HTTP/1.1 request names the server it is for, e.g. `Host: 127.0.0.1:8888`
http-second-host = a second Host field: send exactly one
http-space-before-colon = line { $line } has whitespace between the field name `{ $name }` and the colon: write `{ $name }:` with nothing in between
http-space-in-target = the request-target `{ $target }` contains { $spaces ->
    [one] a space
   *[other] { $spaces } spaces
}: percent-encode each as %20 (a space ends the request-target)
http-method-case = the method `{ $method }` is not `{ $meant }`: methods are case-sensitive
http-version-case = the HTTP-version `{ $version }` is not `{ $meant }`: the HTTP-version is case-sensitive
http-version-no-slash = the HTTP-version `{ $version }` lacks the `/` after HTTP: write `HTTP/1.1`
http-no-reason-phrase = the status-line ends right after the status code: add a space and a reason-phrase, e.g. `HTTP/1.1 { $status } OK`
http-body-without-length = { $extra ->
    [one] 1 byte follows
   *[other] { $extra } bytes follow
} the header section, but a request without Content-Length (or Transfer-Encoding: chunked) has no body: send `Content-Length: { $extra }`
http-length-counts-characters = Content-Length is { $length }, the number of characters, but the body is { $bytes ->
    [one] 1 byte
   *[other] { $bytes } bytes
} of UTF-8: Content-Length counts bytes (len(body.encode()))
http-length-differs = Content-Length is { $length } but the body is { $bytes ->
    [one] 1 byte
   *[other] { $bytes } bytes
}: Content-Length must be the body's length in bytes
http-no-length-kept-open = the response has neither Content-Length nor Transfer-Encoding, so its body ends only when the connection closes, but the server kept it open: send `Content-Length: { $bytes }`, or close after the body
http-non-ascii-target = the request-target contains { $bytes ->
    [one] 1 byte
   *[other] { $bytes } bytes
} outside ASCII: percent-encode the UTF-8 bytes, e.g. 世 as %E4%B8%96 (urllib.parse.quote does it)
http-no-colon = line { $line } `{ $text }` has no colon: a field line is `name: value`, and the header section ends with an empty line
http-no-version = the request-line ends after the request-target `{ $target }`: add ` HTTP/1.1` (method SP request-target SP HTTP-version)
http-no-status-line = there is no status-line: a response starts with one such as `HTTP/1.1 200 OK`

## Clients: sockspec serves HTTP, captures the request and answers.

http-client-not-connected = The client never connected to { $server }, where sockspec served HTTP. If it uses a fixed address sockspec did not find in its source, give it with --addr HOST:PORT.
http-client-no-request = The client connected but sent no request, and { $state }.
http-client-snapshot-differs = the request differs from the snapshot { $path }; the new one is { $new }
http-request-holds = request { $line }
http-request-violated = In the request it sent, { $problem }{ $more ->
    [0] {""}
   *[other] {" "}({ $more } more below)
}.
http-request-counterexample =
    { $request }
    { $problems }
http-request-host-port-mismatch = Host is `{ $host }` (port { $port }) but the request went to port { $wanted }: Host names the server's host and port as in the URL, e.g. `Host: 127.0.0.1:{ $wanted }`
http-request-host-name-mismatch = Host is `{ $host }`, but the client connected to `{ $name }` (port { $port }): Host names the host and port the client connects to, as in the URL, e.g. `Host: { $name }{ $port ->
    [80] {""}
   *[other] :{ $port }
}`
http-client-reads-response-holds = the whole { $size }-byte response, sent in { $segment }-byte segments, reached the client's output
http-client-reads-response-read-whole = the client read every segment of the { $size }-byte response ({ $segment }-byte segments) and finished; it did not print the response's last line as text (it keeps or shows the body otherwise)
http-client-reads-response-partial = The client showed only part of the { $size }-byte response: its last line `{ $marker }` never appeared in the output. { $lang ->
    [c] One read()/recv() returns whatever has arrived; call it in a loop until it returns 0 (the server closed) or until Content-Length bytes of body arrived.
    [node] One 'data' event brings whatever has arrived; collect the chunks until the 'end' event (the server closed), or use the http module, which does it for you.
    [java] One read() returns whatever has arrived; keep reading until it returns -1 (the server closed) or until Content-Length bytes of body arrived.
    [go] One Read() returns whatever has arrived; keep reading until io.EOF (io.ReadAll does it) or until Content-Length bytes of body arrived.
   *[other] One recv() returns whatever has arrived; keep reading until the server closes (recv returns b'') or until Content-Length bytes of body arrived.
}
http-client-reads-response-decoded-pieces = The client decoded each piece of the { $size }-byte response on its own: a piece cut inside a multi-byte UTF-8 character (the body has Chinese) cannot be decoded alone{ $replaced ->
    [0] {""}
   *[other] {" "}(its output has { $replaced } U+FFFD replacement characters)
}. { $lang ->
    [node] Collect the Buffers and decode once at the end (Buffer.concat(chunks).toString()), or call socket.setEncoding('utf8'), which keeps a cut character for the next chunk.
    [java] Collect the bytes (a ByteArrayOutputStream) and decode once at the end, or read through an InputStreamReader, which keeps a cut character for the next read.
   *[other] Join the bytes of every recv() (data += s.recv(1024)) and decode once, after the last one.
}
http-client-reads-response-counterexample = a { $size }-byte response in { $segment }-byte segments
http-client-close-holds = the client finished after the server closed ({ $state })
http-client-close-still-running = The client was still running { $waited } ms after the server sent its response and closed the connection. { $lang ->
    [c] When read()/recv() returns 0 the response is complete: stop reading, close() the socket and finish.
    [node] When the 'end' event comes the response is complete: end the socket and let the program finish.
    [java] When read() returns -1 the response is complete: stop reading, close the socket and finish.
   *[other] When recv() returns b'' the response is complete: stop reading, close the socket and finish.
}

## Servers: sockspec requests and validates each response.

http-response-no-response = GET / got no response within { $waited } ms, and { $state }.
http-response-holds = response { $line }
http-response-violated = In the response to GET /, { $problem }{ $more ->
    [0] {""}
   *[other] {" "}({ $more } more below)
}.{ $hint }
http-response-counterexample =
    request { $request }
    response { $response }
    { $problems }
http-response-not-found-holds = an unknown path got 404
http-response-not-found-wrong-status = An unknown path got status { $code }: a page that does not exist is `404 Not Found`.
http-response-not-found-no-status = An unknown path got { $response } instead of a 404 response.
http-server-segmented-request-blocked = GET / sent whole got no response, so there is nothing to compare (see http.response.status-line)
http-server-segmented-request-holds = the request in { $piece }-byte writes got the same response as sent whole
http-server-segmented-request-differs = GET / sent in { $piece }-byte writes got { $cut } instead of { $whole } (its response sent whole). { $lang ->
    [c] One read()/recv() may return part of the request: call it in a loop, appending to a buffer, until strstr(buf, "\r\n\r\n") finds the end of the header section.
    [node] One 'data' event may bring part of the request: append the chunks until '\r\n\r\n' arrives, or use the http module, which parses requests for you.
   *[other] One recv() may return part of the request: keep reading until the header section ends with \r\n\r\n.
}
http-server-segmented-request-counterexample = { $request } in { $piece }-byte writes
http-server-bad-request-answered-status = status { $code }
http-server-bad-request-answered-close = a close
http-server-bad-request-wrong-status = A malformed request got status { $code }: answer 400 Bad Request.
http-server-bad-request-no-answer = A malformed request got { $response } and the connection stayed open; answer 400 Bad Request or close the connection.
http-server-bad-request-holds = the malformed request got { $answered }, and the next one an answer
http-server-bad-request-stopped = After a malformed request (answered with { $answered }), the next request got no response, and { $state }. A bad request must not stop the server: answer 400, close that connection, and go on.
http-server-bad-request-counterexample = { $malformed } then { $request }
http-server-keep-alive-closes = The server closes after each response{ $how ->
    [http10] {" "}(an HTTP/1.0 response)
    [says] {" "}and says so (Connection: close)
   *[silent] {" "}without saying Connection: close
}.
http-server-keep-alive-answered = A second request on the same connection is answered (keep-alive).
http-server-keep-alive-unanswered = A second request on the same connection got no answer, though the first response did not say Connection: close.

## Hints that speak the program's language, appended to a response diagnosis.

http-hint-none = {""}
http-hint-crlf = {" "}{ $lang ->
    [c] Write `\r\n`, not `\n`, at the end of every line of the head, e.g. sprintf(buf, "HTTP/1.1 200 OK\r\nContent-Length: %zu\r\n\r\n", len).
    [node] With the net module you write the head yourself: end each line with '\r\n', e.g. socket.write('HTTP/1.1 200 OK\r\n' + 'Content-Length: ' + Buffer.byteLength(body) + '\r\n\r\n'); the http module writes it for you.
   *[other] End every line of the head with '\r\n', not '\n', e.g. 'HTTP/1.1 200 OK\r\n'.
}
http-hint-length-bytes = {" "}{ $lang ->
    [c] In C, strlen() of the UTF-8 body already counts bytes: send Content-Length: strlen(body) and write exactly that many bytes.
    [node] In Node, body.length counts UTF-16 units, not bytes: use Buffer.byteLength(body).
   *[other] {""}
}

## The next connection (http.server.next-client).

http-server-next-client-blocked = GET / got no response, so there is no first request to follow (see http.response.status-line)
http-server-next-client-holds = after one connection's response, a new connection got a response from the same server
http-server-next-client-unserved = The first connection got { $line }, but a new connection to the same server then { $how ->
    [closed] was refused or closed without a response
    [silent] got no response within { $waited } ms
   *[other] got { $got }, no status-line
}, and { $state }: the server served one request and stopped. { $lang ->
    [c] Put accept() and the request handling in a loop (for (;;): connfd = accept(...), answer, close(connfd)), closing only the connected socket, not the listening one.
    [node] Keep the server listening: do not call server.close() or process.exit() after the first response.
    [java] Put accept() and the request handling in a loop, closing only the accepted socket, not the ServerSocket.
   *[other] Put accept() and the request handling in a `while True:` loop, closing only the connection socket (c.close()), not the listening one.
}
http-server-next-client-counterexample = GET / on one connection, then GET / on a new connection to the same server
http-server-bad-request-blocked = the server stops after any request, good or bad, so whether a bad request stops it cannot be told (see http.server.next-client)
