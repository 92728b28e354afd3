//! `sockspec list`: the catalog.

use crate::cli::{Format, ListArgs};
use serde_json::json;
use sockspec_report::Lang;
use sockspec_results::ExitStatus;

/// Prints the catalog (or one role's checks) as text or JSON, titles in the
/// chosen language.
pub(crate) fn run(args: ListArgs) -> ExitStatus {
    let catalog = args.lang.unwrap_or_else(Lang::from_env).catalog();
    let checks: Vec<_> = sockspec_checks::catalog()
        .into_iter()
        .filter(|c| args.role.is_none_or(|r| c.role == r))
        .collect();
    match args.format {
        Format::Json => {
            let list: Vec<_> = checks
                .iter()
                .map(|c| {
                    json!({"id": c.id, "role": c.role, "level": c.level, "spec": c.spec, "title": catalog.title(&c.info())})
                })
                .collect();
            println!(
                "{}",
                serde_json::to_string_pretty(&list).expect("serializes")
            );
        }
        Format::Text => {
            for c in checks {
                println!(
                    "{:<36} {:<18} {:<6} {}  [{}]",
                    c.id,
                    c.role,
                    c.level,
                    catalog.title(&c.info()),
                    c.spec
                );
            }
        }
    }
    ExitStatus::Ok
}
