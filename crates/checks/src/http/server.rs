//! Checks of an HTTP server: sockspec sends requests and validates responses.

use super::listed;
use crate::common::{LegacyVerdict as _, en, legacy};
use crate::common::{connection_broken, io_error, show};
use crate::run_fn;
use crate::tcp::replies::connect;
use sockspec_harness::tcp::Read;
use sockspec_harness::{Check, Ctx, Level, Role, Verdict};
use sockspec_reference::http::format_request;
use sockspec_wire::http::{Violation, response_end, validate_response};

/// A response as sockspec read it.
struct Fetched {
    /// The bytes, exactly as received.
    bytes: Vec<u8>,
    /// Whether the server closed the connection (EOF) after them.
    closed: bool,
}

/// A request for `path` with the Host of the server sockspec talks to.
async fn request_for(ctx: &mut Ctx, path: &str, close: bool) -> Result<Vec<u8>, Verdict> {
    let server = ctx.server().await?;
    let fields: &[(&str, &str)] = if close {
        &[("Connection", "close")]
    } else {
        &[]
    };
    Ok(format_request(
        "GET",
        path,
        &server.to_string(),
        fields,
        b"",
    ))
}

/// Sends `request` on a new connection, in one write or in pieces of `cut`
/// bytes (each after the server read the last), and reads the response until
/// it is complete or the server closes or goes quiet.
async fn fetch(
    ctx: &mut Ctx,
    label: &str,
    request: &[u8],
    cut: Option<usize>,
) -> Result<Fetched, Verdict> {
    let mut peer = connect(ctx, label).await?;
    let patience = ctx.settings().reply_timeout;
    for piece in request.chunks(cut.unwrap_or(request.len()).max(1)) {
        match peer.write(piece).await {
            Ok(()) => {}
            // The server answered (or gave up) before the request was whole:
            // what it sent is the response to judge.
            Err(e) if connection_broken(&e) => break,
            Err(e) => return Err(io_error(e)),
        }
        if cut.is_some() {
            peer.wait_peer_read(patience).await;
        }
    }
    read_response(&mut peer, patience).await
}

async fn read_response(
    peer: &mut sockspec_harness::tcp::TcpPeer,
    patience: std::time::Duration,
) -> Result<Fetched, Verdict> {
    let mut bytes = Vec::new();
    loop {
        if response_end(&bytes, Some("GET")).is_some() {
            return Ok(Fetched {
                bytes,
                closed: false,
            });
        }
        match peer.read_some(patience).await.map_err(io_error)? {
            Read::Data(d) => bytes.extend_from_slice(&d),
            Read::Eof | Read::Reset => {
                return Ok(Fetched {
                    bytes,
                    closed: true,
                });
            }
            Read::Timeout => {
                return Ok(Fetched {
                    bytes,
                    closed: false,
                });
            }
        }
    }
}

/// The status code of a response, if its status line can be read.
fn status(bytes: &[u8]) -> Option<u16> {
    let line = bytes.split(|&b| b == b'\n').next()?;
    std::str::from_utf8(line)
        .ok()?
        .split(' ')
        .nth(1)?
        .trim()
        .parse()
        .ok()
}

/// A response rule: the violations of `id` in the response to `GET /`.
async fn response_rule(ctx: &mut Ctx, id: &'static str) -> Result<Verdict, Verdict> {
    let request = request_for(ctx, "/", true).await?;
    let got = fetch(ctx, "client", &request, None).await?;
    if got.bytes.is_empty() {
        return Ok(Verdict::violated(legacy(format!(
            "GET / got no response within {} ms, and {}.",
            ctx.settings().reply_timeout.as_millis(),
            en(&ctx.target_state().await)
        ))));
    }
    let report = validate_response(&got.bytes, Some("GET"), got.closed);
    let mine: Vec<&Violation> = report.violations.iter().filter(|v| v.check == id).collect();
    if mine.is_empty() {
        let line = super::first_line(&got.bytes);
        return Ok(Verdict::Holds(legacy(format!("response {}", show(line)))));
    }
    let more = if mine.len() > 1 {
        format!(" ({} more below)", mine.len() - 1)
    } else {
        String::new()
    };
    Ok(Verdict::violated_by_text(
        legacy(format!(
            "In the response to GET /, {}{more}.",
            mine[0].message
        )),
        format!(
            "request {}\nresponse {}\n{}",
            show(&request),
            show(&got.bytes),
            listed(&mine)
        ),
    ))
}

