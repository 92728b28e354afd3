//! Checks of an HTTP client: sockspec serves HTTP where the client connects,
//! captures its request byte for byte and validates it, then answers with a
//! response larger than 1 KiB cut into many segments, and closes.

use super::listed;
use crate::common::{LegacyVerdict as _, en, legacy};
use crate::common::{io_error, show};
use crate::run_fn;
use sockspec_harness::output::Stream;
use sockspec_harness::tcp::Read;
use sockspec_harness::{Check, Ctx, Level, Role, Verdict};
use sockspec_wire::http::{RequestReport, Violation, ids, request_end, validate_request};
use std::net::SocketAddr;

/// The last line of sockspec's response body: seen in the client's output
/// only if it read the whole response.
const END_MARKER: &str = "END-OF-RESPONSE sockspec 完";

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

async fn capture(ctx: &mut Ctx) -> Result<Capture, Verdict> {
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
        });
    };
    let patience = ctx.settings().reply_timeout;
    // No latency is measured from a client before its request: a short fixed
    // window catches bytes sent after the request's end.
    let quiet = STRAY_BYTES_WINDOW;
    let mut request = Vec::new();
    // Until the request is complete (then a quiet window for stray bytes, e.g.
    // a body sent without Content-Length), or the client stops sending.
    loop {
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
    for piece in response().chunks(SEGMENT) {
        if peer.write(piece).await.is_err() {
            break;
        }
        peer.wait_peer_read(patience).await;
    }
    peer.close();
    let exited = match ctx.instance() {
        Some(instance) => instance.wait_exit(patience).await,
        None => None,
    };
    let stdout = ctx
        .instance()
        .map(|i| String::from_utf8_lossy(&i.output.get(Stream::Stdout).bytes).into_owned())
        .unwrap_or_default();
    Ok(Capture {
        server,
        connected: true,
        request,
        report,
        exited,
        stdout,
    })
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
            Some(format!(
                "the request differs from the snapshot {}; the new one is {}",
                path.display(),
                new.display()
            ))
        }
        Err(_) => {
            let _ = std::fs::create_dir_all(&dir).and_then(|_| std::fs::write(&path, &normalized));
            None
        }
    };
    if let Some(note) = note {
        ctx.facts.notes.push(legacy(note));
    }
}

fn not_connected(server: SocketAddr) -> Verdict {
    Verdict::violated(legacy(format!(
        "The client never connected to {server}, where sockspec served HTTP. If it uses a fixed address \
         sockspec did not find in its source, give it with --addr HOST:PORT."
    )))
}

/// A request rule: the capture's violations of `id`, plus Host's agreement
/// with the address the client connected to.
async fn request_rule(ctx: &mut Ctx, id: &'static str) -> Result<Verdict, Verdict> {
    let cap = capture(ctx).await?;
    if !cap.connected {
        return Ok(not_connected(cap.server));
    }
    if cap.request.is_empty() {
        return Ok(Verdict::violated(legacy(format!(
            "The client connected but sent no request, and {}.",
            en(&ctx.target_state().await)
        ))));
    }
    let mut violations: Vec<Violation> = cap
        .report
        .violations
        .iter()
        .filter(|v| v.check == id)
        .cloned()
        .collect();
    if id == ids::REQUEST_HOST
        && let Some(wrong) = host_port_mismatch(&cap)
    {
        violations.push(wrong);
    }
    if violations.is_empty() {
        let line = super::first_line(&cap.request);
        return Ok(Verdict::Holds(legacy(format!("request {}", show(line)))));
    }
    let refs: Vec<&Violation> = violations.iter().collect();
    let more = if refs.len() > 1 {
        format!(" ({} more below)", refs.len() - 1)
    } else {
        String::new()
    };
    Ok(Verdict::violated_by_text(
        legacy(format!(
            "In the request it sent, {}{more}.",
            refs[0].message
        )),
        format!("{}\n{}", show(&cap.request), listed(&refs)),
    ))
}

/// A Host whose port (80 when none is written) is not the port the client
/// connected to.
fn host_port_mismatch(cap: &Capture) -> Option<Violation> {
    let request = cap.report.request.as_ref()?;
    let host = String::from_utf8_lossy(request.field("host")?)
        .trim()
        .to_string();
    let port = match host.rsplit_once(':') {
        Some((h, p)) if !h.ends_with(']') || host.starts_with('[') => p.parse::<u16>().ok()?,
        _ => 80,
    };
    let wanted = cap.server.port();
    (port != wanted).then(|| {
        Violation::new(
            ids::REQUEST_HOST,
            "RFC 9112 §3.2; RFC 9110 §7.2",
            0,
            format!(
                "Host is `{host}` (port {port}) but the request went to port {wanted}: Host names the server's \
                 host and port as in the URL, e.g. `Host: 127.0.0.1:{wanted}`"
            ),
        )
    })
}

