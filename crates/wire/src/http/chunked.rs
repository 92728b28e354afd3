//! The chunked transfer coding (RFC 9112 §7.1): `size-in-hex [;ext] CRLF data CRLF`
//! per chunk, then `0 CRLF`, trailer fields and an empty line.

use super::Violation;
use super::fields::{self, Field};
use super::head::{self, Line};
use super::syntax::{count, is_tchar, is_ws, show};

const SECTION: &str = "RFC 9112 §7.1";

/// Where a message ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum End {
    /// Just before this offset.
    At(usize),
    /// Not within these bytes: more are needed.
    Incomplete,
    /// Unknowable: the framing broke at this offset.
    Broken(usize),
}

/// A decoded chunked body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Decoded {
    /// The chunks' data, joined (when asked for).
    pub data: Vec<u8>,
    /// The trailer fields.
    pub trailers: Vec<Field>,
    /// Where the chunked body ends.
    pub end: End,
}

/// Decodes the chunked body that starts at `from`, reporting what is wrong as
/// violations of `check` (framing) and `fields_check` (trailer field lines).
/// Bare LFs are reported and then accepted as line ends.
pub(crate) fn decode(
    bytes: &[u8],
    from: usize,
    check: &'static str,
    fields_check: &'static str,
    collect: bool,
    out: &mut Vec<Violation>,
) -> Decoded {
    let mut decoded = Decoded {
        data: Vec::new(),
        trailers: Vec::new(),
        end: End::Incomplete,
    };
    let bad = |at: usize, message: String| Violation::new(check, SECTION, at, message);
    let cut_short = |out: &mut Vec<Violation>| {
        out.push(bad(
            bytes.len(),
            "the chunked body is cut short: it ends with the last chunk `0` and an empty line (`0\\r\\n\\r\\n`)".into(),
        ));
    };
    let mut at = from;
    loop {
        let Some(line) = head::line_at(bytes, at).filter(|l| l.lf.is_some()) else {
            cut_short(out);
            return decoded;
        };
        line_ending(&line, "chunk-size line", check, out);
        let Some((size, digits)) = size_line(bytes, &line, check, out) else {
            decoded.end = End::Broken(line.start);
            return decoded;
        };
        at = line.next();
        if size == 0 {
            break;
        }
        let data_end = usize::try_from(size).ok().and_then(|s| at.checked_add(s));
        let Some(data_end) = data_end.filter(|&e| e < bytes.len()) else {
            cut_short(out);
            return decoded;
        };
        match &bytes[data_end..] {
            [b'\r', b'\n', ..] => {}
            // A CR ending the data and then LF: the CRLF came a byte early.
            [b'\n', ..] if bytes[data_end - 1] != b'\r' => out.push(bad(
                data_end,
                "the data of a chunk is followed by a bare LF: end it with CRLF (\\r\\n)".into(),
            )),
            [b'\r'] => {
                cut_short(out);
                return decoded;
            }
            _ => {
                out.push(bad(line.start, size_mismatch(bytes, at, size, digits)));
                decoded.end = End::Broken(data_end);
                return decoded;
            }
        }
        if collect {
            decoded.data.extend_from_slice(&bytes[at..data_end]);
        }
        at = data_end + if bytes[data_end] == b'\r' { 2 } else { 1 };
    }
    let trailer = head::section(bytes, at);
    let numbered = trailer
        .lines
        .iter()
        .chain(&trailer.blank)
        .enumerate()
        .map(|(i, l)| (i + 1, l));
    for (number, line) in numbered {
        line_ending(line, &format!("trailer line {number}"), check, out);
    }
    decoded.trailers = fields::diagnose(
        bytes,
        &trailer.lines,
        (1, "trailer line"),
        fields_check,
        out,
    );
    match trailer.end() {
        Some(end) => decoded.end = End::At(end),
        None => cut_short(out),
    }
    decoded
}

