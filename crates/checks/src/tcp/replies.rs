//! Reading a server's replies over TCP: how much is due depends on the
//! contract (echo: the same bytes; lines: a line per line; any: whatever comes
//! until the wire is quiet).

use crate::common::io_error;
use sockspec_harness::tcp::{Ending, TcpPeer};
use sockspec_harness::{Contract, Ctx, Message, Verdict, msg, procfs};
use sockspec_wire::Cutting;
use std::time::Instant;

/// How a stretch of reading ended, as a phrase for a diagnosis.
pub fn ending(e: Ending) -> Message {
    match e {
        Ending::Open => msg!("tcp-ending-open"),
        Ending::Eof => msg!("tcp-ending-eof"),
        Ending::Reset => msg!("tcp-ending-reset"),
    }
}

/// How a stream was cut into writes, as a phrase for a diagnosis.
pub fn cutting(c: &Cutting) -> Message {
    match c {
        Cutting::Whole => msg!("tcp-cutting-whole"),
        Cutting::PerMessage => msg!("tcp-cutting-per-message"),
        Cutting::Bytes => msg!("tcp-cutting-bytes"),
        Cutting::At(at) => {
            let offsets: Vec<String> = at.iter().map(ToString::to_string).collect();
            msg!("tcp-cutting-at", offsets = offsets.join(", "))
        }
    }
}

/// A plain message: one line of ASCII and Chinese.
pub fn message(n: usize) -> Vec<u8> {
    format!("message {n}: hello 你好 粘包\n").into_bytes()
}

/// How much reply is due for `sent` under `contract`, if the contract says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Due {
    /// This many bytes (echo).
    Bytes(usize),
    /// This many newline-terminated lines (lines).
    Lines(usize),
    /// Unknown: read until quiet.
    Unknown,
}

impl Due {
    /// What is due for `sent` under `contract`.
    pub fn of(contract: Contract, sent: &[u8]) -> Due {
        match contract {
            Contract::Echo => Due::Bytes(sent.len()),
            Contract::Lines => Due::Lines(sent.iter().filter(|&&b| b == b'\n').count()),
            Contract::Any => Due::Unknown,
        }
    }

    /// Whether `got` holds all that is due.
    pub fn satisfied(self, got: &[u8]) -> bool {
        match self {
            Due::Bytes(n) => got.len() >= n,
            Due::Lines(n) => got.iter().filter(|&&b| b == b'\n').count() >= n,
            Due::Unknown => !got.is_empty(),
        }
    }
}

/// Reads what is `due`: stops once it is there (after a quiet window when the
/// amount is unknown, or when `linger` asks for one to catch extra bytes), when
/// the connection ends, or when the target is silent for the patience window;
/// in all, never longer than twice the reply timeout (a target that trickles
/// bytes without end does not hold the read up; a slow typist of a reply
/// still finishes).
pub async fn read_due(
    ctx: &Ctx,
    peer: &mut TcpPeer,
    due: Due,
    linger: bool,
) -> Result<(Vec<u8>, Ending), Verdict> {
    let (patience, quiet) = (ctx.latency.patience(), ctx.latency.quiet_window());
    let deadline = Instant::now() + ctx.settings().reply_timeout * 2;
    let mut got = Vec::new();
    loop {
        let done = due.satisfied(&got);
        let limit = match (done, due == Due::Unknown || linger) {
            (true, false) => return Ok((got, Ending::Open)),
            (true, true) => quiet,
            (false, _) => patience,
        };
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Ok((got, Ending::Open));
        }
        let limit = limit.min(left);
        match peer.read_some(limit).await.map_err(io_error)? {
            sockspec_harness::tcp::Read::Data(d) => got.extend_from_slice(&d),
            sockspec_harness::tcp::Read::Eof => return Ok((got, Ending::Eof)),
            sockspec_harness::tcp::Read::Reset => return Ok((got, Ending::Reset)),
            sockspec_harness::tcp::Read::Timeout => return Ok((got, Ending::Open)),
        }
    }
}

