//! Correct HTTP/1.1 messages (RFC 9112): a request and a response formatter.
//! They write the framing themselves (Host, Content-Length), with CRLF line
//! endings and the empty line that ends the header section.

/// The fields the formatters write themselves; callers must not pass them.
const FRAMING_FIELDS: [&str; 3] = ["host", "content-length", "transfer-encoding"];

/// An HTTP/1.1 request: `method target HTTP/1.1`, `Host: host`, then `fields`
/// in order, then `Content-Length` when there is a body (or the method is
/// POST, PUT or PATCH, whose empty body is then announced as 0), then `body`.
///
/// `method` must be a token, `target` an origin-form target (`/path?query`),
/// `host` a `host[:port]`, and `fields` must not hold Host, Content-Length or
/// Transfer-Encoding (checked in debug builds).
pub fn format_request(
    method: &str,
    target: &str,
    host: &str,
    fields: &[(&str, &str)],
    body: &[u8],
) -> Vec<u8> {
    let mut out = Vec::with_capacity(64 + target.len() + host.len() + body.len());
    out.extend_from_slice(format!("{method} {target} HTTP/1.1\r\n").as_bytes());
    push_field(&mut out, "Host", host);
    push_fields(&mut out, fields);
    if !body.is_empty() || matches!(method, "POST" | "PUT" | "PATCH") {
        push_field(&mut out, "Content-Length", &body.len().to_string());
    }
    out.extend_from_slice(b"\r\n");
    out.extend_from_slice(body);
    out
}

/// An HTTP/1.1 response: `HTTP/1.1 status reason`, then `fields` in order,
/// then `Content-Length` and `body`, except for 1xx, 204 and 304, which have
/// no body (so `body` is left out).
///
/// `status` must be 100-599, `reason` visible characters and spaces, and
/// `fields` must not hold Host, Content-Length or Transfer-Encoding (checked in
/// debug builds).
pub fn format_response(status: u16, reason: &str, fields: &[(&str, &str)], body: &[u8]) -> Vec<u8> {
    debug_assert!((100..=599).contains(&status), "status {status}");
    let bodiless = status < 200 || status == 204 || status == 304;
    let mut out = Vec::with_capacity(64 + reason.len() + body.len());
    out.extend_from_slice(format!("HTTP/1.1 {status:03} {reason}\r\n").as_bytes());
    push_fields(&mut out, fields);
    if !bodiless {
        push_field(&mut out, "Content-Length", &body.len().to_string());
    }
    out.extend_from_slice(b"\r\n");
    if !bodiless {
        out.extend_from_slice(body);
    }
    out
}

/// Appends `fields` as field lines.
fn push_fields(out: &mut Vec<u8>, fields: &[(&str, &str)]) {
    for (name, value) in fields {
        debug_assert!(
            !FRAMING_FIELDS.iter().any(|f| f.eq_ignore_ascii_case(name)),
            "{name} is written by the formatter"
        );
        push_field(out, name, value);
    }
}

/// Appends one `name: value` field line.
fn push_field(out: &mut Vec<u8>, name: &str, value: &str) {
    out.extend_from_slice(name.as_bytes());
    out.extend_from_slice(b": ");
    out.extend_from_slice(value.as_bytes());
    out.extend_from_slice(b"\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_a_request_like_curl_does() {
        let request = format_request(
            "GET",
            "/",
            "127.0.0.1:8888",
            &[("User-Agent", "curl/7.88.1"), ("Accept", "*/*")],
            b"",
        );
        assert_eq!(
            request,
            b"GET / HTTP/1.1\r\nHost: 127.0.0.1:8888\r\nUser-Agent: curl/7.88.1\r\nAccept: */*\r\n\r\n"
        );
        let post = format_request("POST", "/f", "a", &[], b"");
        assert_eq!(
            post,
            b"POST /f HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n"
        );
    }

    #[test]
    fn formats_responses_with_and_without_a_body() {
        let ok = format_response(
            200,
            "OK",
            &[("Content-Type", "text/plain")],
            "你好".as_bytes(),
        );
        assert_eq!(
            ok,
            "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 6\r\n\r\n你好"
                .as_bytes()
        );
        assert_eq!(
            format_response(204, "No Content", &[], b"ignored"),
            b"HTTP/1.1 204 No Content\r\n\r\n"
        );
    }
}

/// The page the reference server serves at `/` and `/index.html`.
pub const INDEX: &[u8] = "<html><body><h1>sockspec 参考服务器</h1></body></html>\n".as_bytes();

/// Serves HTTP/1.1, each connection in its own task: `GET`/`HEAD` of `/` or
/// `/index.html` gets 200 and [`INDEX`], any other path 404, a request it
/// cannot read 400 (and the connection is closed). Connections stay open for
/// more requests unless the request says `Connection: close` or is HTTP/1.0.
pub async fn serve(listener: tokio::net::TcpListener) -> std::io::Result<()> {
    loop {
        let (conn, _) = listener.accept().await?;
        tokio::spawn(connection(conn));
    }
}