/// Reports a chunk line that does not end in exactly one CRLF.
fn line_ending(line: &Line, what: &str, check: &'static str, out: &mut Vec<Violation>) {
    let Some(lf) = line.lf else { return };
    let message = match line.crs {
        1 => return,
        0 => format!("the {what} ends in a bare LF: end it with CRLF (\\r\\n)"),
        n => format!(
            "the {what} ends in {} and an LF: end it with one CRLF (\\r\\n)",
            count(n as u64, "CR")
        ),
    };
    out.push(Violation::new(
        check,
        SECTION,
        if line.crs == 0 { lf } else { line.end },
        message,
    ));
}

/// The size a chunk-size line gives, and its digits; `None` when there is none.
fn size_line<'b>(
    bytes: &'b [u8],
    line: &Line,
    check: &'static str,
    out: &mut Vec<Violation>,
) -> Option<(u64, &'b [u8])> {
    let text = line.content(bytes);
    let digits = text.iter().take_while(|b| b.is_ascii_hexdigit()).count();
    if digits == 0 || !is_chunk_ext(&text[digits..]) {
        out.push(Violation::new(
            check,
            SECTION,
            line.start,
            format!(
                "the chunk-size line {} is not the chunk's size in hexadecimal digits (optionally followed by `;name=value` extensions)",
                show(text)
            ),
        ));
        return None;
    }
    let hex = &text[..digits];
    let Some(size) = std::str::from_utf8(hex)
        .ok()
        .and_then(|h| u64::from_str_radix(h, 16).ok())
    else {
        out.push(Violation::new(
            check,
            SECTION,
            line.start,
            format!("the chunk size {} is too large", show(hex)),
        ));
        return None;
    };
    Some((size, hex))
}

/// `chunk-ext = *( BWS ";" BWS name [ BWS "=" BWS ( token / quoted-string ) ] )`.
fn is_chunk_ext(mut s: &[u8]) -> bool {
    let skip_ws = |s: &mut &[u8]| {
        while let [b, rest @ ..] = *s {
            if !is_ws(*b) {
                break;
            }
            *s = rest;
        }
    };
    let token = |s: &mut &[u8]| {
        let n = s.iter().take_while(|&&b| is_tchar(b)).count();
        *s = &s[n..];
        n > 0
    };
    loop {
        let before = s.len();
        skip_ws(&mut s);
        match s {
            // Whitespace may only come before a `;`.
            [] => return s.len() == before,
            [b';', rest @ ..] => s = rest,
            _ => return false,
        }
        skip_ws(&mut s);
        if !token(&mut s) {
            return false;
        }
        let mut after = s;
        skip_ws(&mut after);
        if let [b'=', rest @ ..] = after {
            s = rest;
            skip_ws(&mut s);
            if let [b'"', rest @ ..] = s {
                let Some(close) = quoted_string_end(rest) else {
                    return false;
                };
                s = &rest[close + 1..];
            } else if !token(&mut s) {
                return false;
            }
        }
    }
}

/// The index of the closing quote of a quoted-string whose opening quote was
/// just before `s`.
fn quoted_string_end(s: &[u8]) -> Option<usize> {
    let mut i = 0;
    while i < s.len() {
        match s[i] {
            b'"' => return Some(i),
            b'\\' => i += 2,
            b'\t' | b' '..=b'~' | 0x80.. => i += 1,
            _ => return None,
        }
    }
    None
}

