//! The Host field (RFC 9112 §3.2, RFC 9110 §7.2): exactly one in an HTTP/1.1
//! request, a valid `host[:port]`, and the same as the target's authority when
//! the target has one.

use super::Violation;
use super::authority;
use super::fields::Field;
use super::ids::REQUEST_HOST;
use super::syntax::show;
use super::target::Form;
use super::violation::Kind;

const REQUIRED: &str = "RFC 9112 §3.2";
const SYNTAX: &str = "RFC 9110 §7.2";

/// Checks the Host fields of a request whose minor version is `minor` (`None`
/// when its version is invalid: judged as HTTP/1.1) and whose target has `form`.
/// `fields_at` is where the field section starts.
pub(crate) fn check(
    fields: &[Field],
    minor: Option<u8>,
    form: Form<'_>,
    fields_at: usize,
    out: &mut Vec<Violation>,
) {
    let hosts: Vec<&Field> = fields.iter().filter(|f| f.is("host")).collect();
    if hosts.is_empty() && minor != Some(0) {
        out.push(Violation::new(
            REQUEST_HOST,
            REQUIRED,
            fields_at,
            "there is no Host field: an HTTP/1.1 request names the server it is for, e.g. `Host: 127.0.0.1:8888`",
        ).of_kind(Kind::NoHost));
    }
    for extra in hosts.iter().skip(1) {
        out.push(
            Violation::new(
                REQUEST_HOST,
                REQUIRED,
                extra.offset,
                "a second Host field: send exactly one",
            )
            .of_kind(Kind::SecondHost),
        );
    }
    let mut valid = true;
    for host in &hosts {
        if let Err((at, problem)) = authority::parse(&host.value) {
            valid = false;
            out.push(Violation::new(
                REQUEST_HOST,
                SYNTAX,
                host.value_offset + at,
                format!("Host {} {problem}", show(&host.value)),
            ));
        }
    }
    let target_authority = match form {
        Form::Absolute(authority) => authority,
        Form::Authority(authority) => Some(authority),
        _ => None,
    };
    if let (Some(expected), [host]) = (target_authority, &hosts[..])
        && valid
        && !host.value.eq_ignore_ascii_case(expected)
    {
        out.push(Violation::new(
            REQUEST_HOST,
            REQUIRED,
            host.value_offset,
            format!(
                "Host {} differs from {}, the authority in the request-target: they must be the same",
                show(&host.value),
                show(expected)
            ),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn host_fields(values: &[&str]) -> Vec<Field> {
        values
            .iter()
            .enumerate()
            .map(|(i, v)| Field {
                name: if i % 2 == 0 { "Host" } else { "host" }.to_string(),
                value: v.as_bytes().to_vec(),
                offset: 100 * (i + 1),
                value_offset: 100 * (i + 1) + 6,
            })
            .collect()
    }

    fn found(values: &[&str], minor: Option<u8>, form: Form<'_>) -> Vec<(usize, &'static str)> {
        let mut out = Vec::new();
        check(&host_fields(values), minor, form, 16, &mut out);
        out.iter().map(|v| (v.offset, v.section)).collect()
    }

    #[test]
    fn wants_exactly_one_valid_host_in_http_1_1() {
        assert_eq!(found(&["127.0.0.1:8888"], Some(1), Form::Origin), []);
        assert_eq!(found(&[], Some(0), Form::Origin), []);
        assert_eq!(found(&[], Some(1), Form::Origin), [(16, REQUIRED)]);
        assert_eq!(found(&[], None, Form::Origin), [(16, REQUIRED)]);
        assert_eq!(found(&["a", "a"], Some(1), Form::Origin), [(200, REQUIRED)]);
        assert_eq!(
            found(&["http://a/"], Some(1), Form::Origin),
            [(110, SYNTAX)]
        );
        assert_eq!(found(&[""], Some(0), Form::Origin), [(106, SYNTAX)]);
    }

    #[test]
    fn matches_the_authority_of_the_target() {
        assert_eq!(
            found(
                &["Example.com:80"],
                Some(1),
                Form::Absolute(Some(b"example.com:80"))
            ),
            []
        );
        assert_eq!(
            found(&["a:80"], Some(1), Form::Absolute(Some(b"b:80"))),
            [(106, REQUIRED)]
        );
        assert_eq!(
            found(&["a"], Some(1), Form::Authority(b"a:443")),
            [(106, REQUIRED)]
        );
    }
}
