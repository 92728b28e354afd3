//! A service already running at an address (loopback only).

use crate::net::Net;
use crate::output::Output;
use crate::target::{BoxFuture, Instance, LaunchError, LaunchRequest, Target};
use std::net::{IpAddr, SocketAddr};
use tokio::sync::watch;

/// A server already running at a loopback address; sockspec does not start or
/// stop it, so its checks run one at a time.
pub struct Remote {
    addr: SocketAddr,
}

impl Remote {
    /// A remote target at `addr`, which must be a loopback address: sockspec
    /// sends nothing to other hosts.
    pub fn new(addr: SocketAddr) -> Result<Remote, String> {
        if !addr.ip().is_loopback() {
            return Err(format!(
                "--remote {addr}: only loopback addresses (127.0.0.0/8, ::1) may be checked; \
                 run the program under sockspec to check it in a sandbox"
            ));
        }
        Ok(Remote { addr })
    }
}

impl Target for Remote {
    fn describe(&self) -> String {
        format!("remote {}", self.addr)
    }

    fn kind(&self) -> sockspec_results::TargetKind {
        sockspec_results::TargetKind::Remote
    }

    fn isolated(&self) -> bool {
        false
    }

    fn sandboxed(&self) -> bool {
        false
    }

    fn network(&self, _local: &[IpAddr]) -> Result<Net, LaunchError> {
        Ok(Net::host())
    }

    fn launch<'a>(
        &'a self,
        _net: &'a Net,
        request: LaunchRequest,
    ) -> BoxFuture<'a, Result<Instance, LaunchError>> {
        Box::pin(async move {
            if !request.role.is_server() {
                return Err(LaunchError::Setup(format!(
                    "a remote target can only play a server role, not {}",
                    request.role
                )));
            }
            // A remote service never ends as far as sockspec can see.
            let (tx, rx) = watch::channel(None);
            Ok(Instance::new(
                Some(self.addr),
                Output::default(),
                None,
                rx,
                vec![Box::new(tx)],
            ))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_addresses_beyond_loopback() {
        assert!(Remote::new("127.0.0.1:8888".parse().unwrap()).is_ok());
        assert!(Remote::new("[::1]:8888".parse().unwrap()).is_ok());
        let err = Remote::new("192.168.1.10:80".parse().unwrap())
            .err()
            .unwrap();
        assert!(err.contains("only loopback"), "{err}");
    }
}