/// Says why the bytes after a chunk's data are not CRLF, with a hint when the
/// size looks decimal.
fn size_mismatch(bytes: &[u8], data: usize, size: u64, digits: &[u8]) -> String {
    let said = format!(
        "the chunk-size line says {} (0x{}) bytes",
        size,
        String::from_utf8_lossy(digits)
    );
    let actual = bytes[data..].windows(2).position(|w| w == b"\r\n");
    match actual {
        Some(n) if digits == n.to_string().as_bytes() => format!(
            "{said}, but its data is {n} bytes and then CRLF: the chunk size is hexadecimal, so {n} bytes is `{n:x}`"
        ),
        Some(n) => format!(
            "{said}, but its data is {n} bytes and then CRLF: the size must count the data's bytes"
        ),
        None => format!("{said}, but no CRLF follows that many bytes of data"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(body: &[u8]) -> (Decoded, Vec<(usize, String)>) {
        let mut out = Vec::new();
        let decoded = decode(body, 0, "c", "f", true, &mut out);
        (
            decoded,
            out.into_iter().map(|v| (v.offset, v.message)).collect(),
        )
    }

    #[test]
    fn decodes_chunks_extensions_and_trailers() {
        let body = b"4;a=1;b=\"x y\"\r\nWiki\r\n5 ; c\r\npedia\r\nE\r\n in\r\n\r\nchunks.\r\n0\r\nX-T: 1\r\n\r\n";
        let (decoded, found) = run(body);
        assert_eq!(found, []);
        assert_eq!(decoded.data, b"Wikipedia in\r\n\r\nchunks.");
        assert_eq!(decoded.trailers.len(), 1);
        assert_eq!(decoded.end, End::At(body.len()));
        assert_eq!(run(b"0\r\n\r\nNEXT").0.end, End::At(5));
    }

    #[test]
    fn agrees_with_httparse_on_the_size() {
        for line in [&b"1a\r\n"[..], b"0\r\n", b"FFFF;x=y\r\n", b"5 ;x\r\n"] {
            let mut out = Vec::new();
            let parsed = head::line_at(line, 0).and_then(|l| size_line(line, &l, "c", &mut out));
            let (_, theirs) = httparse::parse_chunk_size(line).unwrap().unwrap();
            assert_eq!(
                (parsed.map(|p| p.0), out.len()),
                (Some(theirs), 0),
                "{line:?}"
            );
        }
        // httparse is lenient with these: an empty size, whitespace without an extension.
        for line in [&b"\r\n"[..], b"5 \r\n", b";x\r\n"] {
            let mut out = Vec::new();
            let _ = head::line_at(line, 0).and_then(|l| size_line(line, &l, "c", &mut out));
            assert!(httparse::parse_chunk_size(line).is_ok());
            assert_eq!(out.len(), 1, "{line:?}");
        }
    }

    #[test]
    fn reports_what_breaks_the_coding() {
        let (decoded, found) = run(b"zz\r\nabc\r\n0\r\n\r\n");
        assert_eq!(decoded.end, End::Broken(0));
        assert!(found[0].1.contains("hexadecimal"), "{found:?}");
        let (decoded, found) = run(b"10\r\n0123456789\r\n0\r\n\r\n");
        assert_eq!((decoded.end, found[0].0), (End::Broken(20), 0));
        assert!(found[0].1.contains("10 bytes is `a`"), "{found:?}");
        let (decoded, found) = run(b"3\nabc\n0\n\n");
        assert_eq!(decoded.data, b"abc");
        assert_eq!(decoded.end, End::At(9));
        assert_eq!(found.iter().map(|f| f.0).collect::<Vec<_>>(), [1, 5, 7, 8]);
        let (decoded, found) = run(b"3\r\nabc\r\n");
        assert_eq!(decoded.end, End::Incomplete);
        assert!(found[0].1.contains("cut short"));
        assert_eq!(run(b"3\r\nabc\r").0.end, End::Incomplete);
        assert_eq!(run(b"3\r\nab").0.end, End::Incomplete);
        let (decoded, found) = run(b"3 x\r\nabc\r\n0\r\n\r\n");
        assert_eq!((decoded.end, found.len()), (End::Broken(0), 1));
        let (_, found) = run(b"3\r\nabc\r\n0\r\nBad Name: 1\r\n\r\n");
        assert_eq!(found.iter().map(|f| f.0).collect::<Vec<_>>(), [14]);
        assert!(
            !is_chunk_ext(b";a=\"unclosed") && !is_chunk_ext(b";=1") && is_chunk_ext(b" ; a = b")
        );
    }
}
