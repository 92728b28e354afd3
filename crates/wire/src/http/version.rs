//! HTTP-version (RFC 9112 §2.3): `HTTP/1.1` or `HTTP/1.0`, case-sensitive.

use super::syntax::show;
use super::violation::Kind;

/// Where the version is defined.
pub(crate) const SECTION: &str = "RFC 9112 §2.3";

/// The minor version of `HTTP/1.0` or `HTTP/1.1`; otherwise what is wrong with
/// `word`, as the end of a sentence that starts with the word itself, and which
/// mistake it is.
pub(crate) fn check(word: &[u8]) -> Result<u8, (String, Kind)> {
    match word {
        b"HTTP/1.1" => return Ok(1),
        b"HTTP/1.0" => return Ok(0),
        _ => {}
    }
    let shown = show(word);
    let upper = word.to_ascii_uppercase();
    let version = word.to_vec();
    if upper == b"HTTP/1.1" || upper == b"HTTP/1.0" {
        return Err((
            format!(
                "{shown} is not `{}`: the HTTP-version is case-sensitive",
                String::from_utf8_lossy(&upper)
            ),
            Kind::VersionCase { version },
        ));
    }
    let message = if matches!(upper[..], [b'H', b'T', b'T', b'P', b'/', major, b'.', minor]
        if major.is_ascii_digit() && minor.is_ascii_digit())
    {
        format!(
            "{shown} is not HTTP/1.x: over a plain TCP connection write `HTTP/1.1` (or `HTTP/1.0`)"
        )
    } else if upper.starts_with(b"HTTP") && upper.get(4).is_some_and(|b| b.is_ascii_digit()) {
        return Err((
            format!("{shown} lacks the `/` after HTTP: write `HTTP/1.1`"),
            Kind::VersionNoSlash { version },
        ));
    } else if upper.starts_with(b"HTTP/") {
        format!("{shown} is not an HTTP-version: write `HTTP/1.1` (`HTTP/`, a digit, `.`, a digit)")
    } else {
        format!("{shown} is not an HTTP-version: write `HTTP/1.1`")
    };
    Err((message, Kind::Other))
}

/// Whether `word` was meant as an HTTP-version (so it is judged as one).
pub(crate) fn looks_like_version(word: &[u8]) -> bool {
    word.len() >= 4 && word[..4].eq_ignore_ascii_case(b"HTTP")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_exactly_http_1_0_and_1_1() {
        assert_eq!(check(b"HTTP/1.1"), Ok(1));
        assert_eq!(check(b"HTTP/1.0"), Ok(0));
    }

    #[test]
    fn names_the_students_mistake() {
        let says = |w: &[u8], what: &str| {
            let (message, _) = check(w).unwrap_err();
            assert!(message.contains(what), "{message}");
        };
        says(b"http/1.1", "case-sensitive");
        says(b"HTTP1.1", "lacks the `/`");
        says(b"HTTP/2.0", "is not HTTP/1.x");
        says(b"HTTP/1.1.1", "`HTTP/`, a digit");
        says(b"HTPP/1.1", "is not an HTTP-version");
        assert!(looks_like_version(b"http1.1") && !looks_like_version(b"/index.html"));
    }
}
