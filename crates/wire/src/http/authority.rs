//! `uri-host [ ":" port ]`: the authority in Host, in an absolute-form target and
//! in CONNECT's authority-form (RFC 3986 §3.2.2-3.2.3, RFC 9110 §7.2).

use super::syntax::{is_sub_delim, is_unreserved, name_byte, show};
use std::net::Ipv6Addr;

/// A syntactically valid authority.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Authority<'a> {
    /// The host: a reg-name, an IPv4 address or a bracketed IP literal.
    pub host: &'a [u8],
    /// The digits after the colon, if there was a colon.
    pub port: Option<&'a [u8]>,
}

/// What is wrong with an authority: where in it, and a clause that completes a
/// sentence naming it (`Host ... is empty`).
pub(crate) type Problem = (usize, String);

/// Parses `s` as `uri-host [ ":" port ]`.
pub(crate) fn parse(s: &[u8]) -> Result<Authority<'_>, Problem> {
    if s.is_empty() {
        return Err((0, "is empty: name the server, e.g. `127.0.0.1:8888`".into()));
    }
    if let Some(i) = find(s, b"://") {
        return Err((
            i,
            "is a URL: give only host[:port], e.g. `127.0.0.1:8888`".into(),
        ));
    }
    if let Some(i) = s.iter().position(|&b| b == b'@') {
        return Err((i, "contains userinfo (`…@`): give only host[:port]".into()));
    }
    if let Some(i) = s.iter().position(|&b| b"/?#".contains(&b)) {
        return Err((
            i,
            format!(
                "contains {}: give only host[:port], no path",
                name_byte(s[i])
            ),
        ));
    }
    let (host, rest) = if s[0] == b'[' {
        let Some(close) = s.iter().position(|&b| b == b']') else {
            return Err((
                0,
                "opens an IP literal with `[` but never closes it with `]`".into(),
            ));
        };
        ip_literal(&s[1..close]).map_err(|m| (1, m))?;
        (&s[..=close], &s[close + 1..])
    } else {
        let colon = s.iter().position(|&b| b == b':').unwrap_or(s.len());
        let host = &s[..colon];
        if s[colon..].iter().skip(1).any(|&b| b == b':') {
            return Err((
                colon,
                "has more than one colon: an IPv6 address goes in brackets, e.g. `[::1]:8888`"
                    .into(),
            ));
        }
        if host.is_empty() {
            return Err((0, "has no host before the port".into()));
        }
        reg_name(host)?;
        (host, &s[colon..])
    };
    let port = match rest {
        [] => None,
        [b':', port @ ..] => Some(port),
        _ => {
            return Err((
                host.len(),
                format!("has {} after the `]`: only `:port` may follow", show(rest)),
            ));
        }
    };
    if let Some(port) = port {
        let at = s.len() - port.len();
        if let Some(i) = port.iter().position(|b| !b.is_ascii_digit()) {
            return Err((
                at + i,
                format!("has the port {}, which is not a number", show(port)),
            ));
        }
        if port.len() > 5
            || std::str::from_utf8(port)
                .ok()
                .and_then(|p| p.parse::<u32>().ok())
                .unwrap_or(0)
                > 65535
        {
            return Err((
                at,
                format!("has the port {}, which is above 65535", show(port)),
            ));
        }
    }
    Ok(Authority { host, port })
}

/// `reg-name` or IPv4address: unreserved, sub-delims and pct-encoded.
fn reg_name(host: &[u8]) -> Result<(), Problem> {
    let mut i = 0;
    while i < host.len() {
        let b = host[i];
        if b == b'%' {
            if host.len() < i + 3
                || !host[i + 1].is_ascii_hexdigit()
                || !host[i + 2].is_ascii_hexdigit()
            {
                return Err((i, "has a `%` that is not followed by two hex digits".into()));
            }
            i += 3;
            continue;
        }
        if !is_unreserved(b) && !is_sub_delim(b) {
            return Err((
                i,
                format!(
                    "contains {}, which a host name cannot hold (letters, digits, `-`, `.`)",
                    name_byte(b)
                ),
            ));
        }
        i += 1;
    }
    Ok(())
}

/// The inside of `[...]`: an IPv6 address or IPvFuture (`v1.x`).
fn ip_literal(inner: &[u8]) -> Result<(), String> {
    if let [b'v' | b'V', rest @ ..] = inner {
        let dot = rest.iter().position(|&b| b == b'.').unwrap_or(0);
        let valid = dot > 0
            && rest[..dot].iter().all(u8::is_ascii_hexdigit)
            && rest.len() > dot + 1
            && rest[dot + 1..]
                .iter()
                .all(|&b| is_unreserved(b) || is_sub_delim(b) || b == b':');
        return if valid {
            Ok(())
        } else {
            Err(format!(
                "has {} in brackets, which is not an IP literal",
                show(inner)
            ))
        };
    }
    match std::str::from_utf8(inner).ok().map(str::parse::<Ipv6Addr>) {
        Some(Ok(_)) => Ok(()),
        _ => Err(format!(
            "has {} in brackets, which is not an IPv6 address",
            show(inner)
        )),
    }
}

/// Where `needle` first occurs in `hay`.
fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_names_addresses_and_ports() {
        for ok in [
            &b"127.0.0.1:8888"[..],
            b"localhost",
            b"example.com:",
            b"[::1]:8888",
            b"[fe80::1]",
            b"[v1.x:y]",
            b"my_host.local:80",
            b"%E4%B8%96.cn",
        ] {
            assert!(parse(ok).is_ok(), "{}", String::from_utf8_lossy(ok));
        }
        let a = parse(b"[::1]:8888").unwrap();
        assert_eq!((a.host, a.port), (&b"[::1]"[..], Some(&b"8888"[..])));
    }

    #[test]
    fn says_what_is_wrong_and_where() {
        let wrong = |s: &[u8]| parse(s).unwrap_err();
        assert!(wrong(b"").1.contains("is empty"));
        assert_eq!(wrong(b"http://a/").0, 4);
        assert!(wrong(b"http://a/").1.contains("is a URL"));
        assert_eq!(wrong(b"u@a").0, 1);
        assert!(wrong(b"a/b").1.contains("no path"));
        assert!(wrong(b"::1").1.contains("brackets"));
        assert!(wrong(b":80").1.contains("no host"));
        assert!(wrong(b"[::1").1.contains("never closes"));
        assert!(wrong(b"[zz]").1.contains("not an IPv6"));
        assert!(wrong(b"[::1]x").1.contains("after the `]`"));
        assert_eq!(wrong(b"a:8x").0, 3);
        assert!(wrong(b"a:70000").1.contains("above 65535"));
        assert!(wrong(b"a b").1.contains("a space"));
        assert!(wrong(b"a%zz").1.contains("two hex digits"));
    }
}
