# tcp messages (zh). One message per diagnosis; hints select on $lang (python, c, node, …).

## 诊断共用的短语。

tcp-ending-open = 连接仍然开着
tcp-ending-eof = 服务器关闭了连接（EOF）
tcp-ending-reset = 连接被重置了（RST）
tcp-cutting-whole = 一次性全部写出
tcp-cutting-per-message = 每条消息写一次
tcp-cutting-bytes = 每次只写一个字节
tcp-cutting-at = 在字节偏移 { $offsets } 处切开分几次写出
tcp-in-one-write = 一次写出：{ $payload }
tcp-connect-failed = connect() 连接 { $addr } 上的服务器失败（{ $error }），而且{ $state }。
tcp-baseline-unanswered = 一条普通消息 { $sent }{ $received ->
    [0] 没有收到任何回复
   *[other] 只收到了 { $reply }
}（{ $ending }），因此无法判断这一项{ $check ->
    [none] {""}
   *[other] （见 { $check }）
}

## tcp.server.*

tcp-server-plain-message-unanswered = 一条普通消息 { $sent }在 { $limit } 毫秒内{ $received ->
    [0] 没有收到任何回复
   *[other] 只收到了 { $reply }
}（{ $ending }），而且{ $state }。按照这个约定，每条消息都要有回复：{ $lang ->
        [c] read() 之后，要在同一个连接（connfd）上用 write() 把回复发回去。
        [node] 在 socket 的 'data' 事件处理函数里用 socket.write() 把回复发回去。
       *[other] recv() 之后，要在同一个连接上把回复发回去（conn.sendall(...)）。
    }

tcp-server-accepts-remote = 连接已经建立（被测程序在远端，无法观察它是否调用了 accept()）
tcp-server-accepts-holds = { $ms } 毫秒后连接被 accept()
tcp-server-accepts-not-accepted = 内核已经完成了三次握手，但程序在 { $limit } 毫秒内没有 accept() 这个连接，而且{ $state }。listen() 之后要在循环里调用 accept()。

tcp-server-stream-integrity-needs-echo = 需要 echo 约定，才知道应该收到什么回复
tcp-server-stream-integrity-differs = { $size } 字节按“{ $cutting }”的方式发出后，收回了 { $received } 字节，只有前 { $same } 字节一致（{ $ending }）。在 echo 约定下，每个字节都必须原样、按顺序送回：{ $lang ->
        [c] read() 返回了 n 个字节，就把这 n 个字节原样 write() 回去，循环写到全部写完。
        [node] 每个 'data' 事件给的 Buffer 原样 socket.write() 回去，不要转换。
       *[other] recv() 收到什么就用 sendall() 发回什么。
    }
tcp-server-stream-integrity-written-as = { $payload }，按“{ $cutting }”的方式发出
tcp-server-stream-integrity-large = 一段 { $size } 字节的数据只收回了 { $received } 字节，只有前 { $same } 字节一致（{ $ending }）。{ $lang ->
        [c] write()/send() 可能只写出缓冲区的一部分，并返回写出的字节数：循环写到全部写完。
        [node] 每个 'data' 数据块都要写回去，写完之前不要结束 socket。
       *[other] send() 可能只发出一部分数据，并返回实际发出的字节数：请用 sendall()，或者循环发送直到全部发完。
    }
tcp-server-stream-integrity-large-input = { $size } 字节带编号的 ASCII 文本行，一次写出
tcp-server-stream-integrity-holds = { $cases } 段数据和一段 { $size } 字节的数据都原样收回

