//! Field lines (`name: value`, RFC 9112 §5, RFC 9110 §5.5). httparse judges and
//! reads them; only when it rejects a section does [`diagnose`] go through it line
//! by line to say what is wrong where, so every broken line is reported.

use super::Violation;
use super::head::{Line, Section};
use super::syntax::{is_field_value_byte, is_tchar, is_ws, name_byte, show, trim_ows};
use super::violation::Kind;

const FIELD_LINE: &str = "RFC 9112 §5.1";
const OBS_FOLD: &str = "RFC 9112 §5.2";
const FIRST_LINE_WS: &str = "RFC 9112 §2.2";
const FIELD_NAME: &str = "RFC 9110 §5.1";
const FIELD_VALUE: &str = "RFC 9110 §5.5";

/// One field line: its name, its value and where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    /// The field name as sent (compare case-insensitively).
    pub name: String,
    /// The field value's raw bytes, without the optional whitespace around it.
    pub value: Vec<u8>,
    /// Byte offset of the field line in the message.
    pub offset: usize,
    /// Byte offset of the value in the message.
    pub value_offset: usize,
}

impl Field {
    /// Whether its name is `name`, ignoring ASCII case.
    pub fn is(&self, name: &str) -> bool {
        self.name.eq_ignore_ascii_case(name)
    }
}

/// The fields of `section`, read by httparse; `None` when httparse rejects the
/// section or it is not complete.
pub(crate) fn parse(bytes: &[u8], section: &Section, from: usize) -> Option<Vec<Field>> {
    section.blank?;
    let mut headers = vec![httparse::EMPTY_HEADER; section.lines.len()];
    match httparse::parse_headers(&bytes[from..], &mut headers) {
        Ok(httparse::Status::Complete((len, headers))) => {
            debug_assert_eq!(Some(from + len), section.end());
            let base = bytes.as_ptr() as usize;
            Some(
                headers
                    .iter()
                    .map(|h| {
                        let offset = h.name.as_ptr() as usize - base;
                        // An empty value may point anywhere in the line; place it after the colon.
                        let value_offset = if h.value.is_empty() {
                            offset + h.name.len() + 1
                        } else {
                            h.value.as_ptr() as usize - base
                        };
                        Field {
                            name: h.name.to_string(),
                            value: h.value.to_vec(),
                            offset,
                            value_offset,
                        }
                    })
                    .collect(),
            )
        }
        _ => None,
    }
}

