# Messages of the harness: the target's state, starting it, sockspec's own failures.

bytes-quoted = "{ $text }" ({ $len ->
    [one] 1 byte
   *[other] { $len } bytes
})

state-running = it is still running
state-not-running = it is not running
state-exited = it exited with status { $code }
state-killed = it was killed by signal { $signal }
state-ended = it ended

launch-spawn = could not start the program: { $error }
launch-exited-early = the program ended before it bound a socket ({ $state })
launch-never-ready = it bound no server socket within { $waited } ms{ $bound ->
    [none] {""}
   *[other] {" "}(it bound only { $bound })
}
launch-setup = could not prepare the target: { $error }
launch-died-before-bind = The program ended before it bound a socket ({ $state }); a { $role } must keep running and serve. Its error output is below.
launch-bound-nothing = The program started, but { $reason }: a { $role } must bind() its socket{ $transport ->
    [tcp] {" "}and listen()
   *[other] {""}
} before it can be checked.

server-without-address = the server has no address
sockspec-bind-failed = sockspec could not bind { $addr }: { $error }
sockspec-listen-failed = sockspec could not listen on { $addr }: { $error }
sockspec-socket-failed = sockspec's socket failed: { $error }
sockspec-check-panicked = sockspec failed while running this check: { $error }

sandbox-unavailable = { $reason }
sandbox-not-used = the target does not run in a sandbox
skip-needs-sandbox = needs the sandbox: { $reason }
check-timed-out = the check did not finish within { $limit } ms, and sockspec should have bounded its waits

connection-broken-while-sending = The target broke the connection while sockspec was sending ({ $error }): it crashed, or closed the socket with unread data.
blocked-no-udp-reply = the server did not reply to a plain datagram, so this cannot be judged (see udp.server.reply)
shrink-note = failed at case { $case } of seed { $seed }; shrunk in { $steps } steps{ $cut_short ->
    [yes] {" "}(stopped at the shrink budget: a smaller case may exist)
   *[no] {""}
}; the transcript is a re-run of the smallest case
replay-passed = the smallest case did not fail again in { $runs } re-runs (the failure depends on timing); the transcript shows the last re-run
property-driver-stopped = the property driver stopped early
state-stopped = it is stopped (SIGSTOP) and answers nothing
check-target-too-slow = The check did not finish within { $limit } ms while the program was still there ({ $state }): it answered too slowly or not at all. A test runs out of time only when the program keeps it waiting.
sockspec-redirect-failed = sockspec could not send the client's traffic to itself: { $error }
