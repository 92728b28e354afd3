//! Checks of an HTTP server: sockspec sends requests and validates responses.

use super::{Problem, listed};
use crate::check;
use crate::common::{connection_broken, io_error};
use crate::tcp::replies::connect;
use sockspec_harness::tcp::Read;
use sockspec_harness::{Ctx, Verdict, msg};
use sockspec_reference::http::format_request;
use sockspec_results::Counterexample;
use sockspec_wire::http::{Kind, response_end, validate_response};

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
    let got = fetch_once(ctx, label, request, cut).await?;
    if !got.bytes.is_empty() {
        return Ok(got);
    }
    // Nothing came back: when that is because the instance was on its way
    // out (a one-shot server after its one request), this sub-case is
    // owed a fresh instance, which `connect` starts once the exit is seen.
    let exited = crate::common::exit_within(ctx, ctx.latency.patience())
        .await
        .is_some();
    if exited {
        return fetch_once(ctx, label, request, cut).await;
    }
    Ok(got)
}

/// [`fetch`] on the current instance (started if there is none or it exited).
async fn fetch_once(
    ctx: &mut Ctx,
    label: &str,
    request: &[u8],
    cut: Option<usize>,
) -> Result<Fetched, Verdict> {
    let mut peer = connect(ctx, label).await?;
    let patience = ctx.settings().reply_timeout;
    // Each piece waits until the server read the one before, as long as it
    // keeps doing so (one that stopped reading is not waited for again).
    let mut reads_pieces = true;
    for piece in request.chunks(cut.unwrap_or(request.len()).max(1)) {
        match peer.write(piece).await {
            Ok(()) => {}
            // The server answered (or gave up) before the request was whole:
            // what it sent is the response to judge.
            Err(e) if connection_broken(&e) => break,
            Err(e) => return Err(io_error(e)),
        }
        if cut.is_some() && reads_pieces {
            reads_pieces = peer.wait_peer_read(patience).await;
        }
    }
    read_response(&mut peer, patience).await
}

/// How much of one response is read (a course page is a few KiB): a server
/// that sends without end is judged on this much of it.
const MAX_RESPONSE: usize = 1 << 20;

