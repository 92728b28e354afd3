//! Whether a target has nothing left to do until someone else acts: every
//! thread of its process tree is blocked waiting for input (a read, recv,
//! accept, poll, select, epoll or futex wait without a deadline), or for a
//! timer that cannot fire before a given horizon, and none of them ran over a
//! quiet window. A reply that has not come by then will not come without
//! sockspec acting: the evidence on which "no reply", "did not close" and
//! "never accepted" are concluded at once instead of after a fixed wait.
//!
//! Read from `/proc/PID/task/TID/{stat,syscall,schedstat}` (and, for a
//! deadline passed by pointer, `/proc/PID/mem`), which sockspec may read for
//! its own sandboxed targets (their user namespace is its own) and for
//! unsandboxed children. Anything unreadable means "not proven": callers then
//! wait their fixed ceiling as before. Not seen: a receive timeout set with
//! `SO_RCVTIMEO` (a blocked `recv()` that wakes by itself); programs that
//! poll, select, epoll or sleep show their timeouts. What is still on its way
//! is the caller's to rule out (`settled`): bytes a TCP target wrote that its
//! kernel holds back (Nagle), output sockspec has not read yet.

use crate::latency::Latency;
use crate::proc_files;
use crate::procfs;
use crate::stdin::StdinProgress;
use nix::libc;
use std::fs;
use std::os::unix::fs::FileExt;
use std::time::{Duration, Instant};
use tokio::sync::watch;

/// What one thread is waiting for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wait {
    /// Input, with no deadline: only something from outside wakes it.
    Input {
        /// Whether the wait may include stdin (a read of descriptor 0, or a
        /// poll, select or epoll whose descriptors are not known).
        stdin: bool,
    },
    /// Input or a timer; the timer fires no sooner than this long from the
    /// moment the thread was looked at (zero: it may fire any moment).
    Timer {
        /// The earliest the timer can fire, from the moment of the look.
        earliest: Duration,
        /// As for [`Wait::Input`].
        stdin: bool,
    },
    /// Running, runnable, in uninterruptible sleep, or in a system call that
    /// does not wait for input: it may act on its own.
    Active,
}

/// One look at one thread.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Task {
    /// Its thread id.
    pub tid: u32,
    /// Nanoseconds it spent running or runnable so far (`schedstat`).
    pub busy_ns: u64,
    /// What it is waiting for.
    pub wait: Wait,
    /// Whether it has ended (a zombie, not yet reaped).
    pub ended: bool,
}

/// One look at every thread of a process tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snapshot {
    /// The threads, in the order found.
    pub tasks: Vec<Task>,
    /// When the look was taken.
    pub at: Instant,
}

/// Looks at every thread of `pids` (the sandbox's own `bwrap` processes
/// excluded: they only reap). `None` when no thread could be read.
pub fn snapshot(pids: &[u32]) -> Option<Snapshot> {
    let at = Instant::now();
    let boot_now = clock_now(libc::CLOCK_BOOTTIME)?;
    let mut tasks = Vec::new();
    for &pid in pids {
        let Ok(comm) = proc_files::read(&format!("/proc/{pid}/comm")) else {
            continue;
        };
        if matches!(comm.trim(), "bwrap" | "unshare") {
            continue;
        }
        let Ok(tids) = proc_files::numbers_in(&format!("/proc/{pid}/task")) else {
            continue;
        };
        for tid in tids {
            let path = format!("/proc/{pid}/task/{tid}");
            let Some(task) = look_at(pid, tid, &path, boot_now) else {
                // Gone between listing and reading (it exited), or unreadable:
                // an exited thread does nothing more; an unreadable one may.
                if std::path::Path::new(&path).exists() {
                    return None;
                }
                continue;
            };
            tasks.push(task);
        }
    }
    // A program whose every process has ended is on its way out, which its
    // exit will tell: not idle. (A zombie beside a live process, a forking
    // server's unreaped child, does nothing more.)
    if tasks.iter().all(|t| t.ended) {
        return None;
    }
    Some(Snapshot { tasks, at })
}