/// Goes through `lines` one by one (the first is called `label first_number`,
/// e.g. `line 2`): reports
/// every broken field line as a violation of `check` and returns the fields that
/// can still be read. An obs-fold line is joined to the field before it with one
/// SP, as RFC 9112 §5.2 lets a recipient do.
pub(crate) fn diagnose(
    bytes: &[u8],
    lines: &[Line],
    (first_number, label): (usize, &str),
    check: &'static str,
    out: &mut Vec<Violation>,
) -> Vec<Field> {
    let mut fields: Vec<Field> = Vec::with_capacity(lines.len());
    for (i, line) in lines.iter().enumerate() {
        let number = first_number + i;
        let text = line.text(bytes);
        let text = &text[..];
        // Only an unfinished last line (a lone CR so far) can be empty.
        let Some(&first_byte) = text.first() else {
            continue;
        };
        if is_ws(first_byte) {
            match fields.last_mut() {
                Some(previous) if i > 0 => {
                    out.push(Violation::new(
                        check,
                        OBS_FOLD,
                        line.start,
                        format!(
                            "{label} {number} starts with whitespace, which continues the `{}` field on a new line (obs-fold): write each field on one line",
                            previous.name
                        ),
                    ));
                    let more = trim_ows(text);
                    if !more.is_empty() {
                        if !previous.value.is_empty() {
                            previous.value.push(b' ');
                        }
                        previous.value.extend_from_slice(more);
                    }
                }
                _ => out.push(Violation::new(
                    check,
                    if i == 0 { FIRST_LINE_WS } else { OBS_FOLD },
                    line.start,
                    format!(
                        "{label} {number} starts with whitespace: no whitespace may come between the start-line and the first field, and each field line starts with its name"
                    ),
                )),
            }
            continue;
        }
        let Some(colon) = text.iter().position(|&b| b == b':') else {
            out.push(Violation::new(
                check,
                FIELD_LINE,
                line.start,
                format!(
                    "{label} {number} {} has no colon: a field line is `name: value`, and the header section ends with an empty line",
                    show(text)
                ),
            ).of_kind(if label == "line" {
                Kind::NoColon { line: number, text: text.to_vec() }
            } else {
                Kind::Other
            }));
            continue;
        };
        let raw_name = &text[..colon];
        let name = trim_ows(raw_name);
        if raw_name.is_empty() {
            out.push(Violation::new(
                check,
                FIELD_LINE,
                line.start,
                format!("{label} {number} starts with a colon: the field name is missing"),
            ));
        } else if name.len() != raw_name.len() {
            let gap = line.start + name.len();
            out.push(Violation::new(
                check,
                FIELD_LINE,
                gap,
                format!(
                    "{label} {number} has whitespace between the field name {} and the colon: write `{}:` with nothing in between",
                    show(name),
                    String::from_utf8_lossy(name)
                ),
            ).of_kind(if label == "line" {
                Kind::SpaceBeforeColon { line: number, name: name.to_vec() }
            } else {
                Kind::Other
            }));
        }
        if let Some(bad) = name.iter().position(|&b| !is_tchar(b)) {
            out.push(Violation::new(
                check,
                FIELD_NAME,
                line.start + bad,
                format!(
                    "the field name {} on {label} {number} contains {}: a field name is a token (letters, digits and !#$%&'*+-.^_`|~)",
                    show(name),
                    name_byte(name[bad])
                ),
            ));
        }
        let after = &text[colon + 1..];
        let lead = after.iter().take_while(|&&b| is_ws(b)).count();
        let value = trim_ows(after);
        let value_offset = if value.is_empty() {
            line.start + colon + 1
        } else {
            line.start + colon + 1 + lead
        };
        let bad: Vec<usize> = value
            .iter()
            .enumerate()
            .filter(|&(_, &b)| !is_field_value_byte(b))
            .map(|(i, _)| i)
            .collect();
        if let Some(&first) = bad.first() {
            let more = if bad.len() > 1 {
                format!(" (and {} more)", bad.len() - 1)
            } else {
                String::new()
            };
            out.push(Violation::new(
                check,
                FIELD_VALUE,
                value_offset + first,
                format!(
                    "the value of `{}` on {label} {number} contains {}, a control character{more}: a field value holds visible characters, spaces and tabs only",
                    String::from_utf8_lossy(name),
                    name_byte(value[first])
                ),
            ));
        }
        if !name.is_empty() {
            fields.push(Field {
                name: String::from_utf8_lossy(name).into_owned(),
                value: value.to_vec(),
                offset: line.start,
                value_offset,
            });
        }
    }
    fields
}

#[cfg(test)]
mod tests {
    use super::super::head;
    use super::*;

    fn both(fields: &[u8]) -> (Option<Vec<Field>>, Vec<Field>, Vec<Violation>) {
        let section = head::section(fields, 0);
        let mut out = Vec::new();
        let diagnosed = diagnose(fields, &section.lines, (2, "line"), "c", &mut out);
        (parse(fields, &section, 0), diagnosed, out)
    }

    #[test]
    fn httparse_and_the_diagnosis_read_valid_fields_alike() {
        let (parsed, diagnosed, out) =
            both(b"Host: a\r\nX-Empty:\r\nX-T:\t v 1 \t\r\nX-U: \xe4\xb8\x96\r\n\r\n");
        assert_eq!(out, []);
        assert_eq!(parsed.as_deref(), Some(&diagnosed[..]));
        assert_eq!(diagnosed[2].value, b"v 1");
        assert_eq!(diagnosed[2].value_offset, 25);
        assert_eq!(diagnosed[1].value_offset, 17);
    }

    #[test]
    fn every_broken_line_is_reported() {
        let (parsed, fields, out) = both(
            b" lead: 1\r\nHost : a\r\nX: 1\r\n  folded\r\nno colon\r\n: x\r\nBad(name): 1\r\nV: a\x00b\x01\r\n\r\n",
        );
        assert_eq!(parsed, None);
        let sections: Vec<&str> = out.iter().map(|v| v.section).collect();
        assert_eq!(
            sections,
            [
                FIRST_LINE_WS,
                FIELD_LINE,
                OBS_FOLD,
                FIELD_LINE,
                FIELD_LINE,
                FIELD_NAME,
                FIELD_VALUE
            ]
        );
        assert_eq!(out[1].offset, 14, "the space before the colon");
        assert!(
            out[6].message.contains("(and 1 more)"),
            "{}",
            out[6].message
        );
        let names: Vec<&str> = fields.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["Host", "X", "Bad(name)", "V"]);
        assert_eq!(fields[1].value, b"1 folded");
    }
}
