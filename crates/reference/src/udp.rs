//! UDP: an echo server and a line-per-datagram client.

use crate::activity::Task;
use std::io;
use std::net::SocketAddr;
use std::os::fd::AsRawFd;
use std::time::Duration;
use tokio::io::{AsyncWrite, AsyncWriteExt};
use tokio::net::UdpSocket;
use tokio::sync::mpsc;

/// The largest UDP payload over IPv4 (65535 - 8 - 20).
pub const MAX_DATAGRAM: usize = 65_507;

/// Answers every datagram, empty or not, with its own bytes, sent back to the
/// address it came from. Runs until the socket fails. It runs as `task`
/// (for idle proofs).
pub async fn serve_echo(socket: UdpSocket, task: Task) -> io::Result<()> {
    let mut task = task;
    task.watch(socket.as_raw_fd());
    let mut buf = vec![0u8; MAX_DATAGRAM + 1];
    loop {
        let (n, from) = task.wait(socket.recv_from(&mut buf)).await?;
        socket.send_to(&buf[..n], from).await?;
    }
}

/// How long the reference client waits for a reply before going on.
pub const CLIENT_PATIENCE: Duration = Duration::from_secs(2);

/// Sends each line from `lines` (without its newline) as exactly one datagram to
/// `server`, waits up to [`CLIENT_PATIENCE`] for the reply and writes it to `out`
/// followed by a newline. Returns when `lines` is closed.
pub async fn run_client<W: AsyncWrite + Unpin>(
    server: SocketAddr,
    mut lines: mpsc::Receiver<String>,
    mut out: W,
) -> io::Result<()> {
    let local: SocketAddr = if server.is_ipv4() {
        "0.0.0.0:0".parse().expect("valid literal")
    } else {
        "[::]:0".parse().expect("valid literal")
    };
    let socket = UdpSocket::bind(local).await?;
    let mut buf = vec![0u8; MAX_DATAGRAM + 1];
    while let Some(line) = lines.recv().await {
        let line = line.trim_end_matches(['\r', '\n']);
        socket.send_to(line.as_bytes(), server).await?;
        match tokio::time::timeout(CLIENT_PATIENCE, socket.recv_from(&mut buf)).await {
            Ok(Ok((n, _))) => {
                out.write_all(&buf[..n]).await?;
                out.write_all(b"\n").await?;
            }
            Ok(Err(e)) => return Err(e),
            Err(_) => out.write_all(b"(no reply)\n").await?,
        }
        out.flush().await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn echo_server_answers_each_datagram_including_empty_ones() {
        let server = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        let addr = server.local_addr().unwrap();
        let task = tokio::spawn(serve_echo(server, Task::unwatched()));
        let client = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        let mut buf = [0u8; 64];
        for payload in [&b"one"[..], b"", "你好".as_bytes()] {
            client.send_to(payload, addr).await.unwrap();
            let (n, from) = client.recv_from(&mut buf).await.unwrap();
            assert_eq!(&buf[..n], payload);
            assert_eq!(from, addr);
        }
        task.abort();
    }

    #[tokio::test]
    async fn client_sends_one_datagram_per_line_and_prints_replies() {
        let server = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        let addr = server.local_addr().unwrap();
        tokio::spawn(serve_echo(server, Task::unwatched()));
        let (tx, rx) = mpsc::channel(4);
        tx.send("hello\n".into()).await.unwrap();
        tx.send("世界".into()).await.unwrap();
        drop(tx);
        let mut out = Vec::new();
        run_client(addr, rx, &mut out).await.unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), "hello\n世界\n");
    }
}
