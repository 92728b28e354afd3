//! What starting one sandboxed instance costs: the median over 20 starts of
//! (a) `true` launched until it exits and (b) a Python UDP echo server launched
//! until it is bound, each in a fresh network, sandboxed and not.
//!
//! A measurement, not a check: `cargo test -p sockspec-harness --test start_cost
//! -- --ignored --nocapture`.

use sockspec_harness::launch::Command;
use sockspec_harness::sandbox::{self, Availability};
use sockspec_harness::{LaunchRequest, Role, Target};
use std::path::PathBuf;
use std::time::{Duration, Instant};

const STARTS: usize = 20;

fn request(role: Role) -> LaunchRequest {
    LaunchRequest {
        role,
        connect_to: None,
        bind_to: None,
        connect_name: None,
        input: Vec::new(),
        close_stdin: true,
        activity: tokio::sync::watch::channel(0).1,
        start_timeout: Duration::from_secs(10),
        broadcast: None,
    }
}

fn fixture(path: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(path)
        .to_string_lossy()
        .into_owned()
}

async fn median_ms(argv: &[String], sandboxed: bool, role: Role) -> f64 {
    let target = Command::new(argv.to_vec(), sandboxed).unwrap();
    let mut times = Vec::new();
    for _ in 0..STARTS {
        let start = Instant::now();
        let net = target.network(&[]).unwrap();
        let instance = match target.launch(&net, request(role)).await {
            Ok(instance) => instance,
            Err(e) => {
                let said = e.output().map(|o| {
                    o.get(sockspec_harness::output::Stream::Stderr)
                        .tail_lines(10)
                });
                panic!("{e}: {said:?}");
            }
        };
        if !role.is_server() {
            assert!(instance.wait_exit(Duration::from_secs(10)).await.is_some());
        }
        times.push(start.elapsed().as_secs_f64() * 1000.0);
    }
    times.sort_by(f64::total_cmp);
    times[STARTS / 2]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a measurement: run with --ignored --nocapture"]
async fn measure_the_cost_of_starting_an_instance() {
    if let Availability::Unavailable(why) = sandbox::availability() {
        panic!("the measurement needs the sandbox: {why}");
    }
    match sandbox::cgroup_status() {
        Ok(()) => println!("limits: cgroup v2 (memory.max, pids.max)"),
        Err(why) => println!("limits: RLIMIT_AS and RLIMIT_NPROC (no cgroup: {why})"),
    }
    let exit = vec!["true".to_string()];
    let server = vec![
        "python3".to_string(),
        fixture("fixtures/python/udp-server/echo_server.py"),
    ];
    let system_python = vec![
        "/usr/bin/python3".to_string(),
        fixture("fixtures/python/udp-server/echo_server.py"),
    ];
    for (what, argv, role) in [
        ("`true` until it exits", &exit, Role::UdpClient),
        (
            "a Python UDP server (PATH's python3) until bound",
            &server,
            Role::UdpServer,
        ),
        (
            "a Python UDP server (/usr/bin/python3) until bound",
            &system_python,
            Role::UdpServer,
        ),
    ] {
        let host = median_ms(argv, false, role).await;
        let sandboxed = median_ms(argv, true, role).await;
        println!(
            "{what}: median of {STARTS}: {host:.1} ms unsandboxed, {sandboxed:.1} ms sandboxed (+{:.1} ms)",
            sandboxed - host
        );
    }
}
