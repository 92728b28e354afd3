# Recipes for humans; CI runs ci/test. Install just with `pip install rust-just`.

# the tests, as CI runs them
test:
    cargo test --workspace

# format and lint as CI does
lint:
    cargo fmt --all -- --check
    cargo clippy --workspace --all-targets -- -D warnings

# review changed insta snapshots
snapshots:
    cargo insta review

# the catalog against the bundled examples
demo:
    cargo run --release -- run --role udp-server --contract echo -- python3 fixtures/python/udp-server/echo_server.py
    cargo run --release -- run --role udp-client --contract echo -- python3 fixtures/python/udp-client/echo_client.py

# timings: the UDP catalog against the reference and a Python fixture (medians of 5)
bench:
    ci/bench
