//! UDP broadcast: a sender of one datagram per line, and a receiver that
//! prints what it hears. Both take a socket made by the caller (with
//! SO_BROADCAST, or SO_REUSEADDR, on the network it should use).

use std::io;
use std::net::SocketAddr;
use tokio::io::{AsyncWrite, AsyncWriteExt};
use tokio::net::UdpSocket;
use tokio::sync::mpsc;

/// Sends each line from `lines` as one datagram to `to` (a broadcast address);
/// `socket` must have SO_BROADCAST set. Returns when `lines` closes.
pub async fn send_lines(
    socket: UdpSocket,
    to: SocketAddr,
    mut lines: mpsc::Receiver<String>,
) -> io::Result<()> {
    while let Some(line) = lines.recv().await {
        socket
            .send_to(line.trim_end_matches(['\r', '\n']).as_bytes(), to)
            .await?;
    }
    Ok(())
}

/// Writes every datagram `socket` receives to `out`, lossily decoded, one per line.
pub async fn print_datagrams<W: AsyncWrite + Unpin>(
    socket: UdpSocket,
    mut out: W,
) -> io::Result<()> {
    let mut buf = vec![0u8; 65_536];
    loop {
        let (n, _) = socket.recv_from(&mut buf).await?;
        let mut line = String::from_utf8_lossy(&buf[..n]).into_owned();
        line.push('\n');
        out.write_all(line.as_bytes()).await?;
        out.flush().await?;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn sends_lines_as_datagrams_and_prints_them() {
        // Loopback unicast stands in for a broadcast here: no LAN in a unit test.
        let receiver = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        let to = receiver.local_addr().unwrap();
        let (tx, rx) = mpsc::channel(2);
        tx.send("广播 1".into()).await.unwrap();
        drop(tx);
        send_lines(UdpSocket::bind("127.0.0.1:0").await.unwrap(), to, rx)
            .await
            .unwrap();
        let (out_tx, mut out_rx) = tokio::io::duplex(64);
        tokio::spawn(print_datagrams(receiver, out_tx));
        let mut buf = [0u8; 64];
        let n = tokio::io::AsyncReadExt::read(&mut out_rx, &mut buf)
            .await
            .unwrap();
        assert_eq!(std::str::from_utf8(&buf[..n]).unwrap(), "广播 1\n");
    }
}