macro_rules! request_check {
    ($name:ident, $id:expr, $spec:expr, $title:expr) => {
        #[doc = concat!("`", $id, "`")]
        pub static $name: Check = Check {
            id: $id,
            role: Role::HttpClient,
            level: Level::Must,
            spec: $spec,
            title: $title,
            needs_sandbox: false,
            run: {
                fn run(ctx: &mut Ctx) -> sockspec_harness::CheckFuture<'_> {
                    Box::pin(async move { request_rule(ctx, $id).await.unwrap_or_else(|v| v) })
                }
                run
            },
        };
    };
}

request_check!(
    LINE,
    "http.request.line",
    "RFC 9112 §3",
    "method SP request-target SP HTTP-version CRLF"
);
request_check!(
    CRLF,
    "http.request.crlf",
    "RFC 9112 §2.2",
    "every line ends in CRLF, no bare LF or CR"
);
request_check!(
    VERSION,
    "http.request.version",
    "RFC 9112 §2.3",
    "the version is HTTP/1.1 or HTTP/1.0"
);
request_check!(
    TARGET,
    "http.request.target",
    "RFC 9112 §3.2.1",
    "origin-form: starts with /, no spaces or fragment"
);
request_check!(
    HOST,
    "http.request.host",
    "RFC 9112 §3.2; RFC 9110 §7.2",
    "exactly one Host field in HTTP/1.1, matching the authority"
);
request_check!(
    FIELDS,
    "http.request.fields",
    "RFC 9112 §5; RFC 9110 §5.5",
    "field names are tokens, no whitespace before the colon, no obs-fold, valid value bytes"
);
request_check!(
    END,
    "http.request.end",
    "RFC 9112 §2.1",
    "the header section ends with an empty line"
);
request_check!(
    FRAMING,
    "http.request.framing",
    "RFC 9112 §6",
    "a body has a correct Content-Length or valid chunked coding, never both"
);

/// `http.client.reads-response`
pub static READS_RESPONSE: Check = Check {
    id: "http.client.reads-response",
    role: Role::HttpClient,
    level: Level::Should,
    spec: "RFC 9112 §6.3 (message length); recv(2) returns part of a stream",
    title: "a response cut into many segments and larger than 1 KiB is read whole",
    needs_sandbox: false,
    run: run_fn!(reads_response),
};

async fn reads_response(ctx: &mut Ctx) -> Result<Verdict, Verdict> {
    let cap = capture(ctx).await?;
    if !cap.connected {
        return Ok(not_connected(cap.server));
    }
    let size = response().len();
    if cap.stdout.contains(END_MARKER) {
        return Ok(Verdict::Holds(legacy(format!(
            "the whole {size}-byte response, sent in {SEGMENT}-byte segments, reached the client's output"
        ))));
    }
    Ok(Verdict::violated_by_text(
        legacy(format!(
            "The client showed only part of the {size}-byte response: its last line `{END_MARKER}` never \
             appeared in the output. One recv() returns whatever has arrived; keep reading until the server \
             closes (recv returns b'') or until Content-Length bytes of body arrived."
        )),
        format!("a {size}-byte response in {SEGMENT}-byte segments"),
    ))
}

/// `http.client.close`
pub static CLOSE: Check = Check {
    id: "http.client.close",
    role: Role::HttpClient,
    level: Level::Must,
    spec: "RFC 9112 §9.6 (tear-down); recv(2): 0 bytes at end of stream",
    title: "the client finishes when the server closes after its response",
    needs_sandbox: false,
    run: run_fn!(close),
};

async fn close(ctx: &mut Ctx) -> Result<Verdict, Verdict> {
    let cap = capture(ctx).await?;
    if !cap.connected {
        return Ok(not_connected(cap.server));
    }
    match cap.exited {
        Some(exit) => Ok(Verdict::Holds(legacy(format!(
            "the client {exit} after the server closed"
        )))),
        None => Ok(Verdict::violated(legacy(format!(
            "The client was still running {} ms after the server sent its response and closed the connection. \
             When recv() returns b'' the response is complete: stop reading, close the socket and finish.",
            ctx.settings().reply_timeout.as_millis()
        )))),
    }
}
