# broadcast messages (zh). One message per diagnosis; hints select on $lang (python, c, node, …).

broadcast-needs-lan = 广播只在用网络命名空间模拟的局域网上检查：{ $reason }
broadcast-lan-failed = 无法建立模拟局域网：{ $error }

## broadcast.receiver.*

broadcast-receiver-sender-failed = sockspec 无法在主机 h1 上打开用于广播的套接字：{ $error }
broadcast-receiver-so-broadcast-failed = sockspec 无法为自己的套接字设置 SO_BROADCAST：{ $error }
broadcast-receiver-send-failed = sockspec 向 { $to } 广播失败：{ $error }
broadcast-receiver-no-instance = 没有正在运行的接收方可供 sockspec 观察
broadcast-receiver-baseline-missed = 接收方没有显示一条普通的广播，因此无法判断这一项（见 broadcast.receiver.receives）
broadcast-receiver-received = 发往 255.255.255.255 和 { $directed } 的广播都出现在了它的输出中
broadcast-receiver-missed-one = { $payload }（发往 { $to }）
broadcast-receiver-missed-both = { $first }、{ $second }
broadcast-receiver-missed = 另一台主机发往端口 { $port } 的广播一直没有出现在接收方的输出中：{ $missed }；而且{ $state }。请绑定到 ('', { $port })（所有地址，而不是某一个地址），然后 recvfrom() 并打印收到的内容。
broadcast-receiver-second-failed = 同一台主机上的第二个接收方无法启动：{ $error }。如果没有在 bind() 之前设置 SO_REUSEADDR（或 SO_REUSEPORT），端口 { $port } 只能被一个程序使用。
broadcast-receiver-stderr =
    第二个接收方的错误输出（末尾）：
    { $stderr }
broadcast-receiver-shared-held = 同一端口上的两个接收方都打印出了这条广播
broadcast-receiver-shared-missed = 同一台主机的端口 { $port } 上有两个接收方，{ $which ->
    [first] 只有第一个
    [second] 只有第二个
   *[neither] 两个都没有
}打印出这条广播。
broadcast-receiver-bad-bytes-held = 收到不是 UTF-8 的字节之后，它仍然打印出了下一条广播
broadcast-receiver-bad-bytes-stopped = 收到一条不是合法 UTF-8 的广播之后，下一条广播一直没有出现，而且{ $state }。{ $lang ->
    [c] 网络上传来的是字节：按 recvfrom() 返回的长度把缓冲区当作字节处理，并检查每个返回值。
    [node] 网络上传来的是字节：msg.toString() 会替换非法字节，而 new TextDecoder('utf-8', { "{" } fatal: true { "}" }).decode(msg) 会抛出异常；请捕获异常，或者直接使用 Buffer。
   *[other] 网络上传来的是字节：用 data.decode('utf-8', 'replace') 解码，或者捕获 UnicodeDecodeError。
}

## broadcast.sender.*

broadcast-sender-listen-failed = sockspec 无法在主机 { $host } 上监听：{ $error }
broadcast-sender-pktinfo-failed = sockspec 无法获取数据报的目的地址（IP_PKTINFO）：{ $error }
broadcast-sender-went-elsewhere = 它的数据报发往了局域网之外的 { $destination }，所以无法判断（见 broadcast.sender.address）
broadcast-sender-unicast-elsewhere = { $payload }被发往 { $destination }{ $loopback ->
    [yes] ，这是发送端自己的回环地址：数据报根本不会离开这台机器，其他主机都收不到
   *[no] ，这是局域网之外的地址：这是单播，不是广播
}。请改为发往广播地址：255.255.255.255（Python 中写作 '<broadcast>'）或本局域网的 { $broadcast }，端口 { $port }，并设置 SO_BROADCAST。
broadcast-sender-nothing-heard = 没有任何数据报到达任何主机，因此无法判断这一项（见 broadcast.sender.delivers）
broadcast-sender-delivered = { $count } 个数据报到达了局域网上的主机
broadcast-sender-no-so-broadcast = { $lang ->
    [c] 向广播地址 sendto() 时出错 EACCES（Permission denied）：套接字必须先 setsockopt(fd, SOL_SOCKET, SO_BROADCAST, &on, sizeof(on))（int on = 1），才能发送广播。它的错误输出见下方。
    [node] 向广播地址 socket.send() 时出错 EACCES：要在套接字绑定之后（bind() 的回调或 'listening' 事件里）调用 socket.setBroadcast(true)，才能发送广播。它的错误输出见下方。
   *[other] 向广播地址 sendto() 时出现 PermissionError（EACCES）：套接字必须先 setsockopt(SOL_SOCKET, SO_BROADCAST, 1)，才能发送广播。它的 traceback 见下方。
}
broadcast-sender-nothing-delivered = 没有任何数据报到达局域网上任何主机的端口 { $port }，而且{ $state }。{ $lang ->
    [c] 请用 sendto() 把每条消息发往广播地址（INADDR_BROADCAST，即 255.255.255.255）的端口 { $port }，设置 SO_BROADCAST，并检查 sendto() 的返回值。
    [node] 请先 socket.setBroadcast(true)，再用 socket.send() 把每条消息发往 '255.255.255.255' 的端口 { $port }。
   *[other] 请把每条消息发往 ('<broadcast>', PORT)，并设置 SO_BROADCAST。
}
broadcast-sender-never-reads = 发送端从不读取它的输入（写入它标准输入的字节一个都没被读走）：按它发出的内容评判，共 { $datagrams } 个数据报、{ $distinct } 种消息，每个数据报是一条完整的消息（第一个：{ $first }）
broadcast-sender-uneven = 主机 { $host } 收到 { $got } 个数据报，而主机 { $best_host } 收到 { $best } 个：一条广播会到达每台主机各一次。请发往广播地址（'<broadcast>' 或 { $broadcast }），而不是发给某一台主机。
broadcast-sender-all-hosts-held = { $hosts } 台接收主机都各自收到了同样的 { $count } 个数据报，每个一次
broadcast-sender-boundaries-held = { $lines } 行输入作为 { $datagrams } 个数据报到达
broadcast-sender-boundaries-differ = { $lines } 行输入到达主机 { $host } 时变成了 { $datagrams } 个数据报（第一个是 { $first }）。每条消息请只用一次 sendto() 发送。
broadcast-sender-unicast = 主机 { $host } 收到的 { $payload }是发往 { $destination } 的，这是某一台主机自己的地址，不是广播地址。请发往 '<broadcast>'（255.255.255.255）或本局域网的广播地址 { $broadcast }。
broadcast-sender-address-held = 每个数据报都发往了广播地址（{ $destinations }）
