# udp messages (zh). One message per diagnosis; hints select on $lang (python, c, node, …).

## udp.server.reply

udp-server-no-reply = 发送方（{ $me }）在 { $waited } 毫秒内没有收到回复，而且{ $state }。{ $lang ->
    [c] UDP 服务器必须用 sendto(fd, reply, len, 0, (struct sockaddr *)&client, clientlen) 回复，其中 client 是 recvfrom() 填好的地址，并检查两个调用的返回值。
    [node] UDP 服务器必须在 'message' 事件处理函数里用 server.send(reply, rinfo.port, rinfo.address) 回复。
   *[other] UDP 服务器必须用 sendto(reply, addr) 回复，其中 addr 就是 recvfrom() 随数据报一起返回的地址。
}
udp-server-not-echoed = 在 echo 约定下，回复必须就是收到的数据报本身，但发送 { $sent }后收到的却是 { $reply }。{ $truncated ->
    [yes] 只回来了前 { $kept } 个字节：传给 recvfrom() 的缓冲区太小了。
   *[no] {""}
}
udp-server-replied = 回复了 { $len } 字节，用时 { $ms } 毫秒
udp-server-replied-truncated = 回复了 { $len } 字节，用时 { $ms } 毫秒：{ $sent } 字节的数据报被截断成 { $len } 字节（传给 recvfrom() 的缓冲区太小；由 udp.server.max-size 报告）

## udp.server.boundaries

udp-server-boundaries-held = { $cases } 组数据报序列中，每个数据报都各自得到了一个回复
udp-server-quit-on-datagram = 连续发送 { $sent } 个数据报，只收到 { $replies } 个回复，随后{ $state }：服务器把某个数据报当成了结束信号，退出了（见它的输出）。UDP 服务器应当一直服务，直到被停止。
udp-server-crashed-on-datagram = 连续发送 { $sent } 个数据报，只收到 { $replies } 个回复，随后{ $state }：某个数据报让服务器崩溃了（见它的 traceback）。
udp-server-fewer-replies = 连续发送 { $sent } 个数据报，只收到 { $replies } 个回复；而一个一个地发送时，每个数据报都有自己的回复。{ $merged ->
    [yes] 有一个回复包含了不止一个数据报的字节：服务器把几个数据报合并了。
   *[no] {""}
}每次 recvfrom() 恰好返回一个数据报：每个数据报回复一次，不要把几个数据报攒在一起再回复。
udp-server-more-replies = 连续发送 { $sent } 个数据报，却收到 { $replies } 个回复：服务器拆分了数据报，或者对同一个数据报回复了不止一次。每收到一个数据报，只调用一次 sendto()。
udp-server-reply-not-echo = 第 { $n } 个回复不是第 { $n } 个数据报的回显：发送的是 { $sent }，收到的是 { $got }。{ $reordered ->
    [yes] 它是第 { $other } 个数据报的回显：回复的顺序乱了。
   *[no] {""}
}

## udp.server.clients-isolated

udp-server-stray-reply = 客户端 { $other } 收到了 { $stray }，这是对客户端 { $name } 的数据报的回复：服务器把回复发到了之前记住的地址，而不是每个数据报由 recvfrom() 返回的 addr。
udp-server-isolated-no-reply = 另一个客户端也在通信时，客户端 { $name } 的数据报没有得到回复，而且{ $state }。请回复到每个数据报由 recvfrom() 返回的 addr。
udp-server-replies-mixed = 客户端 { $name } 发送了 { $sent }，收到的却是 { $got }：不同客户端的回复混在一起了。
udp-server-client-sent = 客户端 { $name } 发送了 { $sent }
udp-server-isolated-held = 两个客户端交替发送的 { $count } 个数据报，都收到了各自的回复

## udp.server.empty-datagram, udp.server.bad-bytes

udp-server-empty-stopped = 收到一个 0 字节的数据报后，服务器不再回复，而且{ $state }。{ $lang ->
    [c] 在 UDP 中 recvfrom() 返回 0 只是收到了一个空数据报，并不表示客户端关闭了（UDP 没有连接）：不要因此 break 或退出。
    [node] 在 UDP 中 msg.length === 0 的 'message' 事件只是一个空数据报，并不表示客户端关闭了（UDP 没有连接）：不要因此关闭套接字或退出。
   *[other] 在 UDP 中 recvfrom() 返回空字节串 b'' 只是收到了一个空数据报，并不表示客户端关闭了（UDP 没有连接）：不要照搬 TCP 的 `if not data: break`，也不要因此退出。
}
udp-server-empty-not-echoed = 一个 0 字节的数据报在 { $waited } 毫秒内没有得到回复，而服务器仍然回复了下一个数据报。按 echo 约定，空数据报也是数据报，应该回一个 0 字节的数据报：{ $lang ->
    [c] recvfrom() 返回 0 表示收到 0 字节的数据报（只有 -1 才是出错），不要用 `if (n <= 0) continue;` 跳过它。
    [node] msg.length === 0 的 'message' 事件也是一个数据报：把它发回去。
   *[other] recvfrom() 返回 b'' 表示收到 0 字节的数据报，不要用 `if not data: continue` 跳过它。
}
udp-server-bad-bytes-stopped = 收到一个不是合法 UTF-8 的数据报后，服务器不再回复，而且{ $state }。{ $lang ->
    [c] 网络上传来的是字节：按 recvfrom() 返回的长度把缓冲区当作字节处理，并检查每个返回值。
    [node] 网络上传来的是字节：msg.toString() 会替换非法字节，而 new TextDecoder('utf-8', { "{" } fatal: true { "}" }).decode(msg) 会抛出异常；请捕获异常，或者直接使用 Buffer。
   *[other] 网络上传来的是字节：用 data.decode('utf-8', 'replace') 解码，或者捕获 UnicodeDecodeError。
}
udp-server-survived = 收到 { $poison }之后仍然能回复
udp-server-blocked-keeps-serving = 服务器不回复第二个数据报（见 udp.server.keeps-serving）

