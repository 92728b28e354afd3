//! `HOST:PORT` as a user gives it: the host an IP address or a name.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::str::FromStr;

/// Where a client is told its server is (`--addr`, a manifest's `addr`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ServerAddr {
    /// An address, or a host name.
    pub host: Host,
    /// The port.
    pub port: u16,
}

/// The host part of a [`ServerAddr`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Host {
    /// An IPv4 or IPv6 address.
    Ip(IpAddr),
    /// A host name (`www.sina.com.cn`, `localhost`): in a sandbox every name
    /// resolves to sockspec.
    Name(String),
}

/// Why a `HOST:PORT` was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ServerAddrError {
    /// No `:PORT` at the end.
    #[error("`{0}` has no port: write HOST:PORT, e.g. 127.0.0.1:8888 or www.sina.com.cn:80")]
    NoPort(String),
    /// The port is not a number from 0 to 65535.
    #[error("`{0}`: the port is not a number from 0 to 65535")]
    BadPort(String),
    /// The host is neither an address nor a name.
    #[error("`{0}` is neither an IP address nor a host name")]
    BadHost(String),
}

impl ServerAddr {
    /// The socket address sockspec serves at: the IP, or loopback for a name
    /// (inside the sandbox the name resolves to sockspec wherever it points).
    pub fn socket_addr(&self) -> SocketAddr {
        match &self.host {
            Host::Ip(ip) => SocketAddr::new(*ip, self.port),
            Host::Name(_) => SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), self.port),
        }
    }

    /// The host name, if the host is one.
    pub fn name(&self) -> Option<&str> {
        match &self.host {
            Host::Name(name) => Some(name),
            Host::Ip(_) => None,
        }
    }
}

impl From<SocketAddr> for ServerAddr {
    fn from(addr: SocketAddr) -> Self {
        ServerAddr {
            host: Host::Ip(addr.ip()),
            port: addr.port(),
        }
    }
}

impl FromStr for ServerAddr {
    type Err = ServerAddrError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if let Ok(addr) = s.parse::<SocketAddr>() {
            return Ok(addr.into());
        }
        let (host, port) = s
            .rsplit_once(':')
            .ok_or_else(|| ServerAddrError::NoPort(s.to_string()))?;
        let port = port
            .parse::<u16>()
            .map_err(|_| ServerAddrError::BadPort(s.to_string()))?;
        let is_name = !host.is_empty()
            && host.len() <= 253
            && host.split('.').all(|label| {
                !label.is_empty()
                    && label.len() <= 63
                    && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                    && !label.starts_with('-')
            });
        if !is_name {
            return Err(ServerAddrError::BadHost(host.to_string()));
        }
        Ok(ServerAddr {
            host: Host::Name(host.to_ascii_lowercase()),
            port,
        })
    }
}

impl fmt::Display for ServerAddr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.host {
            Host::Name(name) => write!(f, "{name}:{}", self.port),
            Host::Ip(_) => write!(f, "{}", self.socket_addr()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_and_names_parse() {
        let ip: ServerAddr = "127.0.0.1:8888".parse().unwrap();
        assert_eq!(ip.socket_addr(), "127.0.0.1:8888".parse().unwrap());
        let v6: ServerAddr = "[::1]:80".parse().unwrap();
        assert_eq!(v6.to_string(), "[::1]:80");
        let name: ServerAddr = "www.sina.com.cn:80".parse().unwrap();
        assert_eq!(name.name(), Some("www.sina.com.cn"));
        assert_eq!(name.socket_addr().port(), 80);
        assert_eq!(name.to_string(), "www.sina.com.cn:80");
        assert!(matches!(
            "localhost".parse::<ServerAddr>(),
            Err(ServerAddrError::NoPort(_))
        ));
        assert!(matches!(
            "a b:1".parse::<ServerAddr>(),
            Err(ServerAddrError::BadHost(_))
        ));
        assert!(matches!(
            "x:99999".parse::<ServerAddr>(),
            Err(ServerAddrError::BadPort(_))
        ));
    }
}
