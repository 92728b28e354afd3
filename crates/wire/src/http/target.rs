//! The request-target (RFC 9112 §3.2): origin-form `/path?query` as a client sends
//! to a server; absolute-form `http://host/path` (to proxies, and a server must
//! accept it); authority-form `host:port` for CONNECT; `*` for OPTIONS.

use super::Violation;
use super::authority;
use super::ids::REQUEST_TARGET;
use super::syntax::{count, is_path_or_query_byte, is_ws, name_byte, show};
use super::violation::Kind;

const ORIGIN: &str = "RFC 9112 §3.2.1";
const ABSOLUTE: &str = "RFC 9112 §3.2.2";
const AUTHORITY: &str = "RFC 9112 §3.2.3";
const ASTERISK: &str = "RFC 9112 §3.2.4";
const PERCENT: &str = "RFC 3986 §2.1";
const HTTP_URI: &str = "RFC 9110 §4.2.1";
const USERINFO: &str = "RFC 9110 §4.2.4";

/// Which form a request-target has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Form<'a> {
    /// `/path?query`.
    Origin,
    /// `scheme://authority/path?query`, with its authority (userinfo left out).
    Absolute(Option<&'a [u8]>),
    /// `host:port`, for CONNECT.
    Authority(&'a [u8]),
    /// `*`, for OPTIONS.
    Asterisk,
    /// None of the above.
    Invalid,
}

/// Checks `target` (at `offset` in the message) for a request with `method`.
pub(crate) fn check<'a>(
    method: &[u8],
    target: &'a [u8],
    offset: usize,
    out: &mut Vec<Violation>,
) -> Form<'a> {
    let bad = |section, at: usize, message: String| {
        Violation::new(REQUEST_TARGET, section, offset + at, message)
    };
    if target.is_empty() {
        out.push(bad(
            ORIGIN,
            0,
            "the request-target is empty: ask for `/` at least".into(),
        ));
        return Form::Invalid;
    }
    if method == b"CONNECT" {
        if target[0] == b'/' {
            out.push(bad(
                AUTHORITY,
                0,
                format!(
                    "CONNECT takes host:port as its request-target, not the path {}",
                    show(target)
                ),
            ));
            return Form::Invalid;
        }
        return match authority::parse(target) {
            Ok(a) if a.port.is_some_and(|p| !p.is_empty()) => Form::Authority(target),
            Ok(_) => {
                out.push(bad(
                    AUTHORITY,
                    target.len(),
                    format!(
                        "CONNECT's request-target {} has no port: write host:port",
                        show(target)
                    ),
                ));
                Form::Invalid
            }
            Err((at, problem)) => {
                out.push(bad(
                    AUTHORITY,
                    at,
                    format!("CONNECT's request-target {} {problem}", show(target)),
                ));
                Form::Invalid
            }
        };
    }
    if target == b"*" {
        if method != b"OPTIONS" {
            out.push(bad(
                ASTERISK,
                0,
                "the request-target `*` is only for OPTIONS: ask for a path such as `/`".into(),
            ));
            return Form::Invalid;
        }
        return Form::Asterisk;
    }
    if target[0] == b'/' {
        characters(target, offset, ORIGIN, out);
        return Form::Origin;
    }
    if let Some(scheme_len) = scheme(target) {
        return absolute(target, scheme_len, offset, out);
    }
    let suggestion = format!("/{}", String::from_utf8_lossy(target));
    out.push(bad(
        ORIGIN,
        0,
        format!(
            "the request-target {} does not start with `/`: ask for {}",
            show(target),
            show(suggestion.as_bytes())
        ),
    ));
    Form::Invalid
}

/// The length of `scheme` when `target` starts with `scheme "://"`.
fn scheme(target: &[u8]) -> Option<usize> {
    let len = target.iter().position(|&b| b == b':')?;
    let name = &target[..len];
    let valid = name.first().is_some_and(u8::is_ascii_alphabetic)
        && name
            .iter()
            .all(|&b| b.is_ascii_alphanumeric() || b"+-.".contains(&b));
    (valid && target[len..].starts_with(b"://")).then_some(len)
}

/// Checks an absolute-form target whose scheme is `scheme_len` bytes long.
fn absolute<'a>(
    target: &'a [u8],
    scheme_len: usize,
    offset: usize,
    out: &mut Vec<Violation>,
) -> Form<'a> {
    let start = scheme_len + 3;
    let rest = &target[start..];
    let len = rest
        .iter()
        .position(|&b| b"/?#".contains(&b))
        .unwrap_or(rest.len());
    let mut authority = &rest[..len];
    if let Some(at) = authority.iter().position(|&b| b == b'@') {
        out.push(Violation::new(
            REQUEST_TARGET,
            USERINFO,
            offset + start,
            format!(
                "the request-target {} carries userinfo (`…@`) in its authority: it must not",
                show(target)
            ),
        ));
        authority = &authority[at + 1..];
    }
    let scheme = &target[..scheme_len];
    let is_http = scheme.eq_ignore_ascii_case(b"http") || scheme.eq_ignore_ascii_case(b"https");
    if authority.is_empty() && is_http {
        out.push(Violation::new(
            REQUEST_TARGET,
            HTTP_URI,
            offset + start,
            format!("the request-target {} has an empty host", show(target)),
        ));
    } else if !authority.is_empty()
        && let Err((at, problem)) = authority::parse(authority)
    {
        let at = offset + start + (len - authority.len()) + at;
        out.push(Violation::new(
            REQUEST_TARGET,
            ABSOLUTE,
            at,
            format!(
                "the authority {} of the request-target {problem}",
                show(authority)
            ),
        ));
    }
    characters(&rest[len..], offset + start + len, ABSOLUTE, out);
    Form::Absolute((!authority.is_empty()).then_some(authority))
}

