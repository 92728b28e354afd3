//! The reference implementation of each role as a target, for the catalog's
//! own tests and for `sockspec run --reference`.

use sockspec_harness::launch::{InProcess, Started};
use sockspec_harness::{Contract, Role, Target};
use sockspec_reference::activity::Activity;
use sockspec_reference::{broadcast, http, tcp, udp};
use std::io;
use std::sync::Arc;

/// What tells sockspec when a reference server is idle (see
/// [`sockspec_harness::idle`]).
fn idle_probe(activity: &Activity) -> impl Fn() -> bool + Send + Sync + 'static {
    let activity = activity.clone();
    move || activity.idle_now()
}

/// The reference target for `role`, if one exists yet.
pub fn target(role: Role) -> Option<Arc<dyn Target>> {
    let target = match role {
        Role::UdpServer => InProcess::new("reference udp-server", |io| async move {
            let socket = tokio::net::UdpSocket::bind(io.bind_to).await?;
            let addr = socket.local_addr()?;
            let activity = Activity::default();
            io.idle.set(idle_probe(&activity));
            Ok(Started {
                addr: Some(addr),
                task: tokio::spawn(udp::serve_echo(socket, activity.task())),
            })
        }),
        Role::UdpClient => InProcess::new("reference udp-client", |io| async move {
            let server = io
                .connect_to
                .ok_or_else(|| io::Error::other("a client needs a server address"))?;
            Ok(Started {
                addr: None,
                task: tokio::spawn(udp::run_client(server, io.input, io.stdout)),
            })
        }),
        Role::TcpServer => InProcess::new("reference tcp-server", |io| async move {
            let listener = tokio::net::TcpListener::bind(io.bind_to).await?;
            let addr = listener.local_addr()?;
            let activity = Activity::default();
            io.idle.set(idle_probe(&activity));
            Ok(Started {
                addr: Some(addr),
                task: tokio::spawn(tcp::serve_echo(listener, activity.task())),
            })
        }),
        Role::TcpClient => InProcess::new("reference tcp-client", |io| async move {
            let server = io
                .connect_to
                .ok_or_else(|| io::Error::other("a client needs a server address"))?;
            Ok(Started {
                addr: None,
                task: tokio::spawn(tcp::run_client(server, io.input, io.stdout)),
            })
        }),
        Role::HttpServer => InProcess::new("reference http-server", |io| async move {
            let listener = tokio::net::TcpListener::bind(io.bind_to).await?;
            let addr = listener.local_addr()?;
            Ok(Started {
                addr: Some(addr),
                task: tokio::spawn(http::serve(listener)),
            })
        }),
        Role::HttpClient => InProcess::new("reference http-client", |io| async move {
            let server = io
                .connect_to
                .ok_or_else(|| io::Error::other("a client needs a server address"))?;
            let activity = Activity::default();
            io.idle.set(idle_probe(&activity));
            Ok(Started {
                addr: None,
                task: tokio::spawn(http::run_client(
                    server,
                    "/index.html",
                    io.stdout,
                    activity.task(),
                )),
            })
        }),
        Role::BroadcastSender => InProcess::new("reference broadcast-sender", |io| async move {
            let to = io
                .connect_to
                .ok_or_else(|| io::Error::other("a sender needs the address to broadcast to"))?;
            let any = std::net::SocketAddr::from(([0, 0, 0, 0], 0));
            let socket = io.net.udp_bind(any)?;
            socket.set_broadcast(true)?;
            Ok(Started {
                addr: None,
                task: tokio::spawn(broadcast::send_lines(socket, to, io.input)),
            })
        }),
        Role::BroadcastReceiver => {
            InProcess::new("reference broadcast-receiver", |io| async move {
                let port = match io.bind_to.port() {
                    0 => 9999,
                    p => p,
                };
                let addr = std::net::SocketAddr::from(([0, 0, 0, 0], port));
                let socket = io.net.udp_bind_shared(addr)?;
                Ok(Started {
                    addr: Some(socket.local_addr()?),
                    task: tokio::spawn(broadcast::print_datagrams(socket, io.stdout)),
                })
            })
        }
    };
    Some(Arc::new(target))
}

/// The contract the reference for `role` keeps.
pub fn contract(role: Role) -> Contract {
    match role {
        Role::UdpServer | Role::UdpClient | Role::TcpServer | Role::TcpClient => Contract::Echo,
        _ => Contract::Any,
    }
}

/// The roles that have a reference implementation.
pub fn roles() -> Vec<Role> {
    Role::ALL
        .into_iter()
        .filter(|r| target(*r).is_some())
        .collect()
}