tcp-server-segmentation-holds = { $cases } 个字节流无论怎样切分发送，收到的回复都相同
tcp-server-segmentation-ended = 把 { $count } 条消息逐条发送时，发完 { $message } 之后{ $ending }。
tcp-server-segmentation-stopped-reading = 服务器不再读取数据了：按“{ $cutting }”的方式发出 { $sent } 后，过了 { $patience } 毫秒仍有字节没有被读走。
tcp-server-segmentation-line-count = { $count } 条消息按“{ $cutting }”的方式发出，收到 { $got_lines } 行回复；逐条发送时收到的是 { $expected_lines } 行
tcp-server-segmentation-other-replies = { $count } 条消息按“{ $cutting }”的方式发出，收到的回复与逐条发送时不同
tcp-server-segmentation-differs = { $summary }：收到 { $got }，而不是 { $expected }（{ $ending }）。服务器是每次 recv() 回复一次，而不是每条消息回复一次：一次 recv() 可能收到好几条消息（粘包），也可能只收到半条。请用一个缓冲区把收到的数据攒起来，每凑齐一条完整的消息就回复一条。

tcp-server-coalesced-needs-contract = 需要 echo 或 lines 约定，才知道一条消息是什么（any 约定由 tcp.server.segmentation-invariant 检查）
tcp-server-coalesced-holds = 两条连在一起发送的消息都收到了回复
tcp-server-coalesced-connection-ended = 一条消息之后服务器就结束了连接（{ $ending }）：它每个连接只读一次（由 tcp.server.segmentation-invariant 判定）
tcp-server-coalesced-lost = 两条消息连在一起发送，收到 { $joined }（{ $joined_lines } 行回复，{ $ending }）；逐条发送时收到的是 { $expected }（{ $expected_lines } 行回复）。TCP 是字节流：一次 recv() 可能同时收到两条消息（粘包）。请用一个缓冲区攒数据，对其中每条完整的消息分别回复，而不是每次 recv() 回复一次。

tcp-server-eof-closes-holds = 客户端关闭后 { $ms } 毫秒，服务器也关闭了连接
tcp-server-eof-closes-reset = 客户端关闭连接后，服务器没有正常关闭，而是重置了连接（RST），而且{ $state }。{ $lang ->
        [c] read()/recv() 返回 0 时，用 close(connfd) 关闭这个连接。
        [node] 在 'end' 事件里用 socket.end() 结束连接（或者不要打开 allowHalfOpen）。
       *[other] recv() 返回空字节串 b'' 时，用 conn.close() 关闭这个连接。
    }
tcp-server-eof-closes-open = 客户端关闭连接后，服务器在 { $limit } 毫秒内一直没有关闭连接，而且{ $state }。{ $lang ->
        [c] read()/recv() 返回 0 说明客户端已经走了：跳出循环，close(connfd)，再 accept() 下一个客户端。
        [node] 收到 socket 的 'end' 事件说明客户端已经走了：调用 socket.end()。
       *[other] recv() 返回 b'' 说明客户端已经走了：跳出循环，conn.close()，再 accept() 下一个客户端。
    }

tcp-server-eof-no-spin-not-external = 只有外部程序才能测量 CPU 时间
tcp-server-eof-no-spin-no-cpu-time = 无法读取被测程序的 CPU 时间
tcp-server-eof-no-spin-spins = 客户端关闭连接后，程序在 { $window } 毫秒内占用了 { $cpu } 毫秒 CPU：{ $lang ->
        [c] read()/recv() 一次又一次立即返回 0，循环在空转。返回 0 说明客户端已经走了：应该 break，再 close()。
        [node] 程序在一个已关闭的连接上空转。请处理 'end' 和 'close' 事件，而不是轮询。
       *[other] recv() 一次又一次立即返回 b''，循环在空转（`if not data: continue`）。收到 b'' 说明客户端已经走了：应该 break。
    }
tcp-server-eof-answers-in-loop = sockspec 结束发送之后，服务器在 { $window } 毫秒内发来 { $bytes } 字节，而且还在继续：它{ $lang ->
        [c] 在循环里回复 read() 返回的 0
        [node] 在 'end' 事件之后还在循环写
       *[other] 在循环里回复 b''
    }（由 tcp.server.eof-no-spin 判定）
tcp-server-eof-spins-meanwhile = 服务器在循环里空转（{ $window } 毫秒内占用 { $cpu } 毫秒 CPU）{ $lang ->
        [c] ：read() 一直返回 0
        [node] {""}
       *[other] ：recv() 一直返回 b''
    }（由 tcp.server.eof-no-spin 判定）
