//! Splitting the header section into lines, leniently: a bare LF ends a line too
//! (RFC 9112 §2.2 lets a recipient do that), so a message with the wrong line
//! endings can still be read and diagnosed whole. How each line really ended is
//! kept, and [`crlf_violations`] turns what is not CRLF into violations.

use super::Violation;
use super::syntax::count;
use super::violation::Kind;
use std::borrow::Cow;

/// The section of RFC 9112 on line endings.
pub(crate) const CRLF_SECTION: &str = "RFC 9112 §2.2";

/// One line of a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Line {
    /// Offset of its first byte.
    pub start: usize,
    /// Offset just past its content, before the CRs and the LF that end it.
    pub end: usize,
    /// Offset of the LF that ends it; `None` when the bytes stop first.
    pub lf: Option<usize>,
    /// How many CRs stand right before the LF (or the end of the bytes): 1 for CRLF.
    pub crs: usize,
}

impl Line {
    /// Offset of the next line.
    pub fn next(&self) -> usize {
        self.lf.map_or(self.end + self.crs, |lf| lf + 1)
    }

    /// Whether it has no content.
    pub fn is_blank(&self) -> bool {
        self.start == self.end
    }

    /// Its content, bare CRs included.
    pub fn content<'a>(&self, bytes: &'a [u8]) -> &'a [u8] {
        &bytes[self.start..self.end]
    }

    /// Its content with every bare CR replaced by SP, as RFC 9112 §2.2 allows a
    /// recipient to do, so that a bare CR (reported once) does not derail the
    /// checks of the rest of the line.
    pub fn text<'a>(&self, bytes: &'a [u8]) -> Cow<'a, [u8]> {
        let content = self.content(bytes);
        if content.contains(&b'\r') {
            Cow::Owned(
                content
                    .iter()
                    .map(|&b| if b == b'\r' { b' ' } else { b })
                    .collect(),
            )
        } else {
            Cow::Borrowed(content)
        }
    }
}

/// The line that starts at `from`, if any byte is left there.
pub(crate) fn line_at(bytes: &[u8], from: usize) -> Option<Line> {
    if from >= bytes.len() {
        return None;
    }
    let lf = bytes[from..]
        .iter()
        .position(|&b| b == b'\n')
        .map(|i| from + i);
    let stop = lf.unwrap_or(bytes.len());
    let mut end = stop;
    while end > from && bytes[end - 1] == b'\r' {
        end -= 1;
    }
    Some(Line {
        start: from,
        end,
        lf,
        crs: stop - end,
    })
}

/// Lines from `from` up to and including the first terminated blank one.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Section {
    /// The non-blank lines (the last one may be unterminated).
    pub lines: Vec<Line>,
    /// The blank line that closes the section, if it came.
    pub blank: Option<Line>,
}

impl Section {
    /// Offset just past the closing blank line.
    pub fn end(&self) -> Option<usize> {
        self.blank.map(|l| l.next())
    }
}

/// The lines of a section (fields or trailers) that starts at `from`.
pub(crate) fn section(bytes: &[u8], from: usize) -> Section {
    let mut out = Section::default();
    let mut at = from;
    while let Some(line) = line_at(bytes, at) {
        if line.is_blank() && line.lf.is_some() {
            out.blank = Some(line);
            break;
        }
        at = line.next();
        out.lines.push(line);
    }
    out
}

/// The header section of a message: blank lines before the start-line (which a
/// sender must not send but a server should skip), the start-line, the field
/// lines, and the blank line that ends it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Head {
    /// Blank lines before the start-line.
    pub leading: Vec<Line>,
    /// The start-line, if a non-blank line came.
    pub start: Option<Line>,
    /// The field lines and the closing blank line.
    pub fields: Section,
}

impl Head {
    /// Offset just past the header section, when it is complete.
    pub fn end(&self) -> Option<usize> {
        match self.start {
            Some(start) if start.lf.is_some() => self.fields.end(),
            _ => None,
        }
    }

    /// Every line in order, each with its 1-based number.
    pub fn numbered(&self) -> impl Iterator<Item = (usize, &Line)> {
        self.leading
            .iter()
            .chain(&self.start)
            .chain(&self.fields.lines)
            .chain(&self.fields.blank)
            .enumerate()
            .map(|(i, l)| (i + 1, l))
    }