fn look_at(pid: u32, tid: u32, path: &str, boot_now: Duration) -> Option<Task> {
    let stat = proc_files::read(&format!("{path}/stat")).ok()?;
    let fields: Vec<&str> = crate::procfs::stat_fields(&stat)?.collect();
    let state = fields.first()?.chars().next()?;
    // Field 22 of stat (the 20th after the name): when the thread started, in
    // clock ticks since boot (USER_HZ, fixed at 100 by the kernel's ABI).
    let started = Duration::from_millis(fields.get(19)?.parse::<u64>().ok()? * 10);
    let schedstat = proc_files::read(&format!("{path}/schedstat")).ok()?;
    let mut numbers = schedstat.split_whitespace().map(str::parse::<u64>);
    let busy_ns = numbers.next()?.ok()? + numbers.next()?.ok()?;
    let ended = matches!(state, 'Z' | 'X' | 'x');
    let wait = match state {
        // A zombie does nothing more.
        'Z' | 'X' | 'x' => Wait::Input { stdin: false },
        // Stopped by a signal: it acts only once continued, by someone else.
        'T' | 't' => Wait::Input { stdin: false },
        'S' => {
            let syscall = proc_files::read(&format!("{path}/syscall")).ok()?;
            let call = parse_syscall(&syscall)?;
            classify(&call, &Memory { pid }, boot_now.saturating_sub(started))?
        }
        _ => Wait::Active,
    };
    Some(Task {
        tid,
        busy_ns,
        wait,
        ended,
    })
}

/// A system call a thread is blocked in: its number and six arguments.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Syscall {
    /// The system call's number.
    pub nr: i64,
    /// Its arguments, as the kernel shows them.
    pub args: [u64; 6],
}

/// Parses `/proc/PID/task/TID/syscall`: `NR ARG1 .. ARG6 SP PC`; `None` for
/// `running` or `-1 ...` (blocked outside a system call).
pub fn parse_syscall(text: &str) -> Option<Syscall> {
    let mut words = text.split_whitespace();
    let nr: i64 = words.next()?.parse().ok()?;
    if nr < 0 {
        return None;
    }
    let mut args = [0u64; 6];
    for arg in &mut args {
        *arg = u64::from_str_radix(words.next()?.trim_start_matches("0x"), 16).ok()?;
    }
    Some(Syscall { nr, args })
}

/// Reads a target's memory (a timeout passed by pointer).
struct Memory {
    pid: u32,
}

impl Memory {
    /// A `struct timespec` or `struct timeval` at `addr` (`sub_unit` is the
    /// second field's unit: 1 ns or 1000 ns), as a duration; `None` for a
    /// negative or unreadable one.
    fn duration(&self, addr: u64, sub_unit: u64) -> Option<Duration> {
        let mem = fs::File::open(format!("/proc/{}/mem", self.pid)).ok()?;
        let mut raw = [0u8; 16];
        mem.read_exact_at(&mut raw, addr).ok()?;
        let secs = i64::from_ne_bytes(raw[..8].try_into().ok()?);
        let sub = i64::from_ne_bytes(raw[8..].try_into().ok()?);
        let secs = u64::try_from(secs).ok()?;
        let nanos = u64::try_from(sub).ok()?.checked_mul(sub_unit)?;
        Some(Duration::from_secs(secs) + Duration::from_nanos(nanos))
    }
}

/// A relative timeout of `timeout` given by a thread that has run for
/// `age`: it cannot fire before `timeout - age` from now (it was set after the
/// thread started).
fn relative(timeout: Duration, age: Duration, stdin: bool) -> Wait {
    Wait::Timer {
        earliest: timeout.saturating_sub(age),
        stdin,
    }
}

/// An absolute deadline on `clock`: how far from now it is.
fn absolute(deadline: Duration, clock: libc::clockid_t, stdin: bool) -> Option<Wait> {
    let now = clock_now(clock)?;
    Some(Wait::Timer {
        earliest: deadline.saturating_sub(now),
        stdin,
    })
}

