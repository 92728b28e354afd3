//! Rust code in this process as a target: the reference implementation, or a
//! user's own code inside `cargo test`.

use crate::net::Net;
use crate::output::{Output, OutputWriter, Stream};
use crate::stdin::{self, StdinSink};
use crate::target::{BoxFuture, Instance, LaunchError, LaunchRequest, Target};
use sockspec_results::ExitInfo;
use std::future::Future;
use std::io;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;

/// What an in-process target is started with.
pub struct InProcessIo {
    /// For clients: the server to use.
    pub connect_to: Option<SocketAddr>,
    /// For servers: the address sockspec suggests (loopback, port 0 by default).
    pub bind_to: SocketAddr,
    /// Its input script, one line per message; closed at the end of a client's script.
    pub input: mpsc::Receiver<String>,
    /// Its stdout.
    pub stdout: OutputWriter,
    /// The network it runs in: make sockets with it (a LAN host's, for broadcast).
    pub net: Net,
    /// The address `{broadcast}` stands for.
    pub broadcast: std::net::Ipv4Addr,
    /// Where the target may leave a probe telling when it is idle.
    pub idle: IdleReport,
}

/// Tells whether an in-process target is idle now: it sends nothing more
/// until sockspec does (no task of it runs or has input waiting, and it has
/// no timers). See [`crate::idle`].
pub type IdleProbe = Arc<dyn Fn() -> bool + Send + Sync>;

/// Where an in-process target leaves its [`IdleProbe`], if it has one:
/// sockspec's waits for more from it then end as soon as it is idle.
#[derive(Clone, Default)]
pub struct IdleReport(Arc<std::sync::OnceLock<IdleProbe>>);

impl IdleReport {
    /// Leaves `probe` (the first one left stands).
    pub fn set(&self, probe: impl Fn() -> bool + Send + Sync + 'static) {
        let _ = self.0.set(Arc::new(probe));
    }

    fn get(&self) -> Option<IdleProbe> {
        self.0.get().cloned()
    }
}

/// A started in-process target.
pub struct Started {
    /// For servers: where it is bound.
    pub addr: Option<SocketAddr>,
    /// Its work; finishing means the instance exited (status 1 on error).
    pub task: JoinHandle<io::Result<()>>,
}

type StartFn = dyn Fn(InProcessIo) -> BoxFuture<'static, io::Result<Started>> + Send + Sync;

/// A target made of Rust code run on sockspec's runtime, in the host's network.
#[derive(Clone)]
pub struct InProcess {
    name: String,
    start: Arc<StartFn>,
}

impl InProcess {
    /// A target named `name` started by `start`, which binds (servers) or
    /// connects (clients) and spawns its work.
    pub fn new<F, Fut>(name: impl Into<String>, start: F) -> Self
    where
        F: Fn(InProcessIo) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = io::Result<Started>> + Send + 'static,
    {
        InProcess {
            name: name.into(),
            start: Arc::new(move |io| Box::pin(start(io))),
        }
    }
}

impl Target for InProcess {
    fn describe(&self) -> String {
        format!("{} (in-process)", self.name)
    }

    fn kind(&self) -> sockspec_results::TargetKind {
        sockspec_results::TargetKind::InProcess
    }

    fn isolated(&self) -> bool {
        true
    }

    fn sandboxed(&self) -> bool {
        false
    }

    fn network(&self, _local: &[IpAddr]) -> Result<Net, LaunchError> {
        Ok(Net::host())
    }

    fn launch<'a>(
        &'a self,
        net: &'a Net,
        request: LaunchRequest,
    ) -> BoxFuture<'a, Result<Instance, LaunchError>> {
        Box::pin(async move {
            let output = Output::default();
            let (line_tx, line_rx) = mpsc::channel(1);
            let io = InProcessIo {
                connect_to: request.connect_to,
                bind_to: request
                    .bind_to
                    .unwrap_or_else(|| "127.0.0.1:0".parse().expect("valid literal")),
                input: line_rx,
                stdout: output.writer(Stream::Stdout),
                net: net.clone(),
                broadcast: request.broadcast.unwrap_or(std::net::Ipv4Addr::BROADCAST),
                idle: IdleReport::default(),
            };
            let idle = io.idle.clone();
            let started = (self.start)(io)
                .await
                .map_err(|e| LaunchError::Setup(format!("{}: {e}", self.name)))?;
            let abort = super::AbortOnDrop(started.task.abort_handle());
            let (exit_tx, exit_rx) = watch::channel(None);
            let out = output.clone();
            let watcher = tokio::spawn(async move {
                let code = match started.task.await {
                    Ok(Ok(())) => 0,
                    Ok(Err(e)) => {
                        out.append(Stream::Stderr, format!("error: {e}\n").as_bytes());
                        1
                    }
                    Err(e) => {
                        out.append(Stream::Stderr, format!("task ended: {e}\n").as_bytes());
                        101
                    }
                };
                let _ = exit_tx.send(Some(ExitInfo {
                    code: Some(code),
                    signal: None,
                }));
            });
            let feeder = tokio::spawn(stdin::feed(
                StdinSink::Channel(line_tx),
                request.input,
                request.activity,
                request.close_stdin,
            ));
            let mut instance = Instance::new(
                started.addr,
                output,
                None,
                exit_rx,
                vec![
                    Box::new(abort),
                    Box::new(super::AbortOnDrop(watcher.abort_handle())),
                    Box::new(super::AbortOnDrop(feeder.abort_handle())),
                ],
            );
            if let Some(probe) = idle.get() {
                instance.set_idle_probe(probe);
            }
            Ok(instance)
        })
    }
}