/// Connects (starting the server again if it exited), or fails the check
/// saying the server refused.
pub async fn connect(ctx: &mut Ctx, label: &str) -> Result<TcpPeer, Verdict> {
    let server = ctx.server().await?;
    let refused = match ctx.tcp_connect(label, server).await? {
        Ok(mut peer) => {
            set_greeting_aside(ctx, &mut peer).await?;
            return Ok(peer);
        }
        Err(e) => e,
    };
    // A server that just crashed or ended refuses before its exit is seen
    // (a shutdown is slow on a loaded machine): once it is, start it again
    // and try once more. One that lives on is proven to quickly.
    if crate::common::exit_within(ctx, ctx.settings().reply_timeout)
        .await
        .is_some()
    {
        let server = ctx.server().await?;
        if let Ok(mut peer) = ctx.tcp_connect(label, server).await? {
            set_greeting_aside(ctx, &mut peer).await?;
            return Ok(peer);
        }
    }
    Err(Verdict::violated(msg!(
        "tcp-connect-failed",
        addr = server,
        error = refused.to_string(),
        state = ctx.target_state().await
    )))
}

/// Sets aside what the server sends a new connection before any request (a
/// greeting such as '欢迎光临！'), so it is never taken for a reply, and shows
/// it as an evidence note. The greeting is what sockspec has received once
/// the server accepted the connection and all its threads went back to
/// waiting (a write on loopback is in sockspec's buffer when it returns): an
/// event, not a fixed wait. Not observable for a remote or in-process target.
pub async fn set_greeting_aside(ctx: &mut Ctx, peer: &mut TcpPeer) -> Result<(), Verdict> {
    let Some(pid) = ctx.instance().and_then(|i| i.pid) else {
        return Ok(());
    };
    let limit = ctx.latency.patience();
    let start = Instant::now();
    let mut backoff = sockspec_harness::poll::Backoff::default();
    // Proven idle without having accepted: it sent nothing, and will not.
    let idle = ctx.idle_watch();
    let sent_all = peer.sent_all_probe();
    let proven_idle = async {
        match &idle {
            Some(watch) => watch.proven(limit, &sent_all).await,
            None => std::future::pending().await,
        }
    };
    tokio::pin!(proven_idle);
    loop {
        if ctx.exit().is_some() || start.elapsed() >= limit {
            return Ok(());
        }
        if accepted(ctx, peer)? == Some(true) && procfs::all_threads_waiting(pid) {
            break;
        }
        if procfs::all_stopped(&procfs::process_tree(pid)) {
            return Ok(());
        }
        tokio::select! {
            () = backoff.pause() => {}
            () = &mut proven_idle => break,
        }
    }
    let mut greeting = Vec::new();
    let zero = std::time::Duration::ZERO;
    while let sockspec_harness::tcp::Read::Data(d) = peer.read_some(zero).await.map_err(io_error)? {
        greeting.extend_from_slice(&d);
    }
    if !greeting.is_empty() {
        let note = msg!("tcp-greeting-set-aside", greeting = &greeting);
        if !ctx.facts.notes.contains(&note) {
            ctx.facts.notes.push(note);
        }
    }
    Ok(())
}

/// Whether the target has accepted `peer`'s connection (it is among the
/// program's open sockets); `None` when that cannot be observed (a remote target).
pub fn accepted(ctx: &mut Ctx, peer: &TcpPeer) -> Result<Option<bool>, Verdict> {
    let Some(pid) = ctx.observed_pid() else {
        return Ok(None);
    };
    let theirs = ctx
        .net()?
        .tcp_socket(peer.peer_addr(), peer.local_addr())
        .map_err(io_error)?;
    // A connection waiting in the backlog has no file yet (inode 0); accept()
    // gives it one. (The sandbox holds no other program to hand it to.)
    Ok(Some(theirs.is_some_and(|t| {
        t.inode != 0 && (ctx.target().sandboxed() || held_by_tree(pid, t.inode))
    })))
}

/// Whether a process of `pid`'s tree holds the socket `inode`.
fn held_by_tree(pid: u32, inode: u32) -> bool {
    procfs::socket_inodes(&procfs::process_tree(pid)).contains(&u64::from(inode))
}

