//! An external program as a target, e.g. `python3 tcp_server.py`, run in its
//! own sandbox with a copy of its folder as working directory.

use crate::net::Net;
use crate::output::{Output, Stream};
use crate::procfs::{self, BoundSocket};
pub use crate::sandbox::Limits;
use crate::sandbox::jail::{self, Jail, Spec};
use crate::source_hints;
use crate::spawn::Launch;
use crate::stdin::{self, StdinSink};
use crate::target::{BoxFuture, Instance, LaunchError, LaunchRequest, Target};
use nix::sys::resource::{Resource, getrlimit, setrlimit};
use sockspec_results::ExitInfo;
use sockspec_results::Transport;
use std::net::{IpAddr, SocketAddr};
use std::os::fd::{AsRawFd, BorrowedFd};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use tokio::sync::watch;

/// An external program.
#[derive(Debug, Clone)]
pub struct Command {
    argv: Vec<String>,
    /// What runs as `argv[0]` when that is a version manager's shim: the
    /// interpreter the shim picks (see [`crate::launch::shim`]).
    program: Option<String>,
    sandbox: bool,
    limits: Limits,
    /// The program's own files among the arguments (index, path).
    files: Vec<(usize, PathBuf)>,
}

impl Command {
    /// A program to run as `argv`, sandboxed unless `sandbox` is false. Fails
    /// when the program cannot be found, so that a typo is a usage error and not
    /// every check failing.
    pub fn new(argv: Vec<String>, sandbox: bool) -> Result<Command, String> {
        let Some(program) = argv.first() else {
            return Err("no command given to run".into());
        };
        if !is_runnable(program) {
            return Err(format!("`{program}`: command not found or not executable"));
        }
        // The program's own files: file arguments after the command, or the
        // command itself when it is a path (`./server`, a build's output);
        // never a system binary such as /usr/bin/python3.
        let files = argv
            .iter()
            .enumerate()
            .filter(|(i, a)| *i > 0 || (a.contains('/') && !is_system_path(a)))
            .filter(|(_, a)| Path::new(a).is_file())
            .map(|(i, a)| (i, PathBuf::from(a)))
            .collect();
        Ok(Command {
            program: super::shim::interpreter_behind(program),
            argv,
            sandbox,
            limits: Limits::default(),
            files,
        })
    }

    /// Sets the resource limits.
    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// The folder whose copy is the working directory: the first program file's.
    fn program_dir(&self) -> Option<PathBuf> {
        let (_, file) = self.files.first()?;
        Some(folder_of(file))
    }

    /// Arguments with placeholders filled and program files pointed at the copy.
    fn args_for(&self, copy: Option<&Path>, host: &str, port: u16, broadcast: &str) -> Vec<String> {
        self.argv
            .iter()
            .enumerate()
            .map(|(i, arg)| {
                // Files in the copied folder are used from the copy.
                let moved = copy.and_then(|dir| {
                    let (_, file) = self.files.iter().find(|(j, _)| *j == i)?;
                    if folder_of(file) != self.program_dir()? {
                        return None;
                    }
                    Some(dir.join(file.file_name()?).to_string_lossy().into_owned())
                });
                let run = match (i, &self.program) {
                    (0, Some(program)) => program,
                    _ => arg,
                };
                moved
                    .unwrap_or_else(|| run.clone())
                    .replace("{host}", host)
                    .replace("{port}", &port.to_string())
                    .replace("{broadcast}", broadcast)
            })
            .collect()
    }
}

/// The folder a file is in (`.` for a bare file name).
fn folder_of(file: &Path) -> PathBuf {
    file.parent()
        .filter(|p| !p.as_os_str().is_empty())
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
}

/// Whether `path` is the system's (an installed tool, not a submission):
/// under the system's folders or in a folder of `PATH`.
fn is_system_path(path: &str) -> bool {
    const SYSTEM: [&str; 8] = [
        "/usr/", "/bin/", "/sbin/", "/lib", "/opt/", "/etc/", "/nix/", "/snap/",
    ];
    if !path.starts_with('/') {
        return false;
    }
    if SYSTEM.iter().any(|prefix| path.starts_with(prefix)) {
        return true;
    }
    let parent = Path::new(path).parent();
    std::env::var_os("PATH")
        .is_some_and(|dirs| std::env::split_paths(&dirs).any(|dir| Some(dir.as_path()) == parent))
}

fn is_runnable(program: &str) -> bool {
    if program.contains('/') {
        return is_executable(Path::new(program));
    }
    on_path(program, &std::env::var_os("PATH").unwrap_or_default()).is_some()
}

/// A regular file someone may execute.
pub(super) fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    path.metadata()
        .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