async fn read_response(
    peer: &mut sockspec_harness::tcp::TcpPeer,
    patience: std::time::Duration,
) -> Result<Fetched, Verdict> {
    let mut bytes = Vec::new();
    loop {
        if bytes.len() >= MAX_RESPONSE || response_end(&bytes, Some("GET")).is_some() {
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

/// A response rule (the check's own ID names it): the violations of that ID
/// in the response to `GET /`.
async fn response_rule(ctx: &mut Ctx) -> Result<Verdict, Verdict> {
    let id = ctx.check().id;
    let request = request_for(ctx, "/", true).await?;
    let got = fetch(ctx, "client", &request, None).await?;
    if got.bytes.is_empty() {
        return Ok(Verdict::violated(msg!(
            "http-response-no-response",
            waited = ctx.settings().reply_timeout,
            state = ctx.target_state().await
        )));
    }
    let report = validate_response(&got.bytes, Some("GET"), got.closed);
    let mine: Vec<Problem> = report
        .violations
        .iter()
        .filter(|v| v.check == id)
        .map(Problem::from)
        .collect();
    let Some(first) = mine.first() else {
        let line = super::first_line(&got.bytes);
        return Ok(Verdict::Holds(msg!("http-response-holds", line = line)));
    };
    let lang = ctx.language();
    let hint = if id == CRLF.id {
        msg!("http-hint-crlf", lang = lang)
    } else if report
        .violations
        .iter()
        .any(|v| v.check == id && matches!(v.kind, Kind::LengthCountsCharacters { .. }))
    {
        msg!("http-hint-length-bytes", lang = lang)
    } else {
        msg!("http-hint-none")
    };
    Ok(Verdict::Violated {
        diagnosis: msg!(
            "http-response-violated",
            problem = first.what.clone(),
            more = mine.len() - 1,
            hint = hint
        ),
        counterexample: Some(Counterexample::Described(msg!(
            "http-response-counterexample",
            request = &request,
            response = &got.bytes,
            problems = listed(&mine)
        ))),
    })
}

check! {
    pub static STATUS_LINE {
        id: "http.response.status-line",
        role: HttpServer,
        level: Must,
        spec: "RFC 9112 §4",
        title: "HTTP-version SP 3DIGIT SP reason-phrase",
        run: response_rule,
    }

    pub static CRLF {
        id: "http.response.crlf",
        role: HttpServer,
        level: Must,
        spec: "RFC 9112 §2.2",
        title: "every line of the head ends in CRLF, no bare LF or CR",
        run: response_rule,
    }

    pub static FIELDS {
        id: "http.response.fields",
        role: HttpServer,
        level: Must,
        spec: "RFC 9112 §5, §2.1",
        title: "field syntax as for requests, and the header section ends with an empty line",
        run: response_rule,
    }

    pub static FRAMING {
        id: "http.response.framing",
        role: HttpServer,
        level: Must,
        spec: "RFC 9112 §6",
        title: "Content-Length equals the body, or the body is close-delimited; not both CL and TE",
        run: response_rule,
    }

    pub static NOT_FOUND {
        id: "http.response.not-found",
        role: HttpServer,
        level: Should,
        spec: "RFC 9110 §15.5.5 (404 Not Found)",
        title: "an unknown path gets 404",
        run: not_found,
    }

    pub static SEGMENTED_REQUEST {
        id: "http.server.segmented-request",
        role: HttpServer,
        level: Must,
        spec: "RFC 9112 §2.1 (a message is a byte stream); recv(2); course day02 (粘包)",
        title: "a request cut into small segments (even inside \\r\\n\\r\\n) gets the same response as one sent whole",
        run: segmented_request,
    }

    pub static BAD_REQUEST {
        id: "http.server.bad-request",
        role: HttpServer,
        level: Should,
        spec: "RFC 9112 §3 (400 Bad Request); RFC 9110 §15.5.1",
        title: "a malformed request gets 400 (or a close), and the server keeps serving",
        run: bad_request,
    }

    pub static NEXT_CLIENT {
        id: "http.server.next-client",
        role: HttpServer,
        level: Must,
        spec: "accept(2) in a loop; course day02: a server serves one request after another",
        title: "after one connection's response, a new connection is served",
        run: next_client,
    }

    pub static KEEP_ALIVE {
        id: "http.server.keep-alive",
        role: HttpServer,
        level: Info,
        spec: "RFC 9112 §9.3 (persistence)",
        title: "a second request on the same connection is answered, or Connection: close was sent",
        run: keep_alive,
    }
}

async fn not_found(ctx: &mut Ctx) -> Result<Verdict, Verdict> {
    let request = request_for(ctx, "/sockspec-no-such-page.html", true).await?;
    let got = fetch(ctx, "client", &request, None).await?;
    match status(&got.bytes) {
        Some(404) => Ok(Verdict::Holds(msg!("http-response-not-found-holds"))),
        Some(code) => Ok(Verdict::violated_by(
            msg!("http-response-not-found-wrong-status", code = code),
            vec![request],
        )),
        None => Ok(Verdict::violated_by(
            msg!("http-response-not-found-no-status", response = &got.bytes),
            vec![request],
        )),
    }
}

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
        return Ok(Verdict::Blocked {
            by: "http.response.status-line",
            reason: msg!("http-server-segmented-request-blocked"),
        });
    }
    let cut = fetch(
        ctx,
        &format!("client ({PIECE}-byte writes)"),
        &request,
        Some(PIECE),
    )
    .await?;
    let (mut a, mut b) = (essence(&whole.bytes), essence(&cut.bytes));
    // A response read only in part (one without end) is compared as far as
    // both were read.
    if whole.bytes.len().max(cut.bytes.len()) >= MAX_RESPONSE {
        let common = a.1.len().min(b.1.len());
        a.1.truncate(common);
        b.1.truncate(common);
    }
    if a == b {
        return Ok(Verdict::Holds(msg!(
            "http-server-segmented-request-holds",
            piece = PIECE
        )));
    }
    Ok(Verdict::Violated {
        diagnosis: msg!(
            "http-server-segmented-request-differs",
            piece = PIECE,
            cut = &cut.bytes,
            whole = &whole.bytes,
            lang = ctx.language()
        ),
        counterexample: Some(Counterexample::Described(msg!(
            "http-server-segmented-request-counterexample",
            request = &request,
            piece = PIECE
        ))),
    })
}

/// Not a request: one word and the empty line.
const MALFORMED: &[u8] = b"HELLO\r\n\r\n";

async fn bad_request(ctx: &mut Ctx) -> Result<Verdict, Verdict> {
    let got = fetch(ctx, "client A", MALFORMED, None).await?;
    let answered = match status(&got.bytes) {
        Some(code) if (400..500).contains(&code) => {
            msg!("http-server-bad-request-answered-status", code = code)
        }
        // A close, possibly after an error page without a status line (as
        // servers answer what they take for an HTTP/0.9 request).
        None if got.closed => msg!("http-server-bad-request-answered-close"),
        Some(code) => {
            return Ok(Verdict::violated_by(
                msg!("http-server-bad-request-wrong-status", code = code),
                vec![MALFORMED.to_vec()],
            ));
        }
        None => {
            // Not closed: a close with no status line was taken above.
            return Ok(Verdict::violated_by(
                msg!("http-server-bad-request-no-answer", response = &got.bytes),
                vec![MALFORMED.to_vec()],
            ));
        }
    };
    let server = ctx.instance().and_then(|i| i.addr);
    let Some(server) = server else {
        return Ok(Verdict::Error(msg!("server-without-address")));
    };
    // The same instance: a server that died on the bad request is not restarted.
    let next = next_on(ctx, server, "client B").await?;
    if status(&next.bytes).is_some() {
        return Ok(Verdict::Holds(msg!(
            "http-server-bad-request-holds",
            answered = answered
        )));
    }
    let state = ctx.target_state().await;
    // The control: the same two steps with a good first request. A server
    // that stops after any request is http.server.next-client's mistake.
    if let Served::Once { .. } = serve_twice(ctx).await? {
        return Ok(Verdict::Blocked {
            by: NEXT_CLIENT.id,
            reason: msg!("http-server-bad-request-blocked"),
        });
    }
    Ok(Verdict::Violated {
        diagnosis: msg!(
            "http-server-bad-request-stopped",
            answered = answered,
            state = state
        ),
        counterexample: Some(Counterexample::Described(msg!(
            "http-server-bad-request-counterexample",
            malformed = MALFORMED,
            request = &request_to(server)
        ))),
    })
}

/// `GET /` with `Connection: close`, for the server at `server`.
fn request_to(server: std::net::SocketAddr) -> Vec<u8> {
    format_request(
        "GET",
        "/",
        &server.to_string(),
        &[("Connection", "close")],
        b"",
    )
}

/// `GET /` on a new connection to the same instance at `server` (not
/// restarted); a refused connection gives nothing, closed.
async fn next_on(
    ctx: &mut Ctx,
    server: std::net::SocketAddr,
    label: &str,
) -> Result<Fetched, Verdict> {
    match ctx.tcp_connect(label, server).await? {
        Ok(mut peer) => {
            let request = request_to(server);
            match peer.write(&request).await {
                Ok(()) => {}
                Err(e) if connection_broken(&e) => {}
                Err(e) => return Err(io_error(e)),
            }
            read_response(&mut peer, ctx.settings().reply_timeout).await
        }
        Err(_) => Ok(Fetched {
            bytes: Vec::new(),
            closed: true,
        }),
    }
}

/// What two connections in turn to one instance got.
enum Served {
    /// The first got no response: nothing to say about the second.
    Never,
    /// The first was answered (`first` is its response), the second not
    /// (`refused`: its connection was refused or reset before any byte).
    Once { first: Vec<u8>, second: Fetched },
    /// Both were answered.
    Twice,
}

/// `GET /` on a connection to an instance (fresh when the last one exited),
/// then on a second connection to the same instance.
async fn serve_twice(ctx: &mut Ctx) -> Result<Served, Verdict> {
    let request = request_for(ctx, "/", true).await?;
    let first = fetch(ctx, "client A", &request, None).await?;
    if first.bytes.is_empty() {
        return Ok(Served::Never);
    }
    let Some(server) = ctx.instance().and_then(|i| i.addr) else {
        return Err(Verdict::Error(msg!("server-without-address")));
    };
    let second = next_on(ctx, server, "client B").await?;
    if status(&second.bytes).is_some() {
        return Ok(Served::Twice);
    }
    Ok(Served::Once {
        first: first.bytes,
        second,
    })
}

async fn next_client(ctx: &mut Ctx) -> Result<Verdict, Verdict> {
    match serve_twice(ctx).await? {
        Served::Never => Ok(Verdict::Blocked {
            by: STATUS_LINE.id,
            reason: msg!("http-server-next-client-blocked"),
        }),
        Served::Twice => Ok(Verdict::Holds(msg!("http-server-next-client-holds"))),
        Served::Once { first, second } => {
            let how = if !second.bytes.is_empty() {
                "other"
            } else if second.closed {
                "closed"
            } else {
                "silent"
            };
            Ok(Verdict::Violated {
                diagnosis: msg!(
                    "http-server-next-client-unserved",
                    how = how,
                    line = super::first_line(&first),
                    got = &second.bytes,
                    waited = ctx.settings().reply_timeout,
                    state = ctx.target_state().await,
                    lang = ctx.language()
                ),
                counterexample: Some(Counterexample::Described(msg!(
                    "http-server-next-client-counterexample"
                ))),
            })
        }
    }
}

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
        let how = match (says_close, http10) {
            (true, true) => "http10",
            (true, false) => "says",
            (false, _) => "silent",
        };
        return Ok(Verdict::Observed(msg!(
            "http-server-keep-alive-closes",
            how = how
        )));
    }
    peer.write(&request).await.map_err(io_error)?;
    let second = read_response(&mut peer, patience).await?;
    Ok(Verdict::Observed(if status(&second.bytes).is_some() {
        msg!("http-server-keep-alive-answered")
    } else {
        msg!("http-server-keep-alive-unanswered")
    }))
}