/// The check that judges whether a plain message gets its reply under
/// `contract`: echo's stream-integrity, lines' coalesced-messages (any has none).
fn reply_owner(contract: Contract) -> Option<&'static str> {
    match contract {
        Contract::Echo => Some("tcp.server.stream-integrity"),
        Contract::Lines => Some("tcp.server.coalesced-messages"),
        Contract::Any => None,
    }
}

/// Sends one message and reads its reply, measuring the round trip. Without
/// the reply the checks that compare replies cannot judge. The caller,
/// `check`, is then blocked by the check that names the mistake:
/// `tcp.server.accepts` when the connection was never accepted, else the
/// check that judges replies under the contract; that check itself fails
/// (the contract says a reply is due), and under contract any it is skipped.
pub async fn baseline(
    ctx: &mut Ctx,
    peer: &mut TcpPeer,
    check: &'static str,
) -> Result<Vec<u8>, Verdict> {
    let msg = message(0);
    let sent = Instant::now();
    peer.write(&msg).await.map_err(io_error)?;
    let due = Due::of(ctx.contract(), &msg);
    let first = ctx.settings().reply_timeout;
    let (reply, ending_of_read) = {
        // The first reply gets the full reply timeout: latency is not known yet.
        let mut got = Vec::new();
        let mut end = Ending::Open;
        while !due.satisfied(&got) {
            match peer.read_some(first).await.map_err(io_error)? {
                sockspec_harness::tcp::Read::Data(d) => got.extend_from_slice(&d),
                sockspec_harness::tcp::Read::Eof => {
                    end = Ending::Eof;
                    break;
                }
                sockspec_harness::tcp::Read::Reset => {
                    end = Ending::Reset;
                    break;
                }
                sockspec_harness::tcp::Read::Timeout => break,
            }
            if ctx.latency.worst().is_none() && !got.is_empty() {
                ctx.latency.observe(sent.elapsed());
            }
        }
        (got, end)
    };
    if !due.satisfied(&reply) {
        // Still open and not among the program's sockets: waiting in the backlog.
        // A stopped target (SIGSTOP) accepts nothing, but that is not its
        // program's mistake: the check that judges replies says it is stopped.
        let stopped = ctx
            .instance()
            .and_then(|i| i.pid)
            .is_some_and(|pid| procfs::all_stopped(&procfs::process_tree(pid)));
        let never_accepted =
            ending_of_read == Ending::Open && !stopped && accepted(ctx, peer)? == Some(false);
        let by = match reply_owner(ctx.contract()) {
            _ if never_accepted => Some("tcp.server.accepts"),
            Some(owner) if owner == check => {
                return Err(Verdict::violated(msg!(
                    "tcp-server-plain-message-unanswered",
                    lang = ctx.language(),
                    sent = &msg,
                    received = reply.len(),
                    reply = &reply,
                    ending = ending(ending_of_read),
                    limit = first,
                    state = ctx.target_state().await
                )));
            }
            owner => owner,
        };
        let reason = msg!(
            "tcp-baseline-unanswered",
            sent = &msg,
            received = reply.len(),
            reply = &reply,
            ending = ending(ending_of_read),
            check = by.unwrap_or("none")
        );
        return Err(match by {
            Some(by) => Verdict::Blocked { by, reason },
            None => Verdict::Skip(reason),
        });
    }
    ctx.latency.observe(sent.elapsed());
    Ok(reply)
}

/// One connection kept across a property's cases: opened on first use, and
/// again after it ended or a case failed (so no leftover bytes carry over).
/// Keeping it means a sequential server stuck elsewhere is not blamed here.
#[derive(Default)]
pub struct Kept {
    peer: Option<TcpPeer>,
}

impl Kept {
    /// The connection, opened (and the server started) if needed.
    pub async fn get(&mut self, ctx: &mut Ctx) -> Result<&mut TcpPeer, Verdict> {
        if self.peer.is_none() {
            self.peer = Some(connect(ctx, "client").await?);
        }
        Ok(self.peer.as_mut().expect("just connected"))
    }

    /// Forgets the connection; the next case opens a new one.
    pub fn drop_connection(&mut self) {
        self.peer = None;
    }

    /// Forgets the connection if `ending` says it is over.
    pub fn keep_if_open(&mut self, ending: Ending) {
        if ending != Ending::Open {
            self.peer = None;
        }
    }
}
