# http messages (zh). One message per diagnosis; hints select on $lang (python, c, node, …).
# 校验器（sockspec-wire）用英文句子说明每条被违反的规则，并给出 RFC 章节：
# 它作为 $text 原样引用在 http-validator-says 中。

## 请求规则和响应规则共用。

http-validator-says = “{ $text }”
http-problem-line =
    {"  "}字节偏移 { $offset } 处：{ $problem }（{ $section }）
    { $rest }
http-problem-last = {"  "}字节偏移 { $offset } 处：{ $problem }（{ $section }）
http-problems-left = {"  "}……还有 { $left } 处
http-problems-none = {"  "}（无）

## 校验器能说出类型的违规（sockspec-wire 的 http::Kind）；其余的由
## http-validator-says 引用英文原文。

http-bare-lf = 第 { $line } 行只以 LF 结尾：HTTP 报文的每一行都必须以 CRLF（\r\n）结尾
http-bare-cr = 第 { $line } 行中有一个单独的 CR（\r 后面没有 \n）：CR 只能作为行尾 CRLF 的一部分出现
http-stops-mid-line = 报文在第 { $line } 行中间就结束了：每一行都要以 CRLF（\r\n）结尾，头部最后还要有一个空行
http-head-not-closed = 头部没有以空行结束：最后一个字段行之后还要再发送一个 CRLF，让头部以 \r\n\r\n 结尾
http-no-host = 没有 Host 字段：HTTP/1.1 请求必须说明它发给哪个服务器，例如 `Host: 127.0.0.1:8888`
http-second-host = 出现了第二个 Host 字段：只能发送一个
http-space-before-colon = 第 { $line } 行的字段名 `{ $name }` 和冒号之间有空白：写成 `{ $name }:`，中间不要有任何字符
http-space-in-target = 请求目标 `{ $target }` 中有 { $spaces } 个空格：每个空格都要百分号编码成 %20（空格会被当作请求目标的结束）
http-method-case = 方法 `{ $method }` 不是 `{ $meant }`：方法名区分大小写
http-version-case = HTTP 版本 `{ $version }` 不是 `{ $meant }`：HTTP 版本区分大小写
http-version-no-slash = HTTP 版本 `{ $version }` 在 HTTP 后面少了 `/`：应写成 `HTTP/1.1`
http-no-reason-phrase = 状态行在状态码之后就结束了：要再加一个空格和原因短语，例如 `HTTP/1.1 { $status } OK`
http-body-without-length = 头部之后还有 { $extra } 字节，但没有 Content-Length（或 Transfer-Encoding: chunked）的请求是没有请求体的：请发送 `Content-Length: { $extra }`
http-length-counts-characters = Content-Length 是 { $length }，这是字符数，而消息体按 UTF-8 编码有 { $bytes } 字节：Content-Length 计算的是字节数（len(body.encode())），一个中文字符在 UTF-8 中通常占 3 个字节
http-length-differs = Content-Length 是 { $length }，但消息体有 { $bytes } 字节：Content-Length 必须等于消息体的字节数
http-no-length-kept-open = 响应既没有 Content-Length 也没有 Transfer-Encoding，这样响应体只能靠关闭连接来结束，可服务器却让连接一直开着：请发送 `Content-Length: { $bytes }`，或者发完响应体后关闭连接
http-non-ascii-target = 请求目标中有 { $bytes } 个非 ASCII 字节：要把 UTF-8 字节百分号编码，例如 世 写成 %E4%B8%96（可以用 urllib.parse.quote）
http-no-colon = 第 { $line } 行 `{ $text }` 没有冒号：字段行的格式是 `name: value`，而头部以一个空行结束
http-no-version = 请求行在请求目标 `{ $target }` 之后就结束了：要加上 ` HTTP/1.1`（方法 SP 请求目标 SP HTTP 版本）
http-no-status-line = 没有状态行：响应必须以状态行开头，例如 `HTTP/1.1 200 OK`

## 客户端：sockspec 提供 HTTP 服务，记下请求并回应。

http-client-not-connected = 客户端始终没有连接到 { $server }，sockspec 在这个地址上提供 HTTP 服务。如果客户端连接的是写死在代码里、而 sockspec 没能从源代码中找到的地址，请用 --addr HOST:PORT 告诉 sockspec。
http-client-no-request = 客户端连接上了，却没有发送任何请求；{ $state }。
http-client-snapshot-differs = 这次的请求与快照 { $path } 不同；新的请求保存在 { $new }
http-request-holds = 请求 { $line }
http-request-violated = 客户端发出的请求不符合规范：{ $problem }{ $more ->
    [0] {""}
   *[other] （下面还列出另外 { $more } 处）
}。
http-request-counterexample =
    { $request }
    { $problems }