## udp.server.keeps-serving

udp-server-stopped-serving = 回复了 { $answered } 个数据报之后，服务器没有回复下一个（来自客户端 { $name }），而且{ $state }。UDP 服务器应该一直服务，直到被停止：{ $lang ->
    [c] 把 recvfrom() 和 sendto() 放在 `while (1)` 循环里，不要在第一次回复后就 close(fd) 或 return。
    [node] 保持套接字打开：不要在 'message' 事件处理函数里调用 server.close() 或 process.exit()。
   *[other] 把 recvfrom() 和 sendto() 放在 `while True:` 循环里，不要在第一次回复后就关闭套接字或退出。
}
udp-server-keeps-serving-held = 来自 2 个客户端的 { $count } 个数据报都得到了同一个服务器的回复

## udp.server.max-size

udp-server-max-size-needs-echo = 需要 echo 约定，才能知道怎样算原样回复
udp-server-max-size-changed = { $upto ->
    [0] 没有一个数据报能原样回来
   *[other] 不超过 { $upto } 字节的数据报都能原样回来
}；一个 { $size } 字节的数据报回来时变成了 { $got } 字节{ $shorter ->
    [yes] ：recvfrom({ $got }) 截断了更大的数据报
   *[no] {""}
}。
udp-server-max-size-no-reply = { $upto ->
    [0] 没有一个数据报能原样回来
   *[other] 不超过 { $upto } 字节的数据报都能原样回来
}；一个 { $size } 字节的数据报没有得到回复（{ $state }）。
udp-server-max-size-all = 直到 { $max } 字节（IPv4 的上限），每种大小的数据报都原样回来了。

## udp.client.one-line-one-datagram

udp-client-nothing-arrived = sockspec 在 { $server } 上充当服务器，但没有收到任何数据报，而且{ $state }。客户端必须用 sendto() 把每一行输入发给服务器；如果它发往一个固定地址，而 sockspec 没能在源代码中找到这个地址，请用 --addr HOST:PORT 指定。
udp-client-line-count = { $lines } 行输入变成了 { $datagrams } 个数据报。{ $how ->
    [cut] 这些数据报合起来正好是输入的内容：第一行 { $first }被拆成了多次 sendto() 调用。
    [stopped] 客户端提前停止了，而且{ $state }。
   *[other] {""}
}每一行请只用一次 sendto() 发送。
udp-client-datagram-differs = 第 { $n } 个数据报是 { $datagram }，而第 { $n } 行输入是 { $line }：请原样发送这一行的字节（line.encode()）。
udp-client-lines-held = { $lines } 行输入作为 { $datagrams } 个数据报到达
udp-client-never-reads = 客户端从不读取它的输入（写入它标准输入的字节一个都没被读走）：按它发出的内容评判，共 { $datagrams } 个数据报，每个都是一条完整的消息（第一个：{ $first }）
udp-client-lines-held-quit = { $lines } 行输入变成了同样多个数据报；第 { $n } 行输入 { $quit }没有发送：客户端读到它之后立即以退出码 0 结束（这是它的退出命令）

## udp.client.handles-reply

udp-client-replies-not-shown = 客户端从没显示服务器的回复：sockspec 发出的 { $replies } 个回复都没有出现在它的输出中。{ $lang ->
    [c] sendto() 之后，请用 recvfrom() 读取回复（返回值是回复的长度），并打印这些字节。
    [node] 请监听套接字的 'message' 事件，并打印 msg.toString()。
   *[other] sendto() 之后，请用 recvfrom() 读取回复并打印出来。
}
udp-client-first-reply = 发出的第一个回复：{ $reply }
udp-client-stopped-after-replies = 收到 { $replies } 个回复之后，客户端没有再为剩下的输入行发送任何数据，而且{ $state }。
udp-client-reply-truncated = 第 { $n } 个回复（{ $len } 字节）显示时被截断成了 { $kept } 字节：传给 recvfrom() 的缓冲区太小，装不下它。
udp-client-replies-shown = { $replies } 个回复中有 { $shown } 个出现在客户端的输出中