tcp-server-eof-no-spin-answers-in-loop = 客户端 shutdown(SHUT_WR) 之后，服务器在 { $window } 毫秒内发来 { $bytes } 字节，而且还在继续发：它{ $lang ->
        [c] 在循环里回复 read() 返回的 0。客户端发完之后 read()/recv() 返回 0，之后每次调用都返回 0：返回 0 时停止读取，close(connfd)。
        [node] 在 'end' 事件之后还在循环写。收到 'end' 说明客户端已经发完了：socket.end()。
       *[other] 在循环里回复 b''（像 `if data == "##"` 这样的判断永远等不到结束：客户端发完之后 recv() 返回 b''，之后每次调用都返回 b''）。收到 b'' 时 break，再 conn.close()。
    }
tcp-server-eof-no-spin-ended = 客户端离开后，{ $state }：无法测量它是否空转（由 tcp.server.next-client 判定）
tcp-server-eof-no-spin-holds = 客户端关闭后的 { $window } 毫秒内占用了 { $cpu } 毫秒 CPU

tcp-server-next-client-holds = 下一个客户端收到了 { $reply }
tcp-server-next-client-accepted = 正在运行的服务器接受了下一个客户端（any 约定下不要求回复）
tcp-server-next-client-refused = { $after ->
    [reset] 一个客户端重置连接（RST）之后
   *[left] 第一个客户端离开之后
}，下一个客户端无法连接（{ $error }），而且{ $state }。监听套接字要一直开着，并回到循环开头继续 accept()。
tcp-server-next-client-unanswered = { $after ->
    [reset] 一个客户端重置连接（RST）之后
   *[left] 第一个客户端离开之后
}，下一个客户端连上了，却收不到回复（{ $ending }），而且{ $state }。服务器必须关闭已经结束的连接，再回到循环开头 accept()。

tcp-server-half-close-holds = 客户端 shutdown(SHUT_WR) 之后，回复仍然送到了
tcp-server-half-close-lost = 客户端发完一条消息后立即 shutdown(SHUT_WR)，收到的是 { $reply }，而不是应有的回复 { $usual }（{ $ending }）。关闭之前先回复已经收到的数据：{ $lang ->
        [c] read() 返回 0 只表示客户端不会再发送了（回复之前不要先去偷看它）。
        [node] 'end' 事件只表示客户端不会再发送了：先写回复，再 socket.end()。
       *[other] b'' 只表示客户端不会再发送了。
    }
tcp-server-half-close-input = 先发 { $payload }，再 shutdown(SHUT_WR)

tcp-server-reset-survives-lost = { $diagnosis } { $lang ->
        [c] read()/recv() 返回 -1 且 errno 为 ECONNRESET 只表示这个客户端断开了：close(connfd) 后继续；并忽略 SIGPIPE（signal(SIGPIPE, SIG_IGN)）或用 MSG_NOSIGNAL 发送，免得向已重置的连接写数据时服务器被杀死。
        [node] 给每个 socket 加上 'error' 事件处理函数（socket.on('error', ...)）：没有它，一个 ECONNRESET 就会让整个进程退出。
       *[other] 请在 recv() 和 send() 外面捕获 ConnectionResetError：客户端随时可能突然断开。
    }

tcp-server-rebind-no-time-wait = 端口 { $port } 的连接在服务器一侧没有进入 TIME_WAIT 状态（服务器从未主动关闭过连接），因此无法测试在 TIME_WAIT 期间重启
tcp-server-rebind-holds = 立即在 { $addr } 上重启成功
tcp-server-rebind-other-port = 服务器被杀死后立即重启，却监听在 { $addr } 上，而不是端口 { $port }：只知道端口 { $port } 的客户端连不上它。{ $lang ->
        [c] bind() 失败了（端口上还有处于 TIME_WAIT 状态的连接），而程序没有检查它的返回值，于是 listen() 用了一个随机端口。请检查 bind() 的返回值，并在 bind() 之前调用 setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on)。
        [node] listen() 没有拿到它要的端口。请在固定端口上监听，并处理 'error' 事件（EADDRINUSE）。
       *[other] bind() 没有拿到这个端口（端口上还有处于 TIME_WAIT 状态的连接）。请在 bind() 之前设置 setsockopt(SOL_SOCKET, SO_REUSEADDR, 1)，bind() 失败时不要继续。
    }