macro_rules! response_check {
    ($name:ident, $id:expr, $spec:expr, $title:expr) => {
        #[doc = concat!("`", $id, "`")]
        pub static $name: Check = Check {
            id: $id,
            role: Role::HttpServer,
            level: Level::Must,
            spec: $spec,
            title: $title,
            needs_sandbox: false,
            run: {
                fn run(ctx: &mut Ctx) -> sockspec_harness::CheckFuture<'_> {
                    Box::pin(async move { response_rule(ctx, $id).await.unwrap_or_else(|v| v) })
                }
                run
            },
        };
    };
}

response_check!(
    STATUS_LINE,
    "http.response.status-line",
    "RFC 9112 §4",
    "HTTP-version SP 3DIGIT SP reason CRLF"
);
response_check!(
    FIELDS,
    "http.response.fields",
    "RFC 9112 §2.2, §5",
    "CRLF line endings and field syntax as for requests"
);
response_check!(
    FRAMING,
    "http.response.framing",
    "RFC 9112 §6",
    "Content-Length equals the body, or the body is close-delimited; not both CL and TE"
);

/// `http.response.not-found`
pub static NOT_FOUND: Check = Check {
    id: "http.response.not-found",
    role: Role::HttpServer,
    level: Level::Should,
    spec: "RFC 9110 §15.5.5 (404 Not Found)",
    title: "an unknown path gets 404",
    needs_sandbox: false,
    run: run_fn!(not_found),
};

async fn not_found(ctx: &mut Ctx) -> Result<Verdict, Verdict> {
    let request = request_for(ctx, "/sockspec-no-such-page.html", true).await?;
    let got = fetch(ctx, "client", &request, None).await?;
    match status(&got.bytes) {
        Some(404) => Ok(Verdict::Holds(legacy("an unknown path got 404".into()))),
        Some(code) => Ok(Verdict::violated_by_text(
            legacy(format!(
                "An unknown path got status {code}: a page that does not exist is `404 Not Found`."
            )),
            show(&request),
        )),
        None => Ok(Verdict::violated_by_text(
            legacy(format!(
                "An unknown path got {} instead of a 404 response.",
                show(&got.bytes)
            )),
            show(&request),
        )),
    }
}

/// `http.server.segmented-request`
pub static SEGMENTED_REQUEST: Check = Check {
    id: "http.server.segmented-request",
    role: Role::HttpServer,
    level: Level::Must,
    spec: "RFC 9112 §2.1 (a message is a byte stream); recv(2); course day02 (粘包)",
    title: "a request cut into small segments (even inside \\r\\n\\r\\n) gets the same response as one sent whole",
    needs_sandbox: false,
    run: run_fn!(segmented_request),
};

/// Bytes per segment of the cut request: small enough to cut every line and
/// the `\r\n\r\n`.
const PIECE: usize = 3;

/// The status line and body of a response (fields such as Date may differ).
fn essence(bytes: &[u8]) -> (Option<u16>, Vec<u8>) {
    let body = bytes
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map_or_else(Vec::new, |i| bytes[i + 4..].to_vec());
    (status(bytes), body)
}

async fn segmented_request(ctx: &mut Ctx) -> Result<Verdict, Verdict> {
    let request = request_for(ctx, "/", true).await?;
    let whole = fetch(ctx, "client (one write)", &request, None).await?;
    if whole.bytes.is_empty() {
        return Ok(Verdict::Skip(legacy(
            "GET / sent whole got no response, so there is nothing to compare (see http.response.status-line)".into(),
        )));
    }
    let cut = fetch(
        ctx,
        &format!("client ({PIECE}-byte writes)"),
        &request,
        Some(PIECE),
    )
    .await?;
    let (a, b) = (essence(&whole.bytes), essence(&cut.bytes));
    if a == b {
        return Ok(Verdict::Holds(legacy(format!(
            "the request in {PIECE}-byte writes got the same response as sent whole"
        ))));
    }
    Ok(Verdict::violated_by_text(
        legacy(format!(
            "GET / sent in {PIECE}-byte writes got {} instead of {} (its response sent whole). One recv() may \
             return part of the request: keep reading until the header section ends with \\r\\n\\r\\n.",
            show(&cut.bytes),
            show(&whole.bytes)
        )),
        format!("{} in {PIECE}-byte writes", show(&request)),
    ))
}

/// `http.server.bad-request`
pub static BAD_REQUEST: Check = Check {
    id: "http.server.bad-request",
    role: Role::HttpServer,
    level: Level::Should,
    spec: "RFC 9112 §3 (400 Bad Request); RFC 9110 §15.5.1",
    title: "a malformed request gets 400 (or a close), and the server keeps serving",
    needs_sandbox: false,
    run: run_fn!(bad_request),
};