/// Where `program` (a bare name) is found in the folders of `path` (a
/// `PATH` value), as the shell finds it.
pub(crate) fn on_path(program: &str, path: &std::ffi::OsStr) -> Option<PathBuf> {
    std::env::split_paths(path)
        .map(|dir| dir.join(program))
        .find(|p| is_executable(p))
}

/// The socket a server of `transport` serves on: IPv4 before IPv6.
fn serving_socket(bound: &[BoundSocket], transport: Transport) -> Option<SocketAddr> {
    let mut candidates: Vec<&BoundSocket> = bound
        .iter()
        .filter(|b| b.transport == transport && (transport == Transport::Udp || b.listening))
        .collect();
    candidates.sort_by_key(|b| (b.local.is_ipv6(), b.local.port()));
    candidates.first().map(|b| crate::net::reachable(b.local))
}

impl Target for Command {
    fn describe(&self) -> String {
        self.argv.join(" ")
    }

    fn kind(&self) -> sockspec_results::TargetKind {
        sockspec_results::TargetKind::Command
    }

    fn isolated(&self) -> bool {
        self.sandbox
    }

    fn sandboxed(&self) -> bool {
        self.sandbox
    }

    fn language(&self) -> sockspec_results::ProgramLanguage {
        crate::language::detect(&self.argv)
    }

    fn hinted_addrs(&self) -> Vec<SocketAddr> {
        let mut all = Vec::new();
        for (_, file) in &self.files {
            for addr in source_hints::from_file(file) {
                if !all.contains(&addr) {
                    all.push(addr);
                }
            }
        }
        all
    }

    fn network(&self, local: &[IpAddr]) -> Result<Net, LaunchError> {
        if !self.sandbox {
            return Ok(Net::host());
        }
        crate::sandbox::create(local).map_err(|e| LaunchError::Setup(format!("sandbox: {e}")))
    }

    fn launch<'a>(
        &'a self,
        net: &'a Net,
        request: LaunchRequest,
    ) -> BoxFuture<'a, Result<Instance, LaunchError>> {
        Box::pin(async move {
            let (jail, registered) = Jail::new().map_err(|e| LaunchError::Setup(e.to_string()))?;
            let prepared = {
                let jail = jail.clone();
                let folder = self.program_dir();
                let files: Vec<PathBuf> = self.files.iter().map(|(_, f)| f.clone()).collect();
                let argv0 = self.program.clone().unwrap_or_else(|| self.argv[0].clone());
                let sandbox = self.sandbox;
                // Copying reads the student's folder: off the async threads.
                tokio::task::spawn_blocking(move || {
                    jail.prepare(folder.as_deref(), &files, &argv0, sandbox)
                })
                .await
                .map_err(|e| LaunchError::Setup(format!("preparing the instance: {e}")))?
                .map_err(|e| LaunchError::Setup(e.to_string()))?
            };
            let endpoint = request.connect_to.or(request.bind_to);
            let host = match (&request.connect_name, endpoint) {
                (Some(name), _) if request.connect_to.is_some() => name.clone(),
                (_, Some(a)) => a.ip().to_string(),
                (_, None) => "127.0.0.1".to_string(),
            };
            let port = endpoint.map_or(0, |a| a.port());
            let broadcast = request
                .broadcast
                .unwrap_or(std::net::Ipv4Addr::BROADCAST)
                .to_string();
            let copy = prepared.copy.is_some().then_some(prepared.work.as_path());
            let args = self.args_for(copy, &host, port, &broadcast);

            let (mut cmd, cgroup) = if self.sandbox {
                let cgroup = jail::cgroup_for(&self.limits);
                let spec = Spec {
                    netns: net.ns_fd(),
                    contained: jail::contained(),
                    limits: self.limits,
                    prepared: &prepared,
                    cgroup: cgroup.as_ref(),
                    argv: &args,
                };
                let cmd = jail::command(&spec)
                    .map_err(|e| LaunchError::Setup(format!("sandbox: {e}")))?;
                (cmd, cgroup)
            } else {
                (unsandboxed(&args, &prepared.work, net, self.limits), None)
            };
            cmd.env("SOCKSPEC_HOST", &host)
                .env("SOCKSPEC_PORT", port.to_string())
                .env("PYTHONUNBUFFERED", "1")
                .env("PYTHONIOENCODING", "utf-8")
                .env("PYTHONDONTWRITEBYTECODE", "1");
            let attach: jail::Attach = {
                let (jail, sandbox) = (jail.clone(), self.sandbox);
                Box::new(move |pid| match sandbox {
                    true => jail.attach_sandbox(pid, cgroup),
                    false => jail.attach_group(pid),
                })
            };
            let mut child = jail::spawn(cmd, attach).await.map_err(|e| {
                let program = if self.sandbox { "bwrap" } else { &args[0] };
                LaunchError::Spawn(format!("{program}: {e}"))
            })?;
            let pid = child.id();

            let output = Output::default();
            let drains = [
                tokio::spawn(
                    output
                        .clone()
                        .drain(Stream::Stdout, child.stdout.take().expect("piped")),
                ),
                tokio::spawn(
                    output
                        .clone()
                        .drain(Stream::Stderr, child.stderr.take().expect("piped")),
                ),
            ];
            let stdin_pipe = child.stdin.take().expect("piped");
            let (exit_tx, exit_rx) = watch::channel(None);
            let sandboxed = self.sandbox;
            let waiter = tokio::spawn(async move {
                let status = child.wait().await;
                // Let the readers take what the program wrote before it ended.
                for drain in drains {
                    let _ = tokio::time::timeout(Duration::from_millis(500), drain).await;
                }
                let exit = match status {
                    Ok(status) if sandboxed => jail::exit_of_sandbox(status),
                    Ok(status) => crate::target::exit_info(status),
                    Err(_) => ExitInfo {
                        code: None,
                        signal: None,
                    },
                };
                let _ = exit_tx.send(Some(exit));
            });
            let (stdin_tx, stdin_rx) = watch::channel(stdin::StdinProgress {
                total: request.input.len(),
                ..stdin::StdinProgress::default()
            });
            // The first line is typed once the program waits for it (with no
            // script, stdin is done at once: idle proofs need that).
            let feeder = tokio::spawn(async move {
                if !request.input.is_empty() {
                    crate::idle::ready_for_input(pid, stdin::READY_PATIENCE).await;
                }
                stdin::feed_reporting(
                    StdinSink::Pipe(stdin_pipe),
                    request.input,
                    request.activity,
                    request.close_stdin,
                    stdin_tx,
                )
                .await
            });
            let keep: Vec<Box<dyn crate::net::Keepalive>> = vec![
                Box::new(super::AbortOnDrop(feeder.abort_handle())),
                // Kills every process of the instance, then removes its folder.
                Box::new(registered),
                Box::new(super::AbortOnDrop(waiter.abort_handle())),
            ];
            let mut instance = Instance::new(None, output, Some(pid), exit_rx, keep);
            instance.set_stdin_progress(stdin_rx);
            if request.role.is_server() {
                let (addr, bound) = wait_until_bound(
                    &instance,
                    net,
                    pid,
                    request.role.transport(),
                    request.start_timeout,
                )
                .await
                .map_err(|e| sandbox_failure(e, sandboxed))?;
                instance.addr = Some(addr);
                instance.bound = bound;
            }
            Ok(instance)
        })
    }
}

