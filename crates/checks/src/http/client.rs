//! Checks of an HTTP client: sockspec serves HTTP where the client connects,
//! captures its request byte for byte and validates it, then answers with a
//! response larger than 1 KiB cut into many segments (inside multi-byte
//! UTF-8 characters too), and closes.

use super::{Problem, listed};
use crate::check;
use crate::common::io_error;
use sockspec_harness::output::Stream;
use sockspec_harness::target::ended;
use sockspec_harness::tcp::Read;
use sockspec_harness::{Ctx, Verdict, msg};
use sockspec_results::Counterexample;
use sockspec_wire::http::{RequestReport, ids, request_end, validate_request};
use std::net::SocketAddr;

/// The last line of sockspec's response body: seen in the client's output
/// only if it read the whole response.
const END_MARKER: &str = "END-OF-RESPONSE sockspec 完";

/// How much of one request is read (a course client's is a few hundred
/// bytes): a client that sends without end is judged on this much of it.
const MAX_REQUEST: usize = 1 << 20;

/// How long sockspec listens for bytes after a complete request.
const STRAY_BYTES_WINDOW: std::time::Duration = std::time::Duration::from_millis(50);

/// How many bytes each segment of the response holds.
const SEGMENT: usize = 100;

/// What one session with the client gave.
struct Capture {
    /// Where sockspec served.
    server: SocketAddr,
    /// Whether the client connected.
    connected: bool,
    /// The request bytes, exactly as sent.
    request: Vec<u8>,
    /// Their validation.
    report: RequestReport,
    /// How the client ended after sockspec closed, if it did within the limit.
    exited: Option<sockspec_harness::ExitInfo>,
    /// The client's output.
    stdout: String,
    /// What it wrote to stderr.
    stderr: String,
    /// Whether it read every segment of the response (the wire says so).
    read_all: bool,
    /// Where the client meant to connect (redirected in a sandbox).
    meant: Option<sockspec_harness::context::Destination>,
}

/// The response: a page over 1 KiB whose last line is [`END_MARKER`].
fn response() -> Vec<u8> {
    let mut body = String::from("<html><body>\n");
    for i in 1..=40 {
        body.push_str(&format!("<p>sockspec line {i}: 你好, 世界</p>\n"));
    }
    body.push_str(END_MARKER);
    body.push_str("\n</body></html>\n");
    sockspec_reference::http::format_response(
        200,
        "OK",
        &[
            ("Content-Type", "text/html; charset=utf-8"),
            ("Connection", "close"),
        ],
        body.as_bytes(),
    )
}

