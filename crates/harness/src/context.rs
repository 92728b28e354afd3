//! The context a check runs in: the target, its instance, sockspec's recorded
//! endpoints, and what goes into the evidence.

use crate::check::Check;
use crate::latency::Latency;
use crate::net::{Net, loopback_for};
use crate::recorder::Recorder;
use crate::settings::Settings;
use crate::target::{Instance, LaunchError, LaunchRequest, Target};
use crate::tcp::TcpPeer;
use crate::udp::UdpPeer;
use sockspec_results::Contract;
use sockspec_results::{Message, Verdict, msg};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;

/// What a check works with. One per check run; its instances end with it.
pub struct Ctx {
    check: &'static Check,
    settings: Arc<Settings>,
    target: Arc<dyn Target>,
    recorder: Recorder,
    net: Option<Net>,
    instance: Option<Instance>,
    launches: u32,
    /// The output of the last instance that failed to start (its traceback).
    failed_output: Option<crate::output::Output>,
    /// How the last instance that failed to start ended.
    failed_exit: Option<sockspec_results::ExitInfo>,
    /// The address `{broadcast}` stands for in this check.
    broadcast: Option<std::net::Ipv4Addr>,
    /// Latency measured from this target during this check.
    pub latency: Latency,
    /// Facts for the evidence (`seed`, `cases`, free-form notes).
    pub facts: Facts,
    events: crate::runner::EventSink,
    /// Redirection of the client's traffic to sockspec, and the namespace it is in.
    redirection: Option<Redirected>,
    /// Where the client meant to connect, for each connection sockspec accepted.
    pub destinations: Vec<Destination>,
}

/// The redirection installed in a sandbox's network, and where it sends.
struct Redirected {
    net: Net,
    installed: crate::redirect::Redirection,
    tcp_to: Option<u16>,
    udp_to: Option<u16>,
}

/// Where a client target meant to send: the address it used, and the host
/// name it looked up for it, if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Destination {
    /// The address and port the client passed to `connect()` or `sendto()`.
    pub addr: SocketAddr,
    /// The name it resolved to that address (sockspec's name responder).
    pub name: Option<String>,
}

impl std::fmt::Display for Destination {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.name {
            Some(name) => write!(f, "{name}:{} ({})", self.addr.port(), self.addr),
            None => write!(f, "{}", self.addr),
        }
    }
}

/// Facts a check records for the evidence.
#[derive(Debug, Clone, Default)]
pub struct Facts {
    /// The seed of a property check.
    pub seed: Option<u64>,
    /// How many cases a property check ran.
    pub cases: Option<u32>,
    /// Anything else worth showing.
    pub notes: Vec<Message>,
    /// How often the smallest failing case failed when run again, when the
    /// check re-ran it itself (a property check): the runner then does not
    /// re-run the whole check.
    pub reproduced: Option<sockspec_results::Reproduced>,
}

impl Ctx {
    /// A fresh context for one run of `check` against `target`.
    pub fn new(
        check: &'static Check,
        settings: Arc<Settings>,
        target: Arc<dyn Target>,
        events: crate::runner::EventSink,
    ) -> Ctx {
        Ctx {
            check,
            settings,
            target,
            recorder: Recorder::default(),
            net: None,
            instance: None,
            launches: 0,
            failed_output: None,
            failed_exit: None,
            broadcast: None,
            latency: Latency::default(),
            facts: Facts::default(),
            events,
            redirection: None,
            destinations: Vec::new(),
        }
    }