/// A timeout in milliseconds passed by value (poll, epoll_wait): negative is none.
fn millis(arg: u64, age: Duration, stdin: bool) -> Wait {
    // The kernel shows the int sign-extended or not: its low 32 bits are it.
    match arg as u32 as i32 {
        t if t < 0 => Wait::Input { stdin },
        t => relative(Duration::from_millis(t.unsigned_abs().into()), age, stdin),
    }
}

/// A relative timeout passed by pointer: NULL is none.
fn pointer(mem: &Memory, addr: u64, sub_unit: u64, age: Duration, stdin: bool) -> Option<Wait> {
    if addr == 0 {
        return Some(Wait::Input { stdin });
    }
    Some(relative(mem.duration(addr, sub_unit)?, age, stdin))
}

/// What a thread blocked in `call` waits for; `None` when its timeout cannot
/// be read. `age` is how long the thread has existed.
fn classify(call: &Syscall, mem: &Memory, age: Duration) -> Option<Wait> {
    const NS: u64 = 1;
    const US: u64 = 1000;
    let a = call.args;
    let nr = call.nr;
    let multiplexed = true; // poll, select, epoll: the descriptors are not known
    #[cfg(target_arch = "x86_64")]
    {
        if nr == libc::SYS_poll {
            return Some(millis(a[2], age, multiplexed));
        }
        if nr == libc::SYS_epoll_wait {
            return Some(millis(a[3], age, multiplexed));
        }
        if nr == libc::SYS_select {
            return pointer(mem, a[4], US, age, multiplexed);
        }
        if nr == libc::SYS_pause {
            return Some(Wait::Input { stdin: false });
        }
    }
    let input = |stdin| Some(Wait::Input { stdin });
    match nr {
        libc::SYS_read | libc::SYS_readv => input(a[0] == 0),
        // A blocked write (a full pipe or socket buffer) waits for a reader,
        // often sockspec's own (its output pipes), which may merely lag:
        // not idle.
        libc::SYS_recvfrom
        | libc::SYS_recvmsg
        | libc::SYS_accept
        | libc::SYS_accept4
        | libc::SYS_wait4
        | libc::SYS_waitid
        | libc::SYS_rt_sigsuspend => input(false),
        libc::SYS_recvmmsg => pointer(mem, a[4], NS, age, false),
        libc::SYS_epoll_pwait => Some(millis(a[3], age, multiplexed)),
        libc::SYS_epoll_pwait2 => pointer(mem, a[3], NS, age, multiplexed),
        libc::SYS_ppoll => pointer(mem, a[2], NS, age, multiplexed),
        libc::SYS_pselect6 => pointer(mem, a[4], NS, age, multiplexed),
        libc::SYS_rt_sigtimedwait => pointer(mem, a[2], NS, age, false),
        libc::SYS_nanosleep => pointer(mem, a[0], NS, age, false),
        libc::SYS_clock_nanosleep => {
            let clock = a[0] as libc::clockid_t;
            let request = mem.duration(a[2], NS)?;
            if a[1] & libc::TIMER_ABSTIME as u64 != 0 {
                absolute(request, clock, false)
            } else {
                Some(relative(request, age, false))
            }
        }
        libc::SYS_futex => futex(a, mem, age),
        _ => Some(Wait::Active),
    }
}