/// Captures a session; `until_exit` waits for the client to end after the
/// response (a request rule needs only the request, unless there was none).
async fn capture(ctx: &mut Ctx, until_exit: bool) -> Result<Capture, Verdict> {
    let want = ctx.client_server_addr();
    let listener = ctx.tcp_listen(want)?;
    let server = listener.local_addr().map_err(io_error)?;
    ctx.start_client(server).await?;
    let limit = ctx.settings().start_timeout;
    let Some(mut peer) = ctx.tcp_accept(&listener, "server", limit).await? else {
        return Ok(Capture {
            server,
            connected: false,
            request: Vec::new(),
            report: validate_request(b""),
            exited: None,
            stdout: String::new(),
            stderr: String::new(),
            read_all: false,
            meant: None,
        });
    };
    // Where the client meant to connect (the name it looked up, the port it used).
    let meant = ctx.destinations.last().cloned();
    let patience = ctx.settings().reply_timeout;
    // No latency is measured from a client before its request: a short fixed
    // window catches bytes sent after the request's end.
    let quiet = STRAY_BYTES_WINDOW;
    let mut request = Vec::new();
    // Until the request is complete (then a quiet window for stray bytes, e.g.
    // a body sent without Content-Length), or the client stops sending.
    loop {
        if request.len() >= MAX_REQUEST {
            break;
        }
        let limit = if request_end(&request).is_some() {
            quiet
        } else {
            patience
        };
        match peer.read_some(limit).await.map_err(io_error)? {
            Read::Data(d) => request.extend_from_slice(&d),
            Read::Eof | Read::Reset | Read::Timeout => break,
        }
    }
    let report = validate_request(&request);
    snapshot(ctx, server, &request);
    let mut read_all = true;
    for piece in segments(&response()) {
        if peer.write(piece).await.is_err() {
            read_all = false;
            break;
        }
        // A client that left one piece unread is not waited for again.
        if read_all {
            read_all = peer.wait_peer_read(patience).await;
        }
    }
    peer.close();
    let exited = if until_exit || request.is_empty() {
        crate::common::exit_within(ctx, patience).await
    } else {
        ctx.exit()
    };
    if exited.is_none()
        && let Some(pid) = ctx.instance().and_then(|i| i.pid)
    {
        crate::common::output_read(pid).await;
    }
    let text = |stream| {
        ctx.instance()
            .map(|i| String::from_utf8_lossy(&i.output.get(stream).bytes).into_owned())
            .unwrap_or_default()
    };
    let (stdout, stderr) = (text(Stream::Stdout), text(Stream::Stderr));
    Ok(Capture {
        server,
        connected: true,
        request,
        report,
        exited,
        stdout,
        stderr,
        read_all,
        meant,
    })
}

/// `bytes` cut into segments of at most [`SEGMENT`] bytes, each cut falling
/// inside a multi-byte UTF-8 character where one is near (a client that
/// decodes each recv() on its own then meets half a character).
fn segments(bytes: &[u8]) -> Vec<&[u8]> {
    let continuation = |b: u8| b & 0xC0 == 0x80;
    let mut out = Vec::new();
    let mut rest = bytes;
    while rest.len() > SEGMENT {
        let cut = (SEGMENT / 2..=SEGMENT)
            .rev()
            .find(|&i| continuation(rest[i]))
            .unwrap_or(SEGMENT);
        let (piece, tail) = rest.split_at(cut);
        out.push(piece);
        rest = tail;
    }
    if !rest.is_empty() {
        out.push(rest);
    }
    out
}

/// Keeps the request, with sockspec's port written `{port}`, in the snapshot
/// folder; a different earlier snapshot is noted (and the new one written
/// beside it as `.new`).
fn snapshot(ctx: &mut Ctx, server: SocketAddr, request: &[u8]) {
    let Some(dir) = ctx.settings().snapshot_dir.clone() else {
        return;
    };
    let normalized =
        String::from_utf8_lossy(request).replace(&format!(":{}", server.port()), ":{port}");
    let path = dir.join("request.http");
    let note = match std::fs::read_to_string(&path) {
        Ok(old) if old == normalized => None,
        Ok(_) => {
            let new = dir.join("request.http.new");
            let _ = std::fs::write(&new, &normalized);
            Some(msg!(
                "http-client-snapshot-differs",
                path = path.display().to_string(),
                new = new.display().to_string()
            ))
        }
        Err(_) => {
            let _ = std::fs::create_dir_all(&dir).and_then(|_| std::fs::write(&path, &normalized));
            None
        }
    };
    if let Some(note) = note {
        ctx.facts.notes.push(note);
    }
}

fn not_connected(server: SocketAddr) -> Verdict {
    Verdict::violated(msg!("http-client-not-connected", server = server))
}

