//! `sockspec list`: the catalog.

use crate::cli::{Format, ListArgs};
use serde_json::json;

/// Prints the catalog (or one role's checks) as text or JSON.
pub fn run(args: ListArgs) -> u8 {
    let checks: Vec<_> = sockspec_checks::catalog()
        .into_iter()
        .filter(|c| args.role.is_none_or(|r| c.role == r))
        .collect();
    match args.format {
        Format::Json => {
            let list: Vec<_> = checks
                .iter()
                .map(|c| {
                    json!({"id": c.id, "role": c.role, "level": c.level, "spec": c.spec, "title": c.title})
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
                    c.id, c.role, c.level, c.title, c.spec
                );
            }
        }
    }
    super::EXIT_OK
}
