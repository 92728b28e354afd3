//! Validator throughput over the whole HTTP corpus (`fixtures/http`), in bytes
//! per second: validating every message, and finding where each one ends.
//!
//! `cargo bench -p sockspec-wire --bench validate -- --quick`

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use sockspec_wire::http::{request_end, response_end, validate_request, validate_response};
use std::hint::black_box;
use std::path::Path;

/// Every corpus message: whether it is a request, and its bytes.
fn corpus() -> Vec<(bool, Vec<u8>)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/http");
    let mut messages = Vec::new();
    for (sub, is_request) in [
        ("requests/valid", true),
        ("requests/invalid", true),
        ("responses/valid", false),
        ("responses/invalid", false),
    ] {
        let mut paths: Vec<_> = std::fs::read_dir(root.join(sub))
            .expect("the corpus")
            .map(|e| e.expect("an entry").path())
            .collect();
        paths.sort();
        for path in paths {
            messages.push((is_request, std::fs::read(path).expect("a message")));
        }
    }
    messages
}

fn bench(c: &mut Criterion) {
    let messages = corpus();
    let bytes: usize = messages.iter().map(|(_, m)| m.len()).sum();
    let mut group = c.benchmark_group("http corpus");
    group.throughput(Throughput::Bytes(bytes as u64));
    group.bench_function("validate", |b| {
        b.iter(|| {
            for (is_request, message) in &messages {
                if *is_request {
                    black_box(validate_request(black_box(message)));
                } else {
                    black_box(validate_response(black_box(message), Some("GET"), true));
                }
            }
        })
    });
    group.bench_function("end", |b| {
        b.iter(|| {
            for (is_request, message) in &messages {
                if *is_request {
                    black_box(request_end(black_box(message)));
                } else {
                    black_box(response_end(black_box(message), Some("GET")));
                }
            }
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