/// A request rule (the check's own ID names it): the capture's violations of
/// that ID, plus Host's agreement with the address the client connected to.
async fn request_rule(ctx: &mut Ctx) -> Result<Verdict, Verdict> {
    let id = ctx.check().id;
    let cap = capture(ctx, false).await?;
    if !cap.connected {
        return Ok(not_connected(cap.server));
    }
    if cap.request.is_empty() {
        return Ok(Verdict::violated(msg!(
            "http-client-no-request",
            state = ctx.target_state().await
        )));
    }
    let mut problems: Vec<Problem> = cap
        .report
        .violations
        .iter()
        .filter(|v| v.check == id)
        .map(Problem::from)
        .collect();
    if id == ids::REQUEST_HOST
        && let Some(wrong) = host_port_mismatch(&cap)
    {
        problems.push(wrong);
    }
    let Some(first) = problems.first() else {
        let line = super::first_line(&cap.request);
        return Ok(Verdict::Holds(msg!("http-request-holds", line = line)));
    };
    // The evidence of a failure says how the client ended.
    let _ = crate::common::exit_within(ctx, ctx.settings().reply_timeout).await;
    Ok(Verdict::Violated {
        diagnosis: msg!(
            "http-request-violated",
            problem = first.what.clone(),
            more = problems.len() - 1
        ),
        counterexample: Some(Counterexample::Described(msg!(
            "http-request-counterexample",
            request = &cap.request,
            problems = listed(&problems)
        ))),
    })
}

/// A Host whose port (80 when none is written) is not the port the client
/// connected to.
fn host_port_mismatch(cap: &Capture) -> Option<Problem> {
    let request = cap.report.request.as_ref()?;
    let host = String::from_utf8_lossy(request.field("host")?)
        .trim()
        .to_string();
    let port = match host.rsplit_once(':') {
        Some((h, p)) if !h.ends_with(']') || host.starts_with('[') => p.parse::<u16>().ok()?,
        _ => 80,
    };
    let wanted = cap
        .meant
        .as_ref()
        .map_or(cap.server.port(), |m| m.addr.port());
    if let Some(name) = cap.meant.as_ref().and_then(|m| m.name.as_deref()) {
        let written = match host.rsplit_once(':') {
            Some((h, p)) if p.parse::<u16>().is_ok() => h,
            _ => host.as_str(),
        };
        if !written.eq_ignore_ascii_case(name) {
            return Some(Problem {
                what: msg!(
                    "http-request-host-name-mismatch",
                    host = host.as_str(),
                    name = name,
                    port = wanted
                ),
                section: "RFC 9112 §3.2; RFC 9110 §7.2",
                offset: 0,
            });
        }
    }
    (port != wanted).then(|| Problem {
        what: msg!(
            "http-request-host-port-mismatch",
            host = host,
            port = port,
            wanted = wanted
        ),
        section: "RFC 9112 §3.2; RFC 9110 §7.2",
        offset: 0,
    })
}

check! {
    pub static LINE {
        id: "http.request.line",
        role: HttpClient,
        level: Must,
        spec: "RFC 9112 §3",
        title: "method SP request-target SP HTTP-version CRLF",
        run: request_rule,
    }

    pub static CRLF {
        id: "http.request.crlf",
        role: HttpClient,
        level: Must,
        spec: "RFC 9112 §2.2",
        title: "every line ends in CRLF, no bare LF or CR",
        run: request_rule,
    }

    pub static VERSION {
        id: "http.request.version",
        role: HttpClient,
        level: Must,
        spec: "RFC 9112 §2.3",
        title: "the version is HTTP/1.1 or HTTP/1.0",
        run: request_rule,
    }

    pub static TARGET {
        id: "http.request.target",
        role: HttpClient,
        level: Must,
        spec: "RFC 9112 §3.2.1",
        title: "origin-form: starts with /, no spaces or fragment",
        run: request_rule,
    }

    pub static HOST {
        id: "http.request.host",
        role: HttpClient,
        level: Must,
        spec: "RFC 9112 §3.2; RFC 9110 §7.2",
        title: "exactly one Host field in HTTP/1.1, matching the authority",
        run: request_rule,
    }

    pub static FIELDS {
        id: "http.request.fields",
        role: HttpClient,
        level: Must,
        spec: "RFC 9112 §5; RFC 9110 §5.5",
        title: "field names are tokens, no whitespace before the colon, no obs-fold, valid value bytes",
        run: request_rule,
    }

    pub static END {
        id: "http.request.end",
        role: HttpClient,
        level: Must,
        spec: "RFC 9112 §2.1",
        title: "the header section ends with an empty line",
        run: request_rule,
    }

    pub static FRAMING {
        id: "http.request.framing",
        role: HttpClient,
        level: Must,
        spec: "RFC 9112 §6",
        title: "a body has a correct Content-Length or valid chunked coding, never both",
        run: request_rule,
    }

    pub static READS_RESPONSE {
        id: "http.client.reads-response",
        role: HttpClient,
        level: Should,
        spec: "RFC 9112 §6.3 (message length); recv(2) returns part of a stream",
        title: "a response cut into many segments and larger than 1 KiB is read whole",
        run: reads_response,
    }

    pub static CLOSE {
        id: "http.client.close",
        role: HttpClient,
        level: Must,
        spec: "RFC 9112 §9.6 (tear-down); recv(2): 0 bytes at end of stream",
        title: "the client finishes when the server closes after its response",
        run: close,
    }
}

