//! TCP: an echo server that serves clients concurrently, and a line client.

use crate::activity::Task;
use std::io;
use std::net::SocketAddr;
use std::os::fd::AsRawFd;
use tokio::io::{AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;

/// Echoes every byte back on each connection until the client closes its side,
/// then closes; each client in its own task. Runs until accept fails. It
/// runs as `task`, its connections as siblings of it (for idle proofs).
pub async fn serve_echo(listener: TcpListener, task: Task) -> io::Result<()> {
    let mut task = task;
    task.watch(listener.as_raw_fd());
    loop {
        let (conn, _) = task.wait(listener.accept()).await?;
        // Busy from the accept on, not only once its task first runs.
        let mut conn_task = task.sibling();
        conn_task.watch(conn.as_raw_fd());
        tokio::spawn(echo_connection(conn, conn_task));
    }
}

async fn echo_connection(mut conn: TcpStream, task: Task) -> io::Result<()> {
    // A local: dropped (unwatching the socket) before `conn` closes it.
    let mut task = task;
    let mut buf = vec![0u8; 64 * 1024];
    // Copies until EOF (an empty read), then closes: never spins on EOF.
    loop {
        let n = task.wait(conn.read(&mut buf)).await?;
        if n == 0 {
            return conn.shutdown().await;
        }
        conn.write_all(&buf[..n]).await?;
    }
}

/// Connects to `server`; for each line from `lines`, sends it with a newline,
/// reads until the whole echo came back, and writes it to `out`. Ends when
/// `lines` closes or the server closes the connection.
pub async fn run_client<W: AsyncWrite + Unpin>(
    server: SocketAddr,
    mut lines: mpsc::Receiver<String>,
    mut out: W,
) -> io::Result<()> {
    let mut conn = TcpStream::connect(server).await?;
    while let Some(line) = lines.recv().await {
        let mut message = line.trim_end_matches(['\r', '\n']).as_bytes().to_vec();
        message.push(b'\n');
        conn.write_all(&message).await?;
        let mut reply = vec![0u8; message.len()];
        // A reply may arrive in any number of pieces: read until it is whole.
        match conn.read_exact(&mut reply).await {
            Ok(_) => {
                out.write_all(&reply).await?;
                out.flush().await?;
            }
            Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => {
                out.write_all(b"server closed the connection\n").await?;
                return Ok(());
            }
            Err(e) => return Err(e),
        }
    }
    conn.shutdown().await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn echo_round_trip_through_the_client() {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(serve_echo(listener, Task::unwatched()));
        let (tx, rx) = mpsc::channel(4);
        tx.send("hello".into()).await.unwrap();
        tx.send("粘包".into()).await.unwrap();
        drop(tx);
        let mut out = Vec::new();
        run_client(addr, rx, &mut out).await.unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), "hello\n粘包\n");
    }

    #[tokio::test]
    async fn server_closes_after_the_client_does() {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(serve_echo(listener, Task::unwatched()));
        let mut conn = TcpStream::connect(addr).await.unwrap();
        conn.write_all(b"bye").await.unwrap();
        conn.shutdown().await.unwrap();
        let mut all = Vec::new();
        conn.read_to_end(&mut all).await.unwrap();
        assert_eq!(all, b"bye");
    }
}
