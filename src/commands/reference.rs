//! `sockspec reference ROLE`: the reference implementation as a program.

use crate::cli::ReferenceArgs;
use sockspec_grade::CommandError;
use sockspec_grade::error::usage;
use sockspec_reference::{http, tcp, udp};
use sockspec_results::{ExitStatus, Role};
use tokio::io::AsyncBufReadExt;

/// Runs the reference for a role until killed (servers) or stdin ends (clients).
pub(crate) async fn run(args: ReferenceArgs) -> Result<ExitStatus, CommandError> {
    let result = match args.role {
        Role::UdpServer => serve_udp(args.bind).await,
        Role::TcpServer => match tokio::net::TcpListener::bind(args.bind).await {
            Ok(listener) => {
                announce(args.role, listener.local_addr());
                tcp::serve_echo(listener, sockspec_reference::activity::Task::unwatched()).await
            }
            Err(e) => Err(e),
        },
        Role::HttpServer => match tokio::net::TcpListener::bind(args.bind).await {
            Ok(listener) => {
                announce(args.role, listener.local_addr());
                http::serve(listener).await
            }
            Err(e) => Err(e),
        },
        Role::UdpClient | Role::TcpClient | Role::HttpClient => {
            let Some(server) = args.connect else {
                return Err(usage("a client needs --connect HOST:PORT"));
            };
            match args.role {
                Role::UdpClient => {
                    udp::run_client(server, stdin_lines(), tokio::io::stdout()).await
                }
                Role::TcpClient => {
                    tcp::run_client(server, stdin_lines(), tokio::io::stdout()).await
                }
                _ => {
                    http::run_client(
                        server,
                        "/index.html",
                        tokio::io::stdout(),
                        sockspec_reference::activity::Task::unwatched(),
                    )
                    .await
                }
            }
        }
        other => {
            return Err(usage(format!("there is no reference {other} yet")));
        }
    };
    result
        .map(|()| ExitStatus::Ok)
        .map_err(|e| CommandError::Internal(format!("reference {}: {e}", args.role)))
}

async fn serve_udp(bind: std::net::SocketAddr) -> std::io::Result<()> {
    let socket = tokio::net::UdpSocket::bind(bind).await?;
    announce(Role::UdpServer, socket.local_addr());
    udp::serve_echo(socket, sockspec_reference::activity::Task::unwatched()).await
}

/// Says where a reference server listens (so a user can point a client at it).
fn announce(role: Role, addr: std::io::Result<std::net::SocketAddr>) {
    if let Ok(addr) = addr {
        println!("reference {role} listening on {addr}");
    }
}

/// This process's stdin, one line at a time, for a reference client.
fn stdin_lines() -> tokio::sync::mpsc::Receiver<String> {
    let (tx, rx) = tokio::sync::mpsc::channel(1);
    tokio::spawn(async move {
        let mut lines = tokio::io::BufReader::new(tokio::io::stdin()).lines();
        while let Ok(Some(line)) = lines.next_line().await {
            if tx.send(line).await.is_err() {
                break;
            }
        }
    });
    rx
}
