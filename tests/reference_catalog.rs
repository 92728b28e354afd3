//! The whole catalog against sockspec's in-process reference, one test per
//! check (`harness = false`: this is also the example of the `cargo test`
//! integration a Rust user writes for their own code).

use sockspec_checks::{cargo_test, reference};
use sockspec_harness::Settings;

fn main() {
    let suites = reference::roles()
        .into_iter()
        .map(|role| {
            let settings = Settings {
                contract: reference::contract(role),
                seed: 20261124,
                ..Settings::default()
            };
            let target = reference::target(role).expect("roles() lists roles with a reference");
            cargo_test::Suite::shared(target, role, settings)
        })
        .collect();
    cargo_test::main(suites);
}