/// The command for a program run without a sandbox: in `net` (when it is a
/// namespace), its own process group, with rlimits, in `workdir`.
fn unsandboxed(args: &[String], workdir: &Path, net: &Net, limits: Limits) -> Launch {
    let mut cmd = Launch::new(&args[0]);
    cmd.args(&args[1..]).current_dir(workdir);
    let ns = net.ns_fd().map(|fd| fd.as_raw_fd());
    if ns.is_some() {
        // No PID namespace ends what it leaves there: the guard looks.
        net.note_unjailed();
    }
    let (_, nofile_hard) = getrlimit(Resource::RLIMIT_NOFILE).unwrap_or((1024, 1024));
    let nofile = limits.open_files.min(nofile_hard);
    // SAFETY: only async-signal-safe system calls run between the start and
    // exec; the namespace descriptor stays open until exec.
    unsafe {
        cmd.setup(std::sync::Arc::new(move || {
            crate::sandbox::release_held_signals()?;
            if let Some(fd) = ns {
                nix::sched::setns(
                    BorrowedFd::borrow_raw(fd),
                    nix::sched::CloneFlags::CLONE_NEWNET,
                )?;
            }
            nix::unistd::setpgid(nix::unistd::Pid::from_raw(0), nix::unistd::Pid::from_raw(0))?;
            setrlimit(Resource::RLIMIT_CORE, 0, 0)?;
            setrlimit(Resource::RLIMIT_NOFILE, nofile, nofile)?;
            setrlimit(
                Resource::RLIMIT_CPU,
                limits.cpu_seconds,
                limits.cpu_seconds + 1,
            )?;
            setrlimit(
                Resource::RLIMIT_AS,
                limits.memory_bytes,
                limits.memory_bytes,
            )?;
            setrlimit(Resource::RLIMIT_FSIZE, limits.file_bytes, limits.file_bytes)?;
            Ok(())
        }));
    }
    cmd
}