tcp-server-rebind-fails = 服务器被杀死后立即重启，却没能启动起来（{ $state }）：它的端口上还有处于 TIME_WAIT 状态的连接，所以 bind() 报错 'Address already in use'。{ $lang ->
        [c] 请在 bind() 之前调用 setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on)。
        [node] Node 的 server.listen() 自己会设置 SO_REUSEADDR：请确认端口空闲，并处理 'error' 事件（EADDRINUSE）。
       *[other] 请在 bind() 之前设置 setsockopt(SOL_SOCKET, SO_REUSEADDR, 1)。
    }

tcp-server-bad-bytes-holds = 收到 { $poison }之后，服务器仍然正常回复
tcp-server-bad-bytes-closed-holds = 收到 { $poison }之后它关闭了那个连接，但仍然为下一个客户端服务
tcp-server-bad-bytes-one-shot = 那一个客户端离开后，{ $state }：它只服务一个客户端（由 tcp.server.next-client 判定）
tcp-server-bad-bytes-lost = 收到不是 UTF-8 的字节之后，下一条消息收到的是 { $reply }（{ $ending }），而且{ $state }。网络上传的是字节：{ $lang ->
        [c] 把缓冲区当作字节处理（不要用遇到非法输入就停下的字符串函数），并忽略 SIGPIPE（signal(SIGPIPE, SIG_IGN)）或用 MSG_NOSIGNAL 发送。
        [node] 按 Buffer 读取，并给 socket 加上 'error' 事件处理函数，免得一个客户端就让整个进程退出。
       *[other] 请用 data.decode('utf-8', 'replace') 解码，或者捕获 UnicodeDecodeError。
    }

tcp-server-concurrent-sequential = 一个客户端保持连接时，第二个客户端只能等待：服务器一次只服务一个客户端。
tcp-server-concurrent-concurrent = 第一个客户端保持连接时，第二个客户端也得到了服务：服务器可以同时服务多个客户端。

## tcp.client.*

tcp-client-never-connected = 客户端一直没有连接 sockspec 提供服务的 { $addr }，而且{ $state }。客户端必须 connect() 它的服务器；如果服务器地址是写死的、sockspec 没能在源代码里找到，请用 --addr HOST:PORT 指定。
tcp-client-instance-gone = 客户端进程已经不存在了

tcp-client-sends-input-holds = { $lines } 行输入以 { $size } 字节的形式送到了
tcp-client-never-reads = 客户端从不读取输入（写入它标准输入的字节全都没被读走，或者还没写入就结束了）：按它自己发送的数据评判，共 { $size } 字节（{ $sent }）
tcp-client-sends-input-quit = 前 { $lines } 行输入以 { $size } 字节送达；客户端读到 { $quit } 后退出（状态 0），这一行是它的退出命令
tcp-client-sends-input-differs = 客户端发送的是 { $sent }，但根据它的输入应该发送 { $want }（{ $what ->
    [lines] 每行输入后面跟一个换行符
   *[bytes] 输入各行的字节
}），而且{ $state }。

tcp-client-segmentation-holds = 回复被切成几段发送时，客户端的输出不变
tcp-client-segmentation-differs = 每条回复切成 3 段发送时，客户端打印的是 { $cut }，而不是 { $whole }。{ $lang ->
        [c] read() 返回的是当时已经到达的那部分回复：要一直读进缓冲区，直到回复完整（读到换行符，或者读够长度）再打印。
        [node] 每个 'data' 事件给的是当时已经到达的那部分回复：要把各个 Buffer 收集起来（Buffer.concat），等回复完整了再一次解码、打印。
       *[other] recv() 返回的是当时已经到达的那部分回复，一段数据还可能在一个汉字的中间断开：要一直读到回复完整（读到换行符，或者读够长度），再解码、打印。
    }
