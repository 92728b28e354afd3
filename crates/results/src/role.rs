//! Roles a target can play, and contracts that give its replies a meaning.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// The role a target plays; sockspec plays the other side.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    /// Answers datagrams.
    UdpServer,
    /// Sends datagrams, usually one per input line.
    UdpClient,
    /// Accepts connections and answers a byte stream.
    TcpServer,
    /// Connects, sends, reads replies.
    TcpClient,
    /// Sends UDP broadcasts.
    BroadcastSender,
    /// Receives UDP broadcasts.
    BroadcastReceiver,
    /// Sends an HTTP/1.1 request.
    HttpClient,
    /// Answers HTTP requests.
    HttpServer,
}

impl Role {
    /// Every role, in DESIGN order.
    pub const ALL: [Role; 8] = [
        Role::UdpServer,
        Role::UdpClient,
        Role::TcpServer,
        Role::TcpClient,
        Role::BroadcastSender,
        Role::BroadcastReceiver,
        Role::HttpClient,
        Role::HttpServer,
    ];

    /// The role's public name, e.g. `udp-server`.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::UdpServer => "udp-server",
            Role::UdpClient => "udp-client",
            Role::TcpServer => "tcp-server",
            Role::TcpClient => "tcp-client",
            Role::BroadcastSender => "broadcast-sender",
            Role::BroadcastReceiver => "broadcast-receiver",
            Role::HttpClient => "http-client",
            Role::HttpServer => "http-server",
        }
    }

    /// Whether the target waits for sockspec to come to it (so it must be found
    /// bound before a check talks to it).
    pub fn is_server(self) -> bool {
        matches!(
            self,
            Role::UdpServer | Role::TcpServer | Role::HttpServer | Role::BroadcastReceiver
        )
    }

    /// The transport the role's sockets use.
    pub fn transport(self) -> Transport {
        match self {
            Role::UdpServer | Role::UdpClient | Role::BroadcastSender | Role::BroadcastReceiver => {
                Transport::Udp
            }
            _ => Transport::Tcp,
        }
    }
}

impl Transport {
    /// The transport's name, as catalog selectors use it.
    pub fn as_str(self) -> &'static str {
        match self {
            Transport::Tcp => "tcp",
            Transport::Udp => "udp",
        }
    }
}

/// A socket's transport protocol.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Transport {
    /// SOCK_STREAM.
    Tcp,
    /// SOCK_DGRAM.
    Udp,
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = UnknownName;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| UnknownName::new("role", s, Role::ALL.map(Role::as_str)))
    }
}

/// What the target's replies mean, so application checks can judge them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Contract {
    /// The reply bytes equal the request bytes.
    Echo,
    /// Newline-delimited messages, one reply line per message line.
    Lines,
    /// No content expectation: only transport and metamorphic checks.
    #[default]
    Any,
}

impl Contract {
    /// The contract's public name.
    pub fn as_str(self) -> &'static str {
        match self {
            Contract::Echo => "echo",
            Contract::Lines => "lines",
            Contract::Any => "any",
        }
    }
}

impl fmt::Display for Contract {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Contract {
    /// Every contract.
    pub const ALL: [Contract; 3] = [Contract::Echo, Contract::Lines, Contract::Any];
}

impl FromStr for Contract {
    type Err = UnknownName;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Contract::ALL
            .into_iter()
            .find(|c| c.as_str() == s)
            .ok_or_else(|| UnknownName::new("contract", s, Contract::ALL.map(Contract::as_str)))
    }
}

/// A name that is not one of a closed set (a role, a contract, a language).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {kind} `{given}`; expected one of {}", expected.join(", "))]
pub struct UnknownName {
    /// What was being named (`role`).
    pub kind: &'static str,
    /// The name given.
    pub given: String,
    /// The names that exist.
    pub expected: Vec<&'static str>,
}

impl UnknownName {
    /// `given` is not a `kind`; `expected` are the names that are.
    pub fn new(
        kind: &'static str,
        given: &str,
        expected: impl IntoIterator<Item = &'static str>,
    ) -> Self {
        UnknownName {
            kind,
            given: given.to_string(),
            expected: expected.into_iter().collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_names_round_trip() {
        for role in Role::ALL {
            assert_eq!(role.as_str().parse::<Role>(), Ok(role));
        }
        assert!(
            "udp"
                .parse::<Role>()
                .unwrap_err()
                .to_string()
                .contains("udp-server")
        );
        assert_eq!("echo".parse::<Contract>(), Ok(Contract::Echo));
    }
}