/// A futex wait: on another thread, which must itself be idle for this one
/// to stay so; with a timeout (relative for FUTEX_WAIT, absolute for the
/// others) like any other timer.
fn futex(a: [u64; 6], mem: &Memory, age: Duration) -> Option<Wait> {
    const WAIT: u64 = 0;
    const LOCK_PI: u64 = 6;
    const WAIT_BITSET: u64 = 9;
    const LOCK_PI2: u64 = 13;
    const WAIT_REQUEUE_PI: u64 = 11;
    const CLOCK_REALTIME_FLAG: u64 = 256;
    let op = a[1];
    let cmd = op & 0x7f;
    let timeout = a[3];
    match cmd {
        WAIT => pointer(mem, timeout, 1, age, false),
        WAIT_BITSET | LOCK_PI | LOCK_PI2 | WAIT_REQUEUE_PI => {
            if timeout == 0 {
                return Some(Wait::Input { stdin: false });
            }
            let realtime = cmd == LOCK_PI || op & CLOCK_REALTIME_FLAG != 0;
            let clock = if realtime {
                libc::CLOCK_REALTIME
            } else {
                libc::CLOCK_MONOTONIC
            };
            absolute(mem.duration(timeout, 1)?, clock, false)
        }
        _ => Some(Wait::Active),
    }
}

/// `clock`'s reading now.
fn clock_now(clock: libc::clockid_t) -> Option<Duration> {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime writes one timespec through the pointer, which
    // points at `ts`, a live local of that type.
    let r = unsafe { libc::clock_gettime(clock, &mut ts) };
    if r != 0 {
        return None;
    }
    Some(Duration::new(
        u64::try_from(ts.tv_sec).ok()?,
        u32::try_from(ts.tv_nsec).ok()?,
    ))
}

/// What two looks, `before` and `after`, prove.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Finding {
    /// Nothing ran between the looks, every thread waits for input, and no
    /// timer fires within the horizon: nothing happens until someone acts.
    Idle,
    /// Something ran, may run, or a timer fires within the horizon.
    Active,
}

/// Whether `before` and `after` (the same threads, none of which ran between
/// the two looks) prove the target idle for `horizon` from `after`; a wait
/// that may include stdin counts as idle only if `stdin_done` (nothing more
/// will be written to it).
pub fn judge(before: &Snapshot, after: &Snapshot, horizon: Duration, stdin_done: bool) -> Finding {
    let same_threads = before.tasks.len() == after.tasks.len()
        && before
            .tasks
            .iter()
            .zip(&after.tasks)
            .all(|(b, a)| b.tid == a.tid && b.busy_ns == a.busy_ns);
    let waiting = after.tasks.iter().all(|t| match t.wait {
        Wait::Input { stdin } => stdin_done || !stdin,
        Wait::Timer { earliest, stdin } => (stdin_done || !stdin) && earliest > horizon,
        Wait::Active => false,
    });
    if same_threads && waiting {
        Finding::Idle
    } else {
        Finding::Active
    }
}

/// Whether some thread of `pids` may be waiting for stdin now (in a read of
/// descriptor 0, or a poll, select or epoll whose descriptors are not
/// known); `None` when no thread could be read.
pub fn waits_on_stdin(pids: &[u32]) -> Option<bool> {
    let look = snapshot(pids)?;
    Some(look.tasks.iter().any(|t| {
        matches!(
            t.wait,
            Wait::Input { stdin: true } | Wait::Timer { stdin: true, .. }
        )
    }))
}

/// Resolves once the program of `pid`'s tree has settled into waiting, as a
/// person at its keyboard sees it before typing: none of its threads ran
/// over a quiet window ([`crate::latency::MIN_QUIET`]) and each waits for
/// input or a timer (a client connected and set up its handlers first); at
/// once when it is gone, and after `limit` at the latest (a program that
/// never settles, e.g. one that floods).
pub async fn ready_for_input(pid: u32, limit: Duration) {
    let settled = async {
        let mut before: Option<Snapshot> = None;
        let mut started = false;
        loop {
            // Before the sandbox started the program, and after the program
            // ended, only the sandbox's processes are there: left out of a
            // snapshot, or unreadable.
            let now = snapshot(&procfs::process_tree(pid)).filter(|n| !n.tasks.is_empty());
            if procfs::ended(pid) || (started && now.is_none()) {
                return;
            }
            started |= now.is_some();
            if let (Some(b), Some(a)) = (&before, &now)
                && judge(b, a, Duration::ZERO, true) == Finding::Idle
            {
                return;
            }
            before = now;
            tokio::time::sleep(crate::latency::MIN_QUIET).await;
        }
    };
    let _ = tokio::time::timeout(limit, settled).await;
}

