//! Rendering bytes for people: escaped (exact) and lossy UTF-8 (readable).

use std::fmt::Write;

/// Renders bytes exactly and readably: valid UTF-8 text stays as is (Chinese
/// included), control characters and invalid bytes become escapes (`\r`, `\n`,
/// `\x00`, `\xff`). The result is one line.
pub fn escape_bytes(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    for chunk in bytes.utf8_chunks() {
        for c in chunk.valid().chars() {
            match c {
                '\r' => out.push_str("\\r"),
                '\n' => out.push_str("\\n"),
                '\t' => out.push_str("\\t"),
                '\\' => out.push_str("\\\\"),
                c if c.is_control() => {
                    let _ = write!(out, "\\x{:02x}", c as u32);
                }
                c => out.push(c),
            }
        }
        for b in chunk.invalid() {
            let _ = write!(out, "\\x{b:02x}");
        }
    }
    out
}

/// Renders at most `limit` bytes with [`escape_bytes`], saying how many were left out.
pub fn lossy_preview(bytes: &[u8], limit: usize) -> String {
    preview_of(bytes, bytes.len(), limit)
}

/// [`lossy_preview`] of `len` bytes of which only the first, `head`, were
/// kept (at least `limit` of them when `len` is more than `limit`).
pub fn preview_of(head: &[u8], len: usize, limit: usize) -> String {
    if len <= limit || head.len() <= limit {
        return escape_bytes(head);
    }
    // Cut on a char boundary where possible so Chinese text is not split.
    let mut cut = limit;
    while cut > 0 && cut < head.len() && (head[cut] & 0xC0) == 0x80 {
        cut -= 1;
    }
    if cut == 0 {
        cut = limit;
    }
    format!("{}… (+{} bytes)", escape_bytes(&head[..cut]), len - cut)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_chinese_and_escapes_controls_and_invalid_bytes() {
        assert_eq!(
            escape_bytes("你好\r\n".as_bytes()),
            "你好\\r\\n",
            "text stays, CRLF is visible"
        );
        assert_eq!(escape_bytes(b"a\x00\xff\\"), "a\\x00\\xff\\\\");
    }

    #[test]
    fn preview_cuts_on_char_boundary_and_counts_the_rest() {
        let s = "世界".as_bytes(); // 6 bytes
        assert_eq!(lossy_preview(s, 4), "世… (+3 bytes)");
        assert_eq!(lossy_preview(b"abc", 10), "abc");
    }
}
