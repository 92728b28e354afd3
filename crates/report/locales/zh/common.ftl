# 测试框架本身的消息：被测程序的状态、启动它、sockspec 自身的故障。

bytes-quoted = "{ $text }"（{ $len } 字节）

state-running = 它仍在运行
state-not-running = 它没有在运行
state-exited = 它已退出，退出码 { $code }
state-killed = 它被信号 { $signal } 杀死
state-ended = 它已结束

launch-spawn = 无法启动程序：{ $error }
launch-exited-early = 程序在绑定套接字之前就结束了（{ $state }）
launch-never-ready = 在 { $waited } 毫秒内没有绑定服务器套接字{ $bound ->
    [none] {""}
   *[other] （只绑定了 { $bound }）
}
launch-setup = 无法为被测程序做好准备：{ $error }
launch-died-before-bind = 程序在绑定套接字之前就结束了（{ $state }）；{ $role } 必须一直运行并提供服务。它的错误输出见下方。
launch-bound-nothing = 程序启动了，但{ $reason }：{ $role } 必须先 bind() 套接字{ $transport ->
    [tcp] 并 listen()
   *[other] {""}
}，才能被检查。

server-without-address = 服务器没有地址
sockspec-bind-failed = sockspec 无法绑定 { $addr }：{ $error }
sockspec-listen-failed = sockspec 无法在 { $addr } 上监听：{ $error }
sockspec-socket-failed = sockspec 的套接字出错：{ $error }
sockspec-check-panicked = sockspec 运行此检查时自身出错：{ $error }

sandbox-unavailable = { $reason }
sandbox-not-used = 被测程序没有在沙箱中运行
skip-needs-sandbox = 需要沙箱：{ $reason }
check-timed-out = 检查没有在 { $limit } 毫秒内结束，sockspec 本应限制自己的等待时间

connection-broken-while-sending = sockspec 发送数据时，被测程序断开了连接（{ $error }）：它崩溃了，或者在还有未读数据时关闭了套接字。
blocked-no-udp-reply = 服务器对一个普通数据报没有回复，因此无法判断这一项（见 udp.server.reply）
shrink-note = 种子 { $seed } 的第 { $case } 个用例失败；经过 { $steps } 步缩小{ $cut_short ->
    [yes] （达到缩小预算后停止：可能还有更小的用例）
   *[no] {""}
}；收发记录是最小用例的重新运行
replay-passed = 最小用例在 { $runs } 次重新运行中没有再次失败（失败与时序有关）；收发记录是最后一次重新运行
property-driver-stopped = 属性测试驱动提前停止了
state-stopped = 它被暂停了（SIGSTOP），不再响应
check-target-too-slow = 检查在 { $limit } 毫秒内没有结束，而程序还在（{ $state }）：它回复得太慢或根本不回复。只有程序让检查一直等待时才会超时。
sockspec-redirect-failed = sockspec 无法把客户端的流量转到自己这里：{ $error }