/// Checks the characters of a path and query at `offset` in the message: only
/// `pchar`, `/`, `?` and `%XX` may appear, and no fragment.
fn characters(s: &[u8], offset: usize, section: &'static str, out: &mut Vec<Violation>) {
    let mut spaces = Vec::new();
    let mut non_ascii = Vec::new();
    let mut other = Vec::new();
    let mut i = 0;
    while i < s.len() {
        let b = s[i];
        if b == b'#' {
            out.push(Violation::new(
                REQUEST_TARGET,
                section,
                offset + i,
                format!(
                    "the request-target has a fragment {}: the part from `#` on stays in the client and is never sent",
                    show(&s[i..])
                ),
            ));
            break;
        }
        if b == b'%' {
            if s.len() >= i + 3 && s[i + 1].is_ascii_hexdigit() && s[i + 2].is_ascii_hexdigit() {
                i += 3;
                continue;
            }
            out.push(Violation::new(
                REQUEST_TARGET,
                PERCENT,
                offset + i,
                "the request-target has a `%` that is not followed by two hex digits: a literal % is written %25".to_string(),
            ));
        } else if is_ws(b) {
            spaces.push(i);
        } else if b >= 0x80 {
            non_ascii.push(i);
        } else if !is_path_or_query_byte(b) {
            other.push(i);
        }
        i += 1;
    }
    if let Some(&first) = spaces.first() {
        out.push(Violation::new(
            REQUEST_TARGET,
            section,
            offset + first,
            format!(
                "the request-target {} contains {}: percent-encode each as %20 (a space ends the request-target)",
                show(s),
                if spaces.len() == 1 { "a space".to_string() } else { count(spaces.len() as u64, "space") }
            ),
        ).of_kind(Kind::SpaceInTarget { target: s.to_vec(), spaces: spaces.len() }));
    }
    if let Some(&first) = non_ascii.first() {
        out.push(Violation::new(
            REQUEST_TARGET,
            section,
            offset + first,
            format!(
                "the request-target contains {} outside ASCII: percent-encode the UTF-8 bytes, e.g. 世 as %E4%B8%96 (urllib.parse.quote does it)",
                count(non_ascii.len() as u64, "byte")
            ),
        ).of_kind(Kind::NonAsciiTarget { bytes: non_ascii.len() }));
    }
    if let Some(&first) = other.first() {
        let more = if other.len() > 1 {
            format!(" (and {} more)", other.len() - 1)
        } else {
            String::new()
        };
        out.push(Violation::new(
            REQUEST_TARGET,
            section,
            offset + first,
            format!(
                "the request-target contains {}{more}, which may not appear as is: percent-encode it as %{:02X}",
                name_byte(s[first]),
                s[first]
            ),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn verdict(method: &str, target: &str) -> (Form<'static>, Vec<(usize, String)>) {
        let target: &'static [u8] = Box::leak(target.as_bytes().to_vec().into_boxed_slice());
        let mut out = Vec::new();
        let form = check(method.as_bytes(), target, 4, &mut out);
        (
            form,
            out.into_iter().map(|v| (v.offset, v.message)).collect(),
        )
    }

    #[test]
    fn accepts_every_form_where_it_belongs() {
        for (method, target) in [
            ("GET", "/"),
            ("GET", "/a/b;c=d/%E4%B8%96?x=1&y=/?:@!$'()*+,"),
            ("GET", "//double"),
            ("GET", "http://example.com:8080/a?b"),
            ("GET", "http://example.com"),
            ("GET", "ftp://files.example/x"),
            ("OPTIONS", "*"),
            ("CONNECT", "example.com:443"),
        ] {
            assert_eq!(verdict(method, target).1, [], "{method} {target}");
        }
        assert_eq!(verdict("GET", "/").0, Form::Origin);
        assert_eq!(
            verdict("GET", "http://u@h:1/").0,
            Form::Absolute(Some(&b"h:1"[..]))
        );
        assert_eq!(verdict("CONNECT", "h:1").0, Form::Authority(b"h:1"));
    }

    #[test]
    fn reports_each_kind_of_mistake_once_with_its_offset() {
        let (_, found) = verdict("GET", "/a b c{|}世#frag");
        let offsets: Vec<usize> = found.iter().map(|f| f.0).collect();
        assert_eq!(offsets, [16, 6, 13, 10], "{found:?}");
        assert!(found[1].1.contains("2 spaces"));
        assert!(found[3].1.contains("(and 2 more)") && found[3].1.contains("%7B"));
        for (method, target, says) in [
            (
                "GET",
                "index.html",
                "does not start with `/`: ask for `/index.html`",
            ),
            ("GET", "/100%", "%25"),
            ("GET", "*", "only for OPTIONS"),
            ("CONNECT", "/", "not the path"),
            ("CONNECT", "example.com", "no port"),
            ("CONNECT", "a b:1", "a space"),
            ("GET", "http:///x", "empty host"),
            ("GET", "http://u@h/", "userinfo"),
            ("GET", "http://h:x/", "not a number"),
            ("GET", "", "empty"),
        ] {
            let (_, found) = verdict(method, target);
            assert!(
                found.iter().any(|f| f.1.contains(says)),
                "{method} {target}: {found:?}"
            );
        }
    }
}