http-request-host-port-mismatch = Host 是 `{ $host }`（端口 { $port }），但请求实际发往端口 { $wanted }：Host 要写服务器的主机和端口，与 URL 中的一致，例如 `Host: 127.0.0.1:{ $wanted }`
http-request-host-name-mismatch = Host 是 `{ $host }`，但客户端连接的是 `{ $name }`（端口 { $port }）：Host 要写客户端所连接的主机和端口，与 URL 中的一致，例如 `Host: { $name }{ $port ->
    [80] {""}
   *[other] :{ $port }
}`
http-client-reads-response-holds = 完整的 { $size } 字节响应（按每段 { $segment } 字节发送）出现在了客户端的输出中
http-client-reads-response-read-whole = 客户端读完了 { $size } 字节响应的每一段（每段 { $segment } 字节）并正常结束；它没有把响应的最后一行作为文本打印出来（响应体另作保存或以别的形式显示）
http-client-reads-response-partial = 客户端只显示了 { $size } 字节响应的一部分：最后一行 `{ $marker }` 没有出现在输出里。{ $lang ->
    [c] 一次 read()/recv() 只返回当时已经到达的数据（TCP 是字节流，没有消息边界）；要循环调用，直到它返回 0（服务器关闭了连接），或者读够 Content-Length 字节的响应体。
    [node] 一次 'data' 事件只带来当时已经到达的数据；要把各块收集起来，直到 'end' 事件（服务器关闭了连接），或者改用 http 模块，它会替你做这件事。
    [java] 一次 read() 只返回当时已经到达的数据；要循环读取，直到它返回 -1（服务器关闭了连接），或者读够 Content-Length 字节的响应体。
    [go] 一次 Read() 只返回当时已经到达的数据；要一直读到 io.EOF（io.ReadAll 会这样做），或者读够 Content-Length 字节的响应体。
   *[other] 一次 recv() 只返回当时已经到达的数据（TCP 是字节流，没有消息边界）；要循环读取，直到服务器关闭连接（recv 返回空字节串 b''），或者读够 Content-Length 字节的响应体。
}
http-client-reads-response-decoded-pieces = 客户端把 { $size } 字节响应的每一段分别解码：响应体里有中文，一段数据可能切在一个多字节 UTF-8 字符的中间，单独解码就会出错{ $replaced ->
    [0] {""}
   *[other] （输出里有 { $replaced } 个 U+FFFD 替换字符）
}。{ $lang ->
    [node] 把各个 Buffer 收集起来，最后一次性解码（Buffer.concat(chunks).toString()），或者调用 socket.setEncoding('utf8')，它会把被切开的字符留到下一块。
    [java] 把字节收集起来（ByteArrayOutputStream），最后一次性解码，或者通过 InputStreamReader 读取，它会把被切开的字符留到下一次读取。
   *[other] 把每次 recv() 收到的字节拼接起来（data += s.recv(1024)），全部收完后再一次性 decode()。
}
http-client-reads-response-counterexample = 一个 { $size } 字节的响应，每段 { $segment } 字节
http-client-close-holds = 服务器关闭连接后，客户端结束了（{ $state }）
http-client-close-still-running = 服务器发完响应并关闭连接 { $waited } 毫秒后，客户端仍在运行。{ $lang ->
    [c] read()/recv() 返回 0 就说明响应已经完整：停止读取，close() 套接字，然后结束程序。
    [node] 收到 'end' 事件就说明响应已经完整：结束套接字，让程序退出。
    [java] read() 返回 -1 就说明响应已经完整：停止读取，关闭套接字，然后结束程序。
   *[other] recv() 返回空字节串 b'' 就说明响应已经完整：停止读取，关闭套接字，然后结束程序。
}

## 服务器：sockspec 发送请求，并校验每个响应。

http-response-no-response = GET / 在 { $waited } 毫秒内没有得到响应；{ $state }。
http-response-holds = 响应 { $line }
http-response-violated = 服务器对 GET / 的响应不符合规范：{ $problem }{ $more ->
    [0] {""}
   *[other] （下面还列出另外 { $more } 处）
}。{ $hint }
http-response-counterexample =
    请求 { $request }
    响应 { $response }
    { $problems }
