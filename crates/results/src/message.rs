//! Diagnoses as data: a message ID from the catalog plus typed arguments, never
//! a pre-rendered sentence. The report renders them in the reader's language.

use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

/// One sentence (or phrase) as data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Message {
    /// The catalog's message ID, e.g. `udp-server-no-reply`.
    pub id: Cow<'static, str>,
    /// Its arguments by name.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub args: BTreeMap<Cow<'static, str>, Arg>,
}

impl Message {
    /// A message without arguments.
    pub fn new(id: impl Into<Cow<'static, str>>) -> Message {
        Message {
            id: id.into(),
            args: BTreeMap::new(),
        }
    }

    /// The message with one more argument.
    pub fn with(mut self, name: impl Into<Cow<'static, str>>, value: impl Into<Arg>) -> Message {
        self.args.insert(name.into(), value.into());
        self
    }

    /// The argument called `name`.
    pub fn arg(&self, name: &str) -> Option<&Arg> {
        self.args.get(name)
    }
}

/// A typed argument of a [`Message`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Arg {
    /// A count or other whole number.
    Int(i64),
    /// A measured quantity.
    Float(f64),
    /// Text quoted as it is (a name, an error from the OS, a path).
    Text(String),
    /// Bytes from the wire or the target's output, shown escaped.
    Bytes(Vec<u8>),
    /// The first [`ARG_BYTES`] of more bytes than that, and how many there
    /// were (what a target that floods sent): shown as [`Arg::Bytes`].
    Excerpt {
        /// The first bytes.
        head: Vec<u8>,
        /// How many bytes there were in all.
        len: usize,
    },
    /// A socket address.
    Addr(SocketAddr),
    /// A duration, in milliseconds.
    Millis(u64),
    /// A nested message (a reason, the target's state), rendered in the same language.
    Msg(Box<Message>),
}

macro_rules! int_args {
    ($($t:ty),*) => {$(
        impl From<$t> for Arg {
            fn from(n: $t) -> Arg {
                Arg::Int(i64::try_from(n).unwrap_or(i64::MAX))
            }
        }
    )*};
}
int_args!(i32, i64, u8, u16, u32, u64, usize);

impl From<f64> for Arg {
    fn from(x: f64) -> Arg {
        Arg::Float(x)
    }
}
impl From<&str> for Arg {
    fn from(s: &str) -> Arg {
        Arg::Text(s.to_string())
    }
}
impl From<String> for Arg {
    fn from(s: String) -> Arg {
        Arg::Text(s)
    }
}
impl From<&String> for Arg {
    fn from(s: &String) -> Arg {
        Arg::Text(s.clone())
    }
}
/// How many bytes an argument keeps (a diagnosis quotes the first few dozen).
pub const ARG_BYTES: usize = 4096;

impl From<&[u8]> for Arg {
    fn from(b: &[u8]) -> Arg {
        match b.len() > ARG_BYTES {
            true => Arg::Excerpt {
                head: b[..ARG_BYTES].to_vec(),
                len: b.len(),
            },
            false => Arg::Bytes(b.to_vec()),
        }
    }
}
impl From<Vec<u8>> for Arg {
    fn from(b: Vec<u8>) -> Arg {
        match b.len() > ARG_BYTES {
            true => Arg::from(b.as_slice()),
            false => Arg::Bytes(b),
        }
    }
}
impl From<&Vec<u8>> for Arg {
    fn from(b: &Vec<u8>) -> Arg {
        Arg::from(b.as_slice())
    }
}
impl<const N: usize> From<&[u8; N]> for Arg {
    fn from(b: &[u8; N]) -> Arg {
        Arg::from(&b[..])
    }
}
impl From<SocketAddr> for Arg {
    fn from(a: SocketAddr) -> Arg {
        Arg::Addr(a)
    }
}
impl From<IpAddr> for Arg {
    fn from(a: IpAddr) -> Arg {
        Arg::Text(a.to_string())
    }
}
impl From<Duration> for Arg {
    fn from(d: Duration) -> Arg {
        Arg::Millis(u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
    }
}
impl From<Message> for Arg {
    fn from(m: Message) -> Arg {
        Arg::Msg(Box::new(m))
    }
}
impl From<crate::ProgramLanguage> for Arg {
    fn from(l: crate::ProgramLanguage) -> Arg {
        Arg::Text(l.as_str().to_string())
    }
}

/// Builds a [`Message`]: `msg!("udp-server-no-reply", me = addr, ms = patience)`.
/// Each argument's name is its name in the catalog; a test reads these
/// invocations to prove every ID and argument exists in both languages.
#[macro_export]
macro_rules! msg {
    ($id:literal $(, $name:ident = $value:expr)* $(,)?) => {
        $crate::Message::new($id)$(.with(stringify!($name), $value))*
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arguments_are_typed_and_named() {
        let m = crate::msg!("x", n = 3usize, b = b"ab", d = Duration::from_millis(5));
        assert_eq!(m.id, "x");
        assert_eq!(m.arg("n"), Some(&Arg::Int(3)));
        assert_eq!(m.arg("b"), Some(&Arg::Bytes(b"ab".to_vec())));
        let flood = vec![b'x'; ARG_BYTES + 1];
        assert_eq!(
            Arg::from(&flood),
            Arg::Excerpt {
                head: flood[..ARG_BYTES].to_vec(),
                len: ARG_BYTES + 1
            }
        );
        assert_eq!(m.arg("d"), Some(&Arg::Millis(5)));
        let json = serde_json::to_string(&m).unwrap();
        assert_eq!(serde_json::from_str::<Message>(&json).unwrap(), m);
    }
}