/// Whether everything the processes of `pid`'s tree wrote to their stdout
/// and stderr pipes has been read (by sockspec's readers): the pipes, opened
/// again through `/proc`, hold no bytes. True for descriptors that are not
/// pipes (or gone with their process); false for a pipe that cannot be
/// looked into (what it holds is not known).
pub fn output_drained(pid: u32) -> bool {
    use std::os::fd::AsRawFd;
    use std::os::unix::fs::OpenOptionsExt;
    nix::ioctl_read_bad!(fionread, libc::FIONREAD, libc::c_int);
    procfs::process_tree(pid).iter().all(|p| {
        [1, 2].iter().all(|fd| {
            let path = format!("/proc/{p}/fd/{fd}");
            let is_pipe = fs::read_link(&path)
                .map(|l| l.to_string_lossy().starts_with("pipe:"))
                .unwrap_or(false);
            if !is_pipe {
                return true;
            }
            let Ok(pipe) = fs::OpenOptions::new()
                .read(true)
                .custom_flags(libc::O_NONBLOCK)
                .open(&path)
            else {
                return false;
            };
            let mut n: libc::c_int = 0;
            // SAFETY: FIONREAD writes one int through the pointer, which points
            // at `n`; the descriptor is a pipe this function just opened.
            let r = unsafe { fionread(pipe.as_raw_fd(), &mut n) };
            r.is_ok() && n == 0
        })
    })
}

/// Watches one running target for idleness: an external program through
/// `/proc`, or an in-process target through the probe it left.
#[derive(Clone)]
pub struct IdleWatch {
    watched: Watched,
    latency: Latency,
}

#[derive(Clone)]
enum Watched {
    /// An external program's process tree, and its input script's progress.
    Process {
        pid: u32,
        stdin: Option<watch::Receiver<StdinProgress>>,
    },
    /// An in-process target that tells when it is idle.
    InProcess(crate::launch::IdleProbe),
}

impl IdleWatch {
    /// Watches the process tree rooted at `pid`, whose stdin is fed as
    /// `stdin` reports; `latency` (shared with the check) sets the quiet window.
    pub fn new(
        pid: u32,
        stdin: Option<watch::Receiver<StdinProgress>>,
        latency: Latency,
    ) -> IdleWatch {
        IdleWatch {
            watched: Watched::Process { pid, stdin },
            latency,
        }
    }

    /// Watches an in-process target through the idle probe it left.
    pub fn in_process(probe: crate::launch::IdleProbe, latency: Latency) -> IdleWatch {
        IdleWatch {
            watched: Watched::InProcess(probe),
            latency,
        }
    }

    /// The quiet window an idle proof must span: the check's latency-adapted
    /// idle window ([`Latency::idle_window`]) for a program,
    /// [`Latency::in_process_idle_window`] for an in-process target (two
    /// looks that far apart: long enough for what sockspec just sent to have
    /// reached it).
    pub fn window(&self) -> Duration {
        self.proof_window(None)
    }

    /// The window a proof spans when the caller asks for `wanted` (`None`:
    /// [`IdleWatch::window`]): an in-process target's proof needs no more
    /// than its own window whatever is asked.
    pub fn proof_window(&self, wanted: Option<Duration>) -> Duration {
        match &self.watched {
            Watched::Process { .. } => wanted.unwrap_or_else(|| self.latency.idle_window()),
            Watched::InProcess(_) => self.latency.in_process_idle_window(),
        }
    }

    fn stdin_done(&self) -> bool {
        match &self.watched {
            Watched::Process { stdin, .. } => stdin.as_ref().is_none_or(|rx| rx.borrow().done),
            Watched::InProcess(_) => true,
        }
    }