async fn reads_response(ctx: &mut Ctx) -> Result<Verdict, Verdict> {
    let cap = capture(ctx, true).await?;
    if !cap.connected {
        return Ok(not_connected(cap.server));
    }
    let size = response().len();
    let whole = cap.stdout.contains(END_MARKER);
    // U+FFFD in the output (never in the response): a piece decoded alone
    // with errors replaced; a decoding error's traceback: decoded alone, strictly.
    let replaced = cap.stdout.matches('\u{FFFD}').count();
    let decode_error = cap.stderr.contains("UnicodeDecodeError");
    let lang = ctx.language();
    let diagnosis = if (whole && replaced > 0) || decode_error {
        msg!(
            "http-client-reads-response-decoded-pieces",
            size = size,
            replaced = replaced,
            lang = lang
        )
    } else if whole {
        return Ok(Verdict::Holds(msg!(
            "http-client-reads-response-holds",
            size = size,
            segment = SEGMENT
        )));
    } else if cap.read_all && cap.exited.is_some_and(|e| e.success()) {
        // It read every segment and finished well, but keeps the body
        // elsewhere (a file) or prints it otherwise (as bytes).
        return Ok(Verdict::Holds(msg!(
            "http-client-reads-response-read-whole",
            size = size,
            segment = SEGMENT
        )));
    } else {
        msg!(
            "http-client-reads-response-partial",
            size = size,
            marker = END_MARKER,
            lang = lang
        )
    };
    Ok(Verdict::Violated {
        diagnosis,
        counterexample: Some(Counterexample::Described(msg!(
            "http-client-reads-response-counterexample",
            size = size,
            segment = SEGMENT
        ))),
    })
}

async fn close(ctx: &mut Ctx) -> Result<Verdict, Verdict> {
    let cap = capture(ctx, true).await?;
    if !cap.connected {
        return Ok(not_connected(cap.server));
    }
    match cap.exited {
        Some(exit) => Ok(Verdict::Holds(msg!(
            "http-client-close-holds",
            state = ended(exit)
        ))),
        None => Ok(Verdict::violated(msg!(
            "http-client-close-still-running",
            waited = ctx.settings().reply_timeout,
            lang = ctx.language()
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_are_small_cover_the_response_and_cut_inside_characters() {
        let bytes = response();
        let pieces = segments(&bytes);
        assert!(pieces.iter().all(|p| !p.is_empty() && p.len() <= SEGMENT));
        assert_eq!(pieces.concat(), bytes);
        let cut_in_char = pieces
            .iter()
            .filter(|p| std::str::from_utf8(p).is_err())
            .count();
        assert!(
            cut_in_char >= pieces.len() / 2,
            "{cut_in_char} of {}",
            pieces.len()
        );
    }
}
