//! What redirection adds to starting a sandbox: medians over 20 sandboxes of
//! making the sandbox itself, binding sockspec's TCP and UDP peers in it, and
//! [`redirect::install`] (routes, name responder, nftables rules), and of
//! its `ip` child process (the routes) alone. Run as root or with user namespaces:
//! `cargo run --release -p sockspec-harness --example redirect_cost`.

use sockspec_harness::redirect::{self, Redirect, UdpPeer};
use sockspec_harness::sandbox;
use std::time::{Duration, Instant};

const RUNS: usize = 20;

fn median(mut times: Vec<Duration>) -> f64 {
    times.sort();
    times[times.len() / 2].as_secs_f64() * 1000.0
}

fn timed<T>(f: impl FnOnce() -> T) -> (T, Duration) {
    let start = Instant::now();
    let value = f();
    (value, start.elapsed())
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let (mut create, mut peers, mut install, mut routes, mut total) =
        (vec![], vec![], vec![], vec![], vec![]);
    for _ in 0..RUNS {
        let ((net, redirection), whole) = timed(|| {
            let (net, t) = timed(|| sandbox::create(&[]).expect("a sandbox"));
            create.push(t);
            let ((tcp, udp), t) = timed(|| {
                (
                    redirect::tcp_peer(&net).unwrap(),
                    UdpPeer::bind(&net).unwrap(),
                )
            });
            peers.push(t);
            let redirect = Redirect {
                tcp_to: Some(tcp.local_addr().unwrap().port()),
                udp_to: Some(udp.port()),
                names: true,
                exempt: vec![],
            };
            let (redirection, t) = timed(|| redirect::install(&net, &redirect).unwrap());
            install.push(t);
            (net, (redirection, tcp, udp))
        });
        total.push(whole);
        drop((net, redirection));
        // The routes alone (one `ip` process), in a sandbox of their own.
        let net = sandbox::create(&[]).unwrap();
        let ((), t) = timed(|| {
            sandbox::ip_batch(
                net.ns_fd().unwrap(),
                &redirect::route_script(redirect::ipv6_available()),
            )
            .unwrap()
        });
        routes.push(t);
    }
    let (create, peers, install, routes, total) = (
        median(create),
        median(peers),
        median(install),
        median(routes),
        median(total),
    );
    println!("medians over {RUNS} sandboxes (ms):");
    println!("  sandbox::create                          {create:6.2}");
    println!("  TCP + UDP peers bound in it              {peers:6.2}");
    println!("  redirect::install (routes, names, rules) {install:6.2}");
    println!("    `ip` with the routes, alone (it runs   {routes:6.2}");
    println!("    beside the responder and `nft`)");
    println!("  all of the above                         {total:6.2}");
    println!(
        "  added by redirection (peers + install)   {:6.2}",
        peers + install
    );
}