/// A sandboxed program that "exited early" because bwrap could not make its
/// sandbox is sockspec's failure, not the program's.
fn sandbox_failure(error: LaunchError, sandboxed: bool) -> LaunchError {
    match &error {
        LaunchError::ExitedEarly { exit, output } if sandboxed && exit.code == Some(1) => {
            let stderr = output.get(Stream::Stderr).tail_lines(5);
            if stderr.starts_with("bwrap: ") {
                return LaunchError::Setup(format!("sandbox: {}", stderr.trim()));
            }
            error
        }
        _ => error,
    }
}

/// Waits until the program's process tree holds a bound socket of `transport`
/// (polling its sockets in `/proc` and the bound sockets of `net`: there is
/// no event for "bound"), or it exits, or time runs out.
async fn wait_until_bound(
    instance: &Instance,
    net: &Net,
    pid: u32,
    transport: Transport,
    limit: Duration,
) -> Result<(SocketAddr, Vec<BoundSocket>), LaunchError> {
    let start = Instant::now();
    let mut pause = Duration::from_millis(1);
    loop {
        // Bound sockets are few and cheap to list; whose they are is read
        // from /proc only when there are some.
        let candidates = net
            .with_diag(|diag| diag.bound_sockets())
            .map_err(|e| LaunchError::Setup(format!("sock_diag: {e}")))?;
        let bound: Vec<BoundSocket> = match candidates.is_empty() {
            true => Vec::new(),
            false => {
                let inodes = procfs::socket_inodes(&procfs::process_tree(pid));
                crate::sockdiag::held(candidates, &inodes)
            }
        };
        if let Some(addr) = serving_socket(&bound, transport) {
            return Ok((addr, bound));
        }
        if instance.exited().is_some() {
            // Wait for the readers to finish so the traceback is complete.
            let exit = instance
                .wait_exit(Duration::from_secs(1))
                .await
                .expect("already exited");
            return Err(LaunchError::ExitedEarly {
                exit,
                output: instance.output.clone(),
            });
        }
        if start.elapsed() >= limit {
            return Err(LaunchError::NeverReady {
                waited: limit,
                bound,
                output: instance.output.clone(),
            });
        }
        if let Some(exit) = instance.wait_exit(pause).await {
            return Err(LaunchError::ExitedEarly {
                exit,
                output: instance.output.clone(),
            });
        }
        pause = (pause * 2).min(Duration::from_millis(10));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_programs_are_refused_up_front() {
        let err = Command::new(vec!["no-such-program-xyz".into()], false).unwrap_err();
        assert!(err.contains("command not found"), "{err}");
        assert!(Command::new(vec!["sh".into(), "-c".into(), "true".into()], false).is_ok());
    }

    #[test]
    fn placeholders_are_filled_and_program_files_moved() {
        let cmd = Command::new(
            vec![
                "sh".into(),
                "Cargo.toml".into(),
                "--port={port}".into(),
                "{host}".into(),
            ],
            false,
        )
        .unwrap();
        let args = cmd.args_for(
            Some(Path::new("/tmp/copy")),
            "127.0.0.1",
            8888,
            "10.0.0.255",
        );
        assert_eq!(
            args,
            ["sh", "/tmp/copy/Cargo.toml", "--port=8888", "127.0.0.1"]
        );
    }

    #[test]
    fn a_built_binary_is_a_program_file_and_a_system_one_is_not() {
        assert!(is_system_path("/usr/bin/python3"));
        assert!(!is_system_path("./server"));
        assert!(is_system_path("/bin/sh") && is_system_path("/usr/local/bin/node"));
        assert!(!is_system_path("/tmp/build/server"));
    }

    #[test]
    fn system_binaries_are_not_program_files() {
        let cmd = Command::new(
            vec![
                "/bin/sh".into(),
                "Cargo.toml".into(),
                "/etc/hostname".into(),
            ],
            false,
        )
        .unwrap();
        let args = cmd.args_for(
            Some(Path::new("/tmp/copy")),
            "127.0.0.1",
            1,
            "255.255.255.255",
        );
        assert_eq!(args, ["/bin/sh", "/tmp/copy/Cargo.toml", "/etc/hostname"]);
    }

    #[test]
    fn servers_are_reached_on_ipv4_first() {
        let b = |s: &str, t, l| BoundSocket {
            transport: t,
            local: s.parse().unwrap(),
            listening: l,
        };
        let bound = [
            b("[::]:9000", Transport::Tcp, true),
            b("0.0.0.0:9000", Transport::Tcp, true),
            b("0.0.0.0:5353", Transport::Udp, false),
        ];
        assert_eq!(
            serving_socket(&bound, Transport::Tcp),
            Some("127.0.0.1:9000".parse().unwrap())
        );
        assert_eq!(
            serving_socket(&bound, Transport::Udp),
            Some("127.0.0.1:5353".parse().unwrap())
        );
    }
}
