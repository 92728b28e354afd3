//! `sockspec reference ROLE`: the reference implementation as a program.

use crate::cli::ReferenceArgs;
use sockspec_harness::Role;
use sockspec_reference::udp;
use tokio::io::AsyncBufReadExt;

/// Runs the reference for a role until killed (servers) or stdin ends (clients).
pub async fn run(args: ReferenceArgs) -> u8 {
    let result = match args.role {
        Role::UdpServer => serve_udp(args.bind).await,
        Role::UdpClient => match args.connect {
            Some(server) => udp_client(server).await,
            None => return super::usage_error("a client needs --connect HOST:PORT"),
        },
        other => {
            return super::usage_error(format!("there is no reference {other} yet"));
        }
    };
    match result {
        Ok(()) => super::EXIT_OK,
        Err(e) => {
            eprintln!("sockspec reference {}: {e}", args.role);
            super::EXIT_INTERNAL
        }
    }
}

async fn serve_udp(bind: std::net::SocketAddr) -> std::io::Result<()> {
    let socket = tokio::net::UdpSocket::bind(bind).await?;
    println!("reference udp-server listening on {}", socket.local_addr()?);
    udp::serve_echo(socket).await
}

async fn udp_client(server: std::net::SocketAddr) -> std::io::Result<()> {
    let (tx, rx) = tokio::sync::mpsc::channel(1);
    tokio::spawn(async move {
        let mut lines = tokio::io::BufReader::new(tokio::io::stdin()).lines();
        while let Ok(Some(line)) = lines.next_line().await {
            if tx.send(line).await.is_err() {
                break;
            }
        }
    });
    udp::run_client(server, rx, tokio::io::stdout()).await
}
