//! The byte classes of the HTTP and URI grammars (RFC 9110 §5.6, RFC 3986 §2-3),
//! and small helpers to talk about bytes in messages.

use crate::render::escape_bytes;

/// `tchar`: the characters of a token (RFC 9110 §5.6.2).
pub(crate) fn is_tchar(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

/// A non-empty token.
pub(crate) fn is_token(s: &[u8]) -> bool {
    !s.is_empty() && s.iter().all(|&b| is_tchar(b))
}

/// SP or HTAB: optional whitespace (RFC 9110 §5.6.3).
pub(crate) fn is_ws(b: u8) -> bool {
    b == b' ' || b == b'\t'
}

/// A byte allowed in a field value: VCHAR, obs-text, SP, HTAB (RFC 9110 §5.5).
pub(crate) fn is_field_value_byte(b: u8) -> bool {
    b == b'\t' || (b' '..=b'~').contains(&b) || b >= 0x80
}

/// `unreserved` (RFC 3986 §2.3).
pub(crate) fn is_unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"-._~".contains(&b)
}

/// `sub-delims` (RFC 3986 §2.2).
pub(crate) fn is_sub_delim(b: u8) -> bool {
    b"!$&'()*+,;=".contains(&b)
}

/// A byte that may stand for itself in a path or query: `pchar`, `/` and `?`
/// (RFC 3986 §3.3-3.4); `%` is checked separately as pct-encoded.
pub(crate) fn is_path_or_query_byte(b: u8) -> bool {
    is_unreserved(b) || is_sub_delim(b) || b":@/?".contains(&b)
}

/// The bytes with leading and trailing SP/HTAB removed.
pub(crate) fn trim_ows(s: &[u8]) -> &[u8] {
    let start = s.iter().position(|&b| !is_ws(b)).unwrap_or(s.len());
    let end = s.iter().rposition(|&b| !is_ws(b)).map_or(start, |i| i + 1);
    &s[start..end]
}

/// Bytes shown in backticks, escaped, shortened past 60 bytes.
pub(crate) fn show(bytes: &[u8]) -> String {
    const LIMIT: usize = 60;
    if bytes.len() <= LIMIT {
        return format!("`{}`", escape_bytes(bytes));
    }
    // Cut on a UTF-8 boundary where possible so Chinese text is not split.
    let mut cut = LIMIT;
    while cut > LIMIT - 3 && (bytes[cut] & 0xC0) == 0x80 {
        cut -= 1;
    }
    format!("`{}…`", escape_bytes(&bytes[..cut]))
}

/// One byte named for a student: `a space`, `a tab`, `\x00`, `{`.
pub(crate) fn name_byte(b: u8) -> String {
    match b {
        b' ' => "a space".to_string(),
        b'\t' => "a tab (\\t)".to_string(),
        b'\r' => "a CR (\\r)".to_string(),
        b'\n' => "an LF (\\n)".to_string(),
        0x21..=0x7e => format!("`{}`", b as char),
        _ => format!("the byte \\x{b:02x}"),
    }
}

/// `n` with its noun, singular or plural: `1 byte`, `3 bytes`.
pub(crate) fn count(n: u64, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn byte_classes_follow_the_grammar() {
        assert!(is_token(b"GET") && is_token(b"X-My_Field!") && !is_token(b""));
        assert!(!is_token(b"User Agent") && !is_token(b"a:b") && !is_token("名".as_bytes()));
        assert!(is_field_value_byte(b'\t') && is_field_value_byte(0xe4));
        assert!(
            !is_field_value_byte(0) && !is_field_value_byte(0x7f) && !is_field_value_byte(b'\r')
        );
        assert!(is_path_or_query_byte(b'/') && is_path_or_query_byte(b'@'));
        assert!(
            !is_path_or_query_byte(b'#')
                && !is_path_or_query_byte(b'{')
                && !is_path_or_query_byte(b'%')
        );
    }

    #[test]
    fn helpers_trim_show_and_count() {
        assert_eq!(trim_ows(b" \t a b \t"), b"a b");
        assert_eq!(trim_ows(b"  "), b"");
        assert_eq!(show(b"a\r\n"), "`a\\r\\n`");
        assert_eq!(show(&[b'x'; 70]), format!("`{}…`", "x".repeat(60)));
        assert_eq!(name_byte(0), "the byte \\x00");
        assert_eq!(count(1, "byte"), "1 byte");
        assert_eq!(count(2, "byte"), "2 bytes");
    }
}
