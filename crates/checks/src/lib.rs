//! sockspec-checks: the catalog. One module per protocol area; each check is
//! static metadata plus an async function of a [`Ctx`](sockspec_harness::Ctx).
//!
//! Also here: the reference implementation as targets ([`mod@reference`]) and the
//! `cargo test` entry ([`cargo_test`]).

pub mod broadcast;
pub mod cargo_test;
mod common;
pub mod http;
pub mod reference;
pub mod tcp;
pub mod udp;

use sockspec_harness::{Check, Role};

/// Turns `async fn(&mut Ctx) -> Result<Verdict, Verdict>` into a check's `run`.
macro_rules! run_fn {
    ($body:path) => {{
        fn run(ctx: &mut sockspec_harness::Ctx) -> sockspec_harness::CheckFuture<'_> {
            Box::pin(async move { $body(ctx).await.unwrap_or_else(|verdict| verdict) })
        }
        run
    }};
}
pub(crate) use run_fn;

/// Defines a check as a `pub static` [`Check`] documented with its ID, title
/// and reference, run by `async fn(&mut Ctx) -> Result<Verdict, Verdict>`
/// (an `Err` is the verdict too). A rule shared by several checks reads the
/// check's ID from `ctx.check().id`.
///
/// ```ignore
/// check! {
///     pub static LINE {
///         id: "http.request.line",
///         role: HttpClient,
///         level: Must,
///         spec: "RFC 9112 §3",
///         title: "method SP request-target SP HTTP-version CRLF",
///         run: request_rule,
///     }
/// }
/// ```
macro_rules! check {
    ($(
        $vis:vis static $name:ident {
            id: $id:literal,
            role: $role:ident,
            level: $level:ident,
            spec: $spec:literal,
            title: $title:literal,
            $(needs_sandbox: $sandbox:expr,)?
            run: $body:path $(,)?
        }
    )*) => {$(
        #[doc = concat!("`", $id, "`: ", $title, " (", $spec, ").")]
        $vis static $name: sockspec_harness::Check = sockspec_harness::Check {
            id: $id,
            role: sockspec_harness::Role::$role,
            level: sockspec_harness::Level::$level,
            spec: $spec,
            title: $title,
            needs_sandbox: false $(|| $sandbox)?,
            run: $crate::run_fn!($body),
        };
    )*};
}
pub(crate) use check;

/// Every check, in catalog order.
pub fn catalog() -> Vec<&'static Check> {
    let mut all = Vec::new();
    all.extend_from_slice(udp::CHECKS);
    all.extend_from_slice(tcp::CHECKS);
    all.extend_from_slice(broadcast::CHECKS);
    all.extend_from_slice(http::CHECKS);
    all
}

/// The checks that judge a target playing `role`.
pub fn for_role(role: Role) -> Vec<&'static Check> {
    catalog().into_iter().filter(|c| c.role == role).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn ids_are_unique_dotted_and_start_with_their_area() {
        let mut seen = HashSet::new();
        for check in catalog() {
            assert!(seen.insert(check.id), "duplicate id {}", check.id);
            assert_eq!(check.id.split('.').count(), 3, "{}", check.id);
            let area = check.role.as_str().split('-').next().unwrap();
            assert!(
                check.id.starts_with(area),
                "{} is not under {area}",
                check.id
            );
            assert!(!check.spec.is_empty() && !check.title.is_empty());
        }
    }
}