    /// The 1-based number of the first field line.
    pub fn first_field_number(&self) -> usize {
        self.leading.len() + 2
    }
}

/// Splits the header section off the front of `bytes`.
pub(crate) fn split(bytes: &[u8]) -> Head {
    let mut head = Head::default();
    let mut at = 0;
    while let Some(line) = line_at(bytes, at) {
        if !line.is_blank() || line.lf.is_none() {
            if !line.is_blank() {
                head.start = Some(line);
                if line.lf.is_some() {
                    head.fields = section(bytes, line.next());
                }
            }
            break;
        }
        head.leading.push(line);
        at = line.next();
    }
    head
}

/// What is not CRLF in `lines` (numbered from 1): bare LFs, doubled CRs and bare
/// CRs, reported as violations of `check`.
pub(crate) fn crlf_violations<'l>(
    bytes: &[u8],
    lines: impl Iterator<Item = (usize, &'l Line)>,
    check: &'static str,
    out: &mut Vec<Violation>,
) {
    for (number, line) in lines {
        let content = line.content(bytes);
        for (i, _) in content.iter().enumerate().filter(|(_, b)| **b == b'\r') {
            out.push(Violation::new(
                check,
                CRLF_SECTION,
                line.start + i,
                format!(
                    "line {number} has a bare CR (\\r not followed by \\n) in it: a CR may only appear as part of the CRLF that ends a line"
                ),
            ).of_kind(Kind::BareCr { line: number }));
        }
        let Some(lf) = line.lf else { continue };
        match line.crs {
            0 => out.push(Violation::new(
                check,
                CRLF_SECTION,
                lf,
                format!(
                    "line {number} ends in a bare LF: every line of an HTTP message ends in CRLF (\\r\\n)"
                ),
            ).of_kind(Kind::BareLf { line: number })),
            1 => {}
            n => out.push(Violation::new(
                check,
                CRLF_SECTION,
                line.end,
                format!(
                    "line {number} ends in {} and an LF: end every line with exactly one CRLF (\\r\\n)",
                    count(n as u64, "CR")
                ),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_leading_blank_lines_start_line_fields_and_the_end() {
        let bytes = b"\r\nGET / HTTP/1.1\r\nHost: a\nX: 1\r\n\r\nbody";
        let head = split(bytes);
        assert_eq!(head.leading.len(), 1);
        let start = head.start.unwrap();
        assert_eq!(start.content(bytes), b"GET / HTTP/1.1");
        let fields: Vec<&[u8]> = head.fields.lines.iter().map(|l| l.content(bytes)).collect();
        assert_eq!(fields, [&b"Host: a"[..], b"X: 1"]);
        assert_eq!(head.end(), Some(bytes.len() - 4));
        assert_eq!(head.first_field_number(), 3);
        assert_eq!(head.numbered().count(), 5);
    }

    #[test]
    fn an_unfinished_head_has_no_end() {
        for bytes in [
            &b""[..],
            b"\r\n",
            b"GET / HTTP/1.1",
            b"GET / HTTP/1.1\r\nHost: a\r\n",
            b"GET / HTTP/1.1\r\n\r",
        ] {
            assert_eq!(split(bytes).end(), None, "{bytes:?}");
        }
        assert_eq!(split(b"GET / HTTP/1.1\n\n").end(), Some(16));
    }

    #[test]
    fn reports_bare_lf_doubled_cr_and_bare_cr() {
        let bytes = b"GET / HTTP/1.1\nHost: a\rb\r\r\n\r\n";
        let head = split(bytes);
        let mut out = Vec::new();
        crlf_violations(bytes, head.numbered(), "c", &mut out);
        let found: Vec<(usize, &str)> = out.iter().map(|v| (v.offset, &v.message[..12])).collect();
        assert_eq!(
            found,
            [
                (14, "line 1 ends "),
                (22, "line 2 has a"),
                (24, "line 2 ends ")
            ]
        );
        assert_eq!(head.fields.lines[0].text(bytes), &b"Host: a b"[..]);
    }
}