tcp-client-segmentation-second-run-offline = 整条回复的那次运行中客户端连上了，但回复被切成几段的那次运行中它没有连上，所以两次无法比较；请再运行一次。
tcp-client-segmentation-input = 每条回复分 3 段写出，每段都等客户端读走上一段后再写

tcp-client-eof-exits-traceback = 服务器关闭连接时，客户端带着报错（Traceback，见下方）结束了（{ $state }）。{ $lang ->
        [c] read()/recv() 返回 0 说明服务器已经关闭：提示一下然后停止，不要再使用已关闭的连接。
        [node] 收到 socket 的 'end' 或 'close' 事件说明服务器已经关闭：提示一下，然后停止写入。
       *[other] recv() 返回 b'' 说明服务器已经关闭：提示一下然后停止，不要再使用已关闭的连接。
    }
tcp-client-eof-exits-killed = 服务器关闭连接后，客户端结束了：{ $state }。{ $lang ->
        [c] { $sigpipe ->
            [yes] 它还在往已关闭的连接上写，send() 触发了 SIGPIPE，进程因此被杀死。read()/recv() 返回 0 说明服务器已经关闭：提示一下，跳出循环（break），再 close()。
           *[other] read()/recv() 返回 0 说明服务器已经关闭（返回 -1 是出错）：提示一下，跳出循环（break），再 close()，而且只使用调用实际返回的那些字节。
        }
        [node] 收到 socket 的 'end' 或 'close' 事件说明服务器已经关闭：提示一下，然后停止写入。
       *[other] recv() 返回 b'' 说明服务器已经关闭：提示一下然后停止，不要再使用已关闭的连接。
    }
tcp-client-eof-exits-holds = 服务器关闭连接后，客户端结束了（{ $state }）
tcp-client-eof-exits-spins = 服务器关闭连接后，客户端仍在运行，并在 { $window } 毫秒内占用了 { $cpu } 毫秒 CPU：{ $lang ->
        [c] read()/recv() 一次又一次返回 0，循环在空转。返回 0 就停止读取（break），再 close()。
        [node] 程序在循环里空转，而不是等待事件：收到 'end'/'close' 就停止。
       *[other] recv() 一次又一次返回 b''，循环在空转。收到 b'' 就停止读取（break）。
    }
tcp-client-eof-exits-idle = 客户端停止了读取，处于空闲状态
tcp-client-eof-exits-no-cpu-time = 客户端没有退出，而且无法测量它的 CPU 时间

tcp-client-refused-no-sandbox = 不在沙箱中运行时，{ $addr } 可能属于本机上的其他程序
tcp-client-refused-silent = 没有服务器在监听时，客户端一声不响地结束了（{ $state }）。{ $lang ->
        [c] 请检查 connect() 的返回值，并打印出错原因（perror("connect")）。
        [node] 请处理 socket 的 'error' 事件（ECONNREFUSED），并打印出错原因。
       *[other] 请捕获 ConnectionRefusedError，并打印出错原因。
    }
tcp-client-refused-holds = 客户端报告了连接被拒绝，然后结束了（{ $state }）
tcp-client-refused-hangs = { $addr } 上没有服务器在监听，{ $waited } 毫秒后客户端仍在运行：它卡住了（例如不停地重试 connect()）。{ $lang ->
        [c] connect() 返回 -1 时，打印错误（perror）后退出。
        [node] 请处理 socket 的 'error' 事件（ECONNREFUSED）：打印错误信息后退出。
       *[other] 请捕获 ConnectionRefusedError，打印错误信息后退出。
    }
tcp-greeting-set-aside = 服务器在连接建立后、收到任何请求之前发来了 { $greeting }：当作欢迎语放在一边，不算作回复