    /// Resolves once the target is proven idle for the rest of `horizon`
    /// (counted from the call) and `settled()` holds at both ends of a quiet
    /// window; never when that cannot be proven (callers race it against
    /// their own limit).
    pub async fn proven(&self, horizon: Duration, settled: impl Fn() -> bool) {
        self.proven_over(horizon, None, settled).await
    }

    /// [`IdleWatch::proven`] over `window` instead of the latency's idle
    /// window: for a look after the replies to everything sockspec sent
    /// arrived, when nothing of sockspec's is on its way to the target and
    /// the shortest window ([`crate::latency::MIN_QUIET`]) is enough.
    pub async fn proven_over(
        &self,
        horizon: Duration,
        window: Option<Duration>,
        settled: impl Fn() -> bool,
    ) {
        let start = Instant::now();
        let mut before: Option<Snapshot> = None;
        loop {
            let window = self.proof_window(window);
            if start.elapsed() + window >= horizon {
                return std::future::pending().await;
            }
            match &self.watched {
                Watched::InProcess(idle) => {
                    // It has no timers: idle at both ends of the window is
                    // idle until sockspec acts.
                    if settled() && idle() {
                        tokio::time::sleep(window).await;
                        if settled() && idle() {
                            return;
                        }
                    }
                }
                Watched::Process { pid, .. } => {
                    let now = settled()
                        .then(|| snapshot(&procfs::process_tree(*pid)))
                        .flatten();
                    if let (Some(b), Some(a)) = (&before, &now) {
                        let left = horizon.saturating_sub(start.elapsed());
                        if a.at.duration_since(b.at) >= window
                            && judge(b, a, left, self.stdin_done()) == Finding::Idle
                        {
                            return;
                        }
                    }
                    before = now;
                }
            }
            tokio::time::sleep(window).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::process::{Child, Command, Stdio};

    #[test]
    fn parses_a_blocked_call_and_not_a_running_one() {
        let call = parse_syscall("45 0x3 0x7f00 0x400 0x0 0x0 0x0 0x7ffd 0x7f12\n").unwrap();
        assert_eq!(call.nr, 45);
        assert_eq!(call.args, [3, 0x7f00, 0x400, 0, 0, 0]);
        assert_eq!(parse_syscall("running\n"), None);
        assert_eq!(parse_syscall("-1 0x7ffd 0x7f12\n"), None);
    }

    fn python(code: &str) -> Child {
        Command::new("python3")
            .args(["-c", code])
            .stdin(Stdio::null())
            .spawn()
            .expect("python3")
    }

    /// Waits until the program is past its start-up: its processes used no
    /// CPU between two looks 20 ms apart (at most 5 s: a spinner never is).
    fn started(child: &Child) {
        let deadline = Instant::now() + Duration::from_secs(5);
        let mut last = procfs::busy_time(&procfs::process_tree(child.id()));
        while Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
            let now = procfs::busy_time(&procfs::process_tree(child.id()));
            if now == last {
                return;
            }
            last = now;
        }
    }

    /// Two looks `window` apart, judged for `horizon`, once the program is
    /// past its start-up.
    fn judged(child: &Child, horizon: Duration) -> Finding {
        started(child);
        let tree = procfs::process_tree(child.id());
        let before = snapshot(&tree).expect("readable");
        std::thread::sleep(Duration::from_millis(50));
        let after = snapshot(&tree).expect("readable");
        judge(&before, &after, horizon, true)
    }

    fn ended(mut child: Child) {
        let _ = child.kill();
        let _ = child.wait();
    }

    #[test]
    fn a_program_blocked_in_recv_is_idle() {
        let child = python(
            "import socket\ns = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n\
             s.bind(('127.0.0.1', 0))\ns.recvfrom(100)",
        );
        let v = judged(&child, Duration::from_secs(2));
        ended(child);
        assert_eq!(v, Finding::Idle);
    }

    #[test]
    fn a_program_blocked_in_accept_or_a_thread_join_is_idle() {
        let child = python(
            "import socket, threading\ns = socket.socket()\ns.bind(('127.0.0.1', 0))\n\
             s.listen()\nt = threading.Thread(target=s.accept)\nt.start()\nt.join()",
        );
        let v = judged(&child, Duration::from_secs(2));
        ended(child);
        assert_eq!(v, Finding::Idle);
    }

    #[test]
    fn a_sleeping_program_is_not_idle_before_it_wakes_and_is_after() {
        // Python's time.sleep() sleeps to an absolute deadline; sh's sleep
        // for a relative time.
        let child = python("import time\ntime.sleep(1.5)");
        let short = judged(&child, Duration::from_secs(2));
        ended(child);
        assert_eq!(short, Finding::Active, "it wakes within the horizon");
        let child = python("import time\ntime.sleep(3600)");
        let long = judged(&child, Duration::from_secs(2));
        ended(child);
        assert_eq!(long, Finding::Idle, "it sleeps past the horizon");
        let child = Command::new("sleep").arg("3").spawn().expect("sleep");
        let relative = judged(&child, Duration::from_secs(3));
        ended(child);
        assert_eq!(relative, Finding::Active, "a relative sleep wakes in time");
    }

    #[test]
    fn a_program_that_ended_is_on_its_way_out_not_idle() {
        let mut child = Command::new("true").spawn().expect("true");
        let stat = format!("/proc/{}/stat", child.id());
        let start = Instant::now();
        while !fs::read_to_string(&stat).is_ok_and(|s| s.contains(") Z"))
            && start.elapsed() < Duration::from_secs(5)
        {
            std::thread::sleep(Duration::from_millis(5));
        }
        let look = snapshot(&[child.id()]);
        let _ = child.wait();
        assert_eq!(look, None);
    }

    #[test]
    fn output_is_drained_once_its_reader_took_it() {
        use std::io::Read;
        // Its stderr is not the tests' own (a pipe other tests write to).
        let mut child = Command::new("sh")
            .args(["-c", "echo hello; exec sleep 5"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("sh");
        let pid = child.id();
        let start = Instant::now();
        while output_drained(pid) && start.elapsed() < Duration::from_secs(5) {
            std::thread::sleep(Duration::from_millis(5));
        }
        let waiting = output_drained(pid);
        let mut hello = [0u8; 6];
        child
            .stdout
            .as_mut()
            .expect("piped")
            .read_exact(&mut hello)
            .expect("reads");
        let drained = output_drained(pid);
        ended(child);
        assert_eq!((waiting, &hello, drained), (false, b"hello\n", true));
    }

    #[test]
    fn a_spinning_program_is_not_idle() {
        let child = python("while True:\n    pass");
        let v = judged(&child, Duration::from_secs(2));
        ended(child);
        assert_eq!(v, Finding::Active);
    }

    #[test]
    fn a_program_reading_stdin_is_idle_only_once_stdin_is_done() {
        let mut child = Command::new("python3")
            .args(["-c", "input()"])
            .stdin(Stdio::piped())
            .spawn()
            .expect("python3");
        started(&child);
        let tree = procfs::process_tree(child.id());
        let before = snapshot(&tree).expect("readable");
        std::thread::sleep(Duration::from_millis(50));
        let after = snapshot(&tree).expect("readable");
        let pending = judge(&before, &after, Duration::from_secs(2), false);
        let done = judge(&before, &after, Duration::from_secs(2), true);
        drop(child.stdin.take());
        ended(child);
        assert_eq!((pending, done), (Finding::Active, Finding::Idle));
    }

    #[tokio::test]
    async fn a_watch_proves_a_blocked_program_idle_quickly() {
        let child = python(
            "import socket\ns = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n\
             s.bind(('127.0.0.1', 0))\ns.recvfrom(100)",
        );
        started(&child);
        let watch = IdleWatch::new(child.id(), None, Latency::default());
        // Proven well before the 10 s it is asked to cover.
        let proven = tokio::time::timeout(
            Duration::from_secs(5),
            watch.proven(Duration::from_secs(10), || true),
        )
        .await;
        ended(child);
        assert!(proven.is_ok(), "not proven idle");
    }
}