/// Not a request: one word and the empty line.
const MALFORMED: &[u8] = b"HELLO\r\n\r\n";

async fn bad_request(ctx: &mut Ctx) -> Result<Verdict, Verdict> {
    let got = fetch(ctx, "client A", MALFORMED, None).await?;
    let answered = match status(&got.bytes) {
        Some(code) if (400..500).contains(&code) => format!("status {code}"),
        // A close, possibly after an error page without a status line (as
        // servers answer what they take for an HTTP/0.9 request).
        None if got.closed => "a close".to_string(),
        Some(code) => {
            return Ok(Verdict::violated_by_text(
                legacy(format!(
                    "A malformed request got status {code}: answer 400 Bad Request."
                )),
                show(MALFORMED),
            ));
        }
        None => {
            return Ok(Verdict::violated_by_text(
                legacy(format!(
                    "A malformed request got {} ({}); answer 400 Bad Request or close the connection.",
                    show(&got.bytes),
                    if got.closed {
                        "then a close"
                    } else {
                        "and the connection stayed open"
                    }
                )),
                show(MALFORMED),
            ));
        }
    };
    let server = ctx.instance().and_then(|i| i.addr);
    let Some(server) = server else {
        return Ok(Verdict::Error(legacy("the server has no address".into())));
    };
    let request = format_request(
        "GET",
        "/",
        &server.to_string(),
        &[("Connection", "close")],
        b"",
    );
    // The same instance: a server that died on the bad request is not restarted.
    let next = match ctx.tcp_connect("client B", server).await? {
        Ok(mut peer) => {
            peer.write(&request).await.map_err(io_error)?;
            read_response(&mut peer, ctx.settings().reply_timeout).await?
        }
        Err(_) => Fetched {
            bytes: Vec::new(),
            closed: true,
        },
    };
    if status(&next.bytes).is_some() {
        return Ok(Verdict::Holds(legacy(format!(
            "the malformed request got {answered}, and the next one an answer"
        ))));
    }
    Ok(Verdict::violated_by_text(
        legacy(format!(
            "After a malformed request (answered with {answered}), the next request got no response, and {}. \
             A bad request must not stop the server: answer 400, close that connection, and go on.",
            en(&ctx.target_state().await)
        )),
        format!("{} then {}", show(MALFORMED), show(&request)),
    ))
}

/// `http.server.keep-alive`
pub static KEEP_ALIVE: Check = Check {
    id: "http.server.keep-alive",
    role: Role::HttpServer,
    level: Level::Info,
    spec: "RFC 9112 §9.3 (persistence)",
    title: "a second request on the same connection is answered, or Connection: close was sent",
    needs_sandbox: false,
    run: run_fn!(keep_alive),
};

async fn keep_alive(ctx: &mut Ctx) -> Result<Verdict, Verdict> {
    let request = request_for(ctx, "/", false).await?;
    let mut peer = connect(ctx, "client").await?;
    let patience = ctx.settings().reply_timeout;
    peer.write(&request).await.map_err(io_error)?;
    let first = read_response(&mut peer, patience).await?;
    let response = validate_response(&first.bytes, Some("GET"), first.closed).response;
    let connection = response.as_ref().and_then(|r| {
        r.fields
            .iter()
            .find(|f| f.is("connection"))
            .map(|f| f.value.to_ascii_lowercase())
    });
    // HTTP/1.0 closes unless it says keep-alive; HTTP/1.1 stays open unless it says close.
    let http10 = response.as_ref().is_some_and(|r| r.version == "HTTP/1.0");
    let says_close = match connection.as_deref() {
        Some(b"close") => true,
        Some(b"keep-alive") => false,
        _ => http10,
    };
    if first.closed || says_close {
        return Ok(Verdict::Observed(legacy(format!(
            "The server closes after each response{}.",
            match (says_close, http10) {
                (true, true) => " (an HTTP/1.0 response)",
                (true, false) => " and says so (Connection: close)",
                (false, _) => " without saying Connection: close",
            }
        ))));
    }
    peer.write(&request).await.map_err(io_error)?;
    let second = read_response(&mut peer, patience).await?;
    Ok(Verdict::Observed(legacy(
        if status(&second.bytes).is_some() {
            "A second request on the same connection is answered (keep-alive).".into()
        } else {
            "A second request on the same connection got no answer, though the first response did not say Connection: close.".into()
        },
    )))
}