/// One parsed request head: what the reference server needs of it.
struct Head {
    method: String,
    target: String,
    keep_alive: bool,
    content_length: usize,
}

/// Reads a request head (`head` holds the bytes before `\r\n\r\n`).
fn parse_head(head: &[u8]) -> Option<Head> {
    let text = std::str::from_utf8(head).ok()?;
    let mut lines = text.split("\r\n");
    let mut parts = lines.next()?.split(' ');
    let (method, target, version) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some()
        || !matches!(version, "HTTP/1.1" | "HTTP/1.0")
        || !target.starts_with('/')
    {
        return None;
    }
    let mut keep_alive = version == "HTTP/1.1";
    let mut content_length = 0;
    for line in lines {
        let (name, value) = line.split_once(':')?;
        let value = value.trim();
        if name.eq_ignore_ascii_case("connection") {
            keep_alive = !value.eq_ignore_ascii_case("close");
        } else if name.eq_ignore_ascii_case("content-length") {
            content_length = value.parse().ok()?;
        }
    }
    Some(Head {
        method: method.to_string(),
        target: target.to_string(),
        keep_alive,
        content_length,
    })
}

async fn connection(mut conn: tokio::net::TcpStream) -> std::io::Result<()> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        // A request may arrive in any number of pieces: read the whole head.
        let end = loop {
            if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                break i;
            }
            let n = conn.read(&mut chunk).await?;
            if n == 0 {
                return Ok(());
            }
            buf.extend_from_slice(&chunk[..n]);
        };
        let Some(head) = parse_head(&buf[..end]) else {
            let bad = format_response(
                400,
                "Bad Request",
                &[("Connection", "close")],
                b"bad request\n",
            );
            conn.write_all(&bad).await?;
            return conn.shutdown().await;
        };
        let body_end = end + 4 + head.content_length;
        while buf.len() < body_end {
            let n = conn.read(&mut chunk).await?;
            if n == 0 {
                return Ok(());
            }
            buf.extend_from_slice(&chunk[..n]);
        }
        buf.drain(..body_end);
        let (status, reason, body) = match head.target.as_str() {
            "/" | "/index.html" => (200, "OK", INDEX),
            _ => (404, "Not Found", &b"not found\n"[..]),
        };
        let connection = if head.keep_alive {
            "keep-alive"
        } else {
            "close"
        };
        let fields = [
            ("Content-Type", "text/html; charset=utf-8"),
            ("Connection", connection),
        ];
        let mut response = format_response(status, reason, &fields, body);
        if head.method == "HEAD" {
            response.truncate(response.len() - body.len());
        }
        conn.write_all(&response).await?;
        if !head.keep_alive {
            return conn.shutdown().await;
        }
    }
}

/// Sends `GET path` with `Connection: close` to `server`, reads the response
/// until the server closes, and writes it to `out`. It runs as `task` (for
/// idle proofs).
pub async fn run_client<W: tokio::io::AsyncWrite + Unpin>(
    server: std::net::SocketAddr,
    path: &str,
    mut out: W,
    task: crate::activity::Task,
) -> std::io::Result<()> {
    use std::os::fd::AsRawFd;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let busy = task;
    let mut conn = tokio::net::TcpStream::connect(server).await?;
    // Declared after the connection: dropped (unwatching its socket) first.
    let mut task = busy;
    task.watch(conn.as_raw_fd());
    let request = format_request(
        "GET",
        path,
        &server.to_string(),
        &[("Connection", "close")],
        b"",
    );
    conn.write_all(&request).await?;
    let mut response = Vec::new();
    task.wait(conn.read_to_end(&mut response)).await?;
    out.write_all(&response).await?;
    out.flush().await
}

#[cfg(test)]
mod serve_tests {
    use super::*;

    #[tokio::test]
    async fn serves_the_index_then_404_on_one_connection_and_400_on_garbage() {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(serve(listener));
        let mut out = Vec::new();
        run_client(
            addr,
            "/index.html",
            &mut out,
            crate::activity::Task::unwatched(),
        )
        .await
        .unwrap();
        assert!(out.starts_with(b"HTTP/1.1 200 OK\r\n"));
        assert!(out.ends_with(INDEX));
        let mut conn = tokio::net::TcpStream::connect(addr).await.unwrap();
        conn.write_all(b"GARBAGE\r\n\r\n").await.unwrap();
        let mut reply = Vec::new();
        conn.read_to_end(&mut reply).await.unwrap();
        assert!(reply.starts_with(b"HTTP/1.1 400 "));
    }
}