    /// The check being run.
    pub fn check(&self) -> &'static Check {
        self.check
    }

    /// How far the current instance's input script got, and whether it read it.
    pub fn stdin_progress(&self) -> Option<crate::stdin::StdinProgress> {
        self.instance.as_ref().and_then(Instance::stdin_progress)
    }

    /// The language the target is written in (hints speak of its API).
    pub fn language(&self) -> sockspec_results::ProgramLanguage {
        self.target.language()
    }

    /// The run's settings.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// The contract the target's replies are judged by.
    pub fn contract(&self) -> Contract {
        self.settings.contract
    }

    /// The target under test.
    pub fn target(&self) -> &dyn Target {
        self.target.as_ref()
    }

    /// The transcript recorder.
    pub fn recorder(&self) -> &Recorder {
        &self.recorder
    }

    /// The current instance, if one was started.
    pub fn instance(&self) -> Option<&Instance> {
        self.instance.as_ref()
    }

    /// The current instance's exit watch, to stop waiting when it ends.
    pub fn exit_watch(&self) -> Option<crate::target::ExitWatch> {
        self.instance.as_ref().map(Instance::exit_watch)
    }

    /// Stops the current instance (its sandbox stays for the next one).
    pub fn stop_instance(&mut self) {
        self.instance = None;
    }

    /// Addresses that must be local in the target's network: `--addr` and any
    /// address written in its source.
    fn local_ips(&self) -> Vec<IpAddr> {
        let mut ips: Vec<IpAddr> = self
            .settings
            .addr
            .iter()
            .filter(|a| a.name().is_none())
            .map(|a| a.socket_addr().ip())
            .collect();
        ips.extend(self.target.hinted_addrs().iter().map(|a| a.ip()));
        ips
    }

    /// Runs the target's next instances in `net` (a LAN host), with
    /// `{broadcast}` standing for `broadcast`.
    pub fn place_on(&mut self, net: Net, broadcast: std::net::Ipv4Addr) {
        self.instance = None;
        self.net = Some(net);
        self.broadcast = Some(broadcast);
    }

    /// Starts one more server instance beside the current one (two receivers
    /// on one host); it is not the context's instance and ends when dropped.
    pub async fn extra_server(&mut self) -> Result<Result<Instance, LaunchError>, Verdict> {
        let net = self.net()?;
        let request = self.request(None, false);
        Ok(self.target.launch(&net, request).await)
    }

    /// The network the target runs in (made on first use).
    pub fn net(&mut self) -> Result<Net, Verdict> {
        if let Some(net) = &self.net {
            return Ok(net.clone());
        }
        let net = self
            .target
            .network(&self.local_ips())
            .map_err(|e| Verdict::Error(e.message()))?;
        self.net = Some(net.clone());
        Ok(net)
    }

    fn request(&self, connect_to: Option<SocketAddr>, close_stdin: bool) -> LaunchRequest {
        LaunchRequest {
            role: self.check.role,
            connect_to,
            bind_to: self.settings.addr.as_ref().map(|a| a.socket_addr()),
            connect_name: self
                .settings
                .addr
                .as_ref()
                .and_then(|a| a.name().map(str::to_string)),
            input: self.settings.input.clone(),
            close_stdin,
            activity: self.recorder.activity(),
            start_timeout: self.settings.start_timeout,
            broadcast: self.broadcast,
        }
    }

    /// Output of the current instance, or of the last one that failed to start.
    pub fn output(&self) -> Option<&crate::output::Output> {
        self.instance
            .as_ref()
            .map(|i| &i.output)
            .or(self.failed_output.as_ref())
    }

    /// How the current instance ended, or how the last failed start ended.
    pub fn exit(&self) -> Option<sockspec_results::ExitInfo> {
        self.instance
            .as_ref()
            .and_then(Instance::exited)
            .or(self.failed_exit)
    }

    fn launch_failed(&mut self, e: LaunchError) -> Verdict {
        self.failed_output = e.output().cloned();
        if let LaunchError::ExitedEarly { exit, .. } = &e {
            self.failed_exit = Some(*exit);
        }
        match &e {
            LaunchError::Spawn(_) | LaunchError::Setup(_) => Verdict::Error(e.message()),
            LaunchError::ExitedEarly { exit, .. } => Verdict::violated(msg!(
                "launch-died-before-bind",
                state = crate::target::ended(*exit),
                role = self.check.role.as_str()
            )),
            LaunchError::NeverReady { .. } => Verdict::violated(msg!(
                "launch-bound-nothing",
                reason = e.message(),
                role = self.check.role.as_str(),
                transport = self.check.role.transport().as_str()
            )),
        }
    }

    /// The address of a running server instance, starting one if there is none
    /// or the last one exited (a one-shot server is started again).
    pub async fn server(&mut self) -> Result<SocketAddr, Verdict> {
        if let Some(instance) = &self.instance {
            match instance.exited() {
                None => {
                    return instance
                        .addr
                        .ok_or_else(|| Verdict::Error(msg!("server-without-address")));
                }
                Some(exit) => {
                    self.recorder
                        .note("sockspec", format!("the target {exit}; starting it again"));
                    // A fresh namespace, so the restart never meets the last
                    // instance's TIME_WAIT (unless the check placed it on a LAN host).
                    if self.broadcast.is_none() && self.target.sandboxed() {
                        self.instance = None;
                        self.net = None;
                    }
                }
            }
        }
        self.launch(None, false).await?;
        let addr = self
            .instance
            .as_ref()
            .and_then(|i| i.addr)
            .ok_or_else(|| Verdict::Error(msg!("server-without-address")))?;
        self.recorder
            .note("sockspec", format!("target is serving on {addr}"));
        Ok(addr)
    }

    /// Starts a client instance that will use the server at `connect_to`.
    pub async fn start_client(&mut self, connect_to: SocketAddr) -> Result<(), Verdict> {
        // A wildcard listener (redirection) is offered at the address the client expects.
        let connect_to = if connect_to.ip().is_unspecified() {
            let want = self.client_server_addr();
            let ip = if want.ip().is_unspecified() {
                IpAddr::V4(Ipv4Addr::LOCALHOST)
            } else {
                want.ip()
            };
            SocketAddr::new(ip, connect_to.port())
        } else {
            connect_to
        };
        self.launch(Some(connect_to), true).await
    }

    /// Whether the target's outgoing traffic is redirected to sockspec: a
    /// client role, in a sandbox, not on a simulated LAN.
    fn redirects(&self) -> bool {
        use sockspec_results::Role;
        matches!(
            self.check.role,
            Role::TcpClient | Role::HttpClient | Role::UdpClient
        ) && self.target.sandboxed()
            && self.broadcast.is_none()
    }

    /// Sends every connection (`tcp`) or datagram (`udp`) the target makes, to
    /// any address, to sockspec's socket on that port, and answers every host
    /// name it looks up; once per namespace.
    fn redirect(&mut self, net: &Net, tcp: Option<u16>, udp: Option<u16>) -> Result<(), Verdict> {
        if self
            .redirection
            .as_ref()
            .is_some_and(|r| r.net.same_as(net) && r.tcp_to == tcp && r.udp_to == udp)
        {
            return Ok(());
        }
        let redirect = crate::redirect::Redirect {
            tcp_to: tcp,
            udp_to: udp,
            names: true,
            exempt: Vec::new(),
        };
        // Installed again (another port), it replaces the rules before.
        let installed = crate::redirect::install(net, &redirect)
            .map_err(|e| Verdict::Error(msg!("sockspec-redirect-failed", error = e.to_string())))?;
        self.redirection = Some(Redirected {
            net: net.clone(),
            installed,
            tcp_to: tcp,
            udp_to: udp,
        });
        Ok(())
    }

    /// The port to listen on for redirected traffic when the target named
    /// none (`wanted` 0): the one the rules in `net` already send to, so a
    /// check's second session needs no new rules.
    fn redirect_port(&self, net: &Net, wanted: u16, udp: bool) -> u16 {
        match &self.redirection {
            Some(r) if wanted == 0 && r.net.same_as(net) => {
                if udp { r.udp_to } else { r.tcp_to }.unwrap_or(0)
            }
            _ => wanted,
        }
    }

    /// The name the client looked up for `ip`, if it looked one up.
    pub fn name_for(&self, ip: IpAddr) -> Option<String> {
        self.redirection
            .as_ref()
            .and_then(|r| r.installed.name_for(ip))
    }

    /// Starts a new instance in the target's network, replacing the current one.
    async fn launch(
        &mut self,
        connect_to: Option<SocketAddr>,
        close_stdin: bool,
    ) -> Result<(), Verdict> {
        let net = self.net()?;
        let request = self.request(connect_to, close_stdin);
        self.instance = None;
        let instance = self
            .target
            .launch(&net, request)
            .await
            .map_err(|e| self.launch_failed(e))?;
        self.launches += 1;
        (self.events)(sockspec_results::RunEvent::TargetStarted {
            id: self.check.id,
            launches: self.launches,
        });
        self.instance = Some(instance);
        Ok(())
    }

    /// Where a client target expects its server: `--addr`, else an address in
    /// its source, else loopback with a port of sockspec's choosing (0).
    pub fn client_server_addr(&self) -> SocketAddr {
        self.settings
            .addr
            .as_ref()
            .map(|a| a.socket_addr())
            .or_else(|| {
                self.target
                    .hinted_addrs()
                    .into_iter()
                    .find(|a| !a.ip().is_unspecified())
            })
            .unwrap_or_else(|| SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 0))
    }

    /// A UDP endpoint of sockspec's named `label`, in the target's network,
    /// bound to loopback and sending to `peer`.
    pub fn udp_client(&mut self, label: &str, peer: SocketAddr) -> Result<UdpPeer, Verdict> {
        self.udp_bound(label, loopback_for(&peer), Some(peer))
    }

    /// A UDP endpoint of sockspec's bound to `addr` in the target's network.
    pub fn udp_bound(
        &mut self,
        label: &str,
        addr: SocketAddr,
        peer: Option<SocketAddr>,
    ) -> Result<UdpPeer, Verdict> {
        let net = self.net()?;
        let bind_failed = |e: std::io::Error| {
            Verdict::Error(msg!(
                "sockspec-bind-failed",
                addr = addr,
                error = e.to_string()
            ))
        };
        let socket = if self.redirects() && peer.is_none() {
            // On loopback, where redirected datagrams arrive: replies from
            // there are the redirected flow's, and reach the client from the
            // address it sent to.
            let port = self.redirect_port(&net, addr.port(), true);
            let socket = net
                .udp_bind(SocketAddr::new(loopback_for(&addr).ip(), port))
                .map_err(bind_failed)?;
            let port = socket.local_addr().map_err(bind_failed)?.port();
            self.redirect(&net, None, Some(port))?;
            socket
        } else {
            net.udp_bind(addr).map_err(bind_failed)?
        };
        let mut udp = UdpPeer::new(socket, label, self.recorder.clone(), peer);
        udp.watch_idle(self.idle_watch());
        Ok(udp)
    }

    /// A TCP connection of sockspec's to the target at `to`; the inner error is
    /// the connect() failure (refused, reset), which is the target's business.
    pub async fn tcp_connect(
        &mut self,
        label: &str,
        to: SocketAddr,
    ) -> Result<std::io::Result<TcpPeer>, Verdict> {
        let net = self.net()?;
        let idle = self.idle_watch();
        Ok(TcpPeer::connect(&net, to, label, self.recorder.clone())
            .await
            .map(|mut peer| {
                peer.watch_idle(idle);
                peer
            }))
    }

    /// A listening TCP socket of sockspec's at `addr` in the target's network.
    pub fn tcp_listen(&mut self, addr: SocketAddr) -> Result<tokio::net::TcpListener, Verdict> {
        let net = self.net()?;
        if self.redirects() {
            let port = self.redirect_port(&net, addr.port(), false);
            let listener = net
                .wildcard_socket(port, socket2::Type::STREAM, socket2::Protocol::TCP)
                .and_then(|s| {
                    s.listen(128)?;
                    tokio::net::TcpListener::from_std(s.into())
                })
                .map_err(|e| {
                    Verdict::Error(msg!(
                        "sockspec-listen-failed",
                        addr = addr,
                        error = e.to_string()
                    ))
                })?;
            let port = listener.local_addr().map_or(addr.port(), |a| a.port());
            self.redirect(&net, Some(port), None)?;
            return Ok(listener);
        }
        net.tcp_listen(addr).map_err(|e| {
            Verdict::Error(msg!(
                "sockspec-listen-failed",
                addr = addr,
                error = e.to_string()
            ))
        })
    }

    /// The next connection the target makes to `listener`, within `limit` and
    /// before the target ends.
    pub async fn tcp_accept(
        &mut self,
        listener: &tokio::net::TcpListener,
        label: &str,
        limit: std::time::Duration,
    ) -> Result<Option<TcpPeer>, Verdict> {
        let net = self.net()?;
        let ended = self.exit_watch();
        let target_ended = async {
            match ended {
                Some(mut watch) => {
                    let _ = watch.wait_for(|e| e.is_some()).await;
                }
                None => std::future::pending().await,
            }
        };
        let accepted = tokio::select! {
            r = tokio::time::timeout(limit, listener.accept()) => r,
            () = target_ended => return Ok(None),
        };
        match accepted {
            Ok(Ok((stream, from))) => {
                let original = crate::redirect::original_destination(&stream);
                match original {
                    Ok(meant) => {
                        let destination = Destination {
                            addr: meant,
                            name: self.name_for(meant.ip()),
                        };
                        self.recorder.note(
                            label,
                            format!("accepted a connection from {from}, meant for {destination}"),
                        );
                        self.destinations.push(destination);
                    }
                    Err(_) => self
                        .recorder
                        .note(label, format!("accepted a connection from {from}")),
                }
                TcpPeer::accepted(stream, &net, label, self.recorder.clone())
                    .map(|mut peer| {
                        peer.watch_idle(self.idle_watch());
                        if let Ok(meant) = original {
                            peer.seen_by_target_as(meant);
                        }
                        Some(peer)
                    })
                    .map_err(|e| {
                        Verdict::Error(msg!("sockspec-socket-failed", error = e.to_string()))
                    })
            }
            Ok(Err(e)) => Err(Verdict::Error(msg!(
                "sockspec-socket-failed",
                error = e.to_string()
            ))),
            Err(_) => Ok(None),
        }
    }

    /// A watch on the current instance's idleness (an external program, or
    /// an in-process target that left an idle probe), whose quiet window
    /// follows this check's measured latency.
    pub fn idle_watch(&self) -> Option<crate::idle::IdleWatch> {
        let instance = self.instance.as_ref()?;
        if self.target.kind() == sockspec_results::TargetKind::InProcess {
            return instance
                .idle_probe()
                .map(|probe| crate::idle::IdleWatch::in_process(probe, self.latency.clone()));
        }
        Some(crate::idle::IdleWatch::new(
            instance.pid?,
            instance.stdin_watch(),
            self.latency.clone(),
        ))
    }

    /// Resolves once the current instance is proven idle for the rest of
    /// `horizon` (see [`crate::idle`]); never when that cannot be proven.
    pub async fn proven_idle(&self, horizon: std::time::Duration) {
        match self.idle_watch() {
            Some(watch) => watch.proven(horizon, || true).await,
            None => std::future::pending().await,
        }
    }

    /// The process whose descriptors show what the target holds: the external
    /// program, or sockspec itself for an in-process target; none for a remote one.
    pub fn observed_pid(&self) -> Option<u32> {
        match self.target.kind() {
            sockspec_results::TargetKind::InProcess => Some(std::process::id()),
            _ => self.instance.as_ref().and_then(|i| i.pid),
        }
    }

    /// How much of `window` the target's processes spent on the CPU or ready
    /// for it (external programs only: an in-process target cannot be told
    /// from sockspec). Busy time rather than CPU time, so a busy loop shows as
    /// one however loaded the machine is: see [`Ctx::busy_over`].
    pub async fn cpu_over(&self, window: std::time::Duration) -> Option<std::time::Duration> {
        self.busy_over(window).await
    }

    /// How long the target's threads were busy (running, or runnable and
    /// waiting for a CPU) over `window`: a busy loop counts the whole window
    /// even on a loaded machine (external programs only).
    /// Ends early, with the busy time so far (none), once the target is
    /// proven idle: a program waiting for input is not busy.
    pub async fn busy_over(&self, window: std::time::Duration) -> Option<std::time::Duration> {
        let instance = self.instance.as_ref()?;
        let before = instance.busy_time()?;
        tokio::select! {
            () = tokio::time::sleep(window) => {}
            () = self.proven_idle(window) => {}
        }
        Some(instance.busy_time()?.saturating_sub(before))
    }

    /// The phrase a diagnosis uses for the target's state: waits for an exit
    /// that is under way (a crash is reaped a moment after its connection
    /// breaks; a shutdown is slow on a loaded machine) until it is proven not
    /// to come ([`crate::ending::exit_within`]), so a dead target is not
    /// called running.
    pub async fn target_state(&self) -> Message {
        match &self.instance {
            None => msg!("state-not-running"),
            Some(instance) => {
                crate::ending::exit_within(self, self.settings.reply_timeout).await;
                instance.state()
            }
        }
    }

    /// How many instances were started in this check.
    pub fn launches(&self) -> u32 {
        self.launches
    }
}