http-response-not-found-holds = 不存在的路径得到了 404
http-response-not-found-wrong-status = 请求一个不存在的路径，得到的状态码是 { $code }：页面不存在时应回答 `404 Not Found`。
http-response-not-found-no-status = 请求一个不存在的路径，得到的是 { $response }，而不是 404 响应。
http-server-segmented-request-blocked = 整块发送的 GET / 没有得到响应，因此无从比较（见 http.response.status-line）
http-server-segmented-request-holds = 按每次 { $piece } 字节写出的请求，得到了与整块发送时相同的响应
http-server-segmented-request-differs = 按每次 { $piece } 字节发送的 GET / 得到的是 { $cut }，而整块发送时得到的是 { $whole }。{ $lang ->
    [c] 一次 read()/recv() 可能只收到请求的一部分（粘包/拆包）：要循环读取、追加到缓冲区，直到 strstr(buf, "\r\n\r\n") 找到头部的结尾。
    [node] 一次 'data' 事件可能只带来请求的一部分：要把各块拼接起来，直到收到 '\r\n\r\n'，或者改用 http 模块，它会替你解析请求。
   *[other] 一次 recv() 可能只收到请求的一部分（粘包/拆包）：要一直读，直到头部以 \r\n\r\n 结束。
}
http-server-segmented-request-counterexample = { $request }，每次写 { $piece } 字节
http-server-bad-request-answered-status = 状态码 { $code }
http-server-bad-request-answered-close = 关闭连接
http-server-bad-request-wrong-status = 格式错误的请求得到的状态码是 { $code }：应回答 400 Bad Request。
http-server-bad-request-no-answer = 格式错误的请求得到的是 { $response }，并且连接一直没有关闭；应回答 400 Bad Request，或者关闭连接。
http-server-bad-request-holds = 格式错误的请求得到了{ $answered }，之后的请求也得到了回答
http-server-bad-request-stopped = 格式错误的请求（服务器以{ $answered }回应）之后，下一个请求没有得到响应；{ $state }。一个坏请求不能让服务器停下来：回答 400，关闭那个连接，然后继续服务。
http-server-bad-request-counterexample = { $malformed }，然后 { $request }
http-server-keep-alive-closes = 服务器在每个响应之后关闭连接{ $how ->
    [http10] （这是 HTTP/1.0 响应）
    [says] ，并且明确说明了（Connection: close）
   *[silent] ，但没有发送 Connection: close
}。
http-server-keep-alive-answered = 同一连接上的第二个请求得到了回答（keep-alive，持久连接）。
http-server-keep-alive-unanswered = 同一连接上的第二个请求没有得到回答，而第一个响应并没有说明 Connection: close。

## 用程序所用语言给出的提示，附在响应的诊断后面。

http-hint-none = {""}
http-hint-crlf = { $lang ->
    [c] 头部每一行的结尾要写 `\r\n`，不是 `\n`，例如 sprintf(buf, "HTTP/1.1 200 OK\r\nContent-Length: %zu\r\n\r\n", len)。
    [node] 用 net 模块时头部要自己写：每一行以 '\r\n' 结尾，例如 socket.write('HTTP/1.1 200 OK\r\n' + 'Content-Length: ' + Buffer.byteLength(body) + '\r\n\r\n')；用 http 模块则由它替你写。
   *[other] 头部每一行都要以 '\r\n' 结尾，不是 '\n'，例如 'HTTP/1.1 200 OK\r\n'。
}
http-hint-length-bytes = { $lang ->
    [c] 在 C 里，UTF-8 响应体的 strlen() 就是字节数：发送 Content-Length: strlen(body)，并且恰好写出这么多字节。
    [node] 在 Node 里，body.length 数的是 UTF-16 码元，不是字节：要用 Buffer.byteLength(body)。
   *[other] {""}
}

## 下一个连接（http.server.next-client）。

http-server-next-client-blocked = GET / 没有得到响应，所以谈不上“下一个”请求（见 http.response.status-line）
http-server-next-client-holds = 一个连接得到响应之后，同一个服务器又回答了新的连接
http-server-next-client-unserved = 第一个连接得到了 { $line }，但之后到同一个服务器的新连接{ $how ->
    [closed] 被拒绝，或者没有响应就被关闭了
    [silent] 在 { $waited } 毫秒内没有得到响应
   *[other] 得到的是 { $got }，没有状态行
}；{ $state }：服务器只处理了一个请求就不再服务了。{ $lang ->
    [c] 把 accept() 和处理请求的代码放进循环（for (;;)：connfd = accept(...)，回答，close(connfd)），每次只关闭已连接的套接字，不要关闭监听套接字。
    [node] 让服务器一直监听：第一个响应之后不要调用 server.close() 或 process.exit()。
    [java] 把 accept() 和处理请求的代码放进循环，每次只关闭 accept 得到的套接字，不要关闭 ServerSocket。
   *[other] 把 accept() 和处理请求的代码放进 `while True:` 循环，每次只关闭连接套接字（c.close()），不要关闭监听套接字。
}
http-server-next-client-counterexample = 在一个连接上 GET /，然后在到同一个服务器的新连接上再 GET /
http-server-bad-request-blocked = 服务器不论请求好坏，处理一个请求后就停止了，所以无法判断坏请求是否会让它停下来（见 http.server.next-client）
