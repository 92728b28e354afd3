//! Addresses written in a program's source: `('127.0.0.1', 8888)`,
//! `("localhost", 9999)`, `'176.1.2.3', 8888`, `('<broadcast>', 9999)`. A client with a hard-coded server
//! needs no `--addr`, and the sandbox can make a hard-coded LAN address local.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::Path;

/// The largest source file read for hints.
const MAX_SOURCE: u64 = 1024 * 1024;

/// Addresses found in the file at `path` (none if it is not readable text).
/// Only regular files are read (a link to `/proc/kmsg` or a FIFO is not).
pub fn from_file(path: &Path) -> Vec<SocketAddr> {
    crate::sandbox::copy::read_regular(path, MAX_SOURCE)
        .map(|bytes| from_text(&String::from_utf8_lossy(&bytes)))
        .unwrap_or_default()
}

/// Addresses found in `text`: a quoted IPv4 literal or `localhost`, a comma,
/// and a port number; or a URL `http://HOST:PORT`.
pub fn from_text(text: &str) -> Vec<SocketAddr> {
    let mut found = Vec::new();
    for (i, _) in text.match_indices("://") {
        let authority: String = text[i + 3..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '.' || *c == ':')
            .collect();
        let Some((host, port)) = authority.split_once(':') else {
            continue;
        };
        let ip = match host {
            "localhost" => IpAddr::V4(Ipv4Addr::LOCALHOST),
            _ => match host.parse::<Ipv4Addr>() {
                Ok(ip) => IpAddr::V4(ip),
                Err(_) => continue,
            },
        };
        if let Ok(port) = port.parse::<u16>() {
            let addr = SocketAddr::new(ip, port);
            if port != 0 && !found.contains(&addr) {
                found.push(addr);
            }
        }
    }
    for (i, quote) in text.char_indices().filter(|(_, c)| *c == '\'' || *c == '"') {
        let rest = &text[i + 1..];
        let Some(end) = rest.find(quote) else {
            continue;
        };
        let literal = &rest[..end];
        let ip = match literal {
            "localhost" => IpAddr::V4(Ipv4Addr::LOCALHOST),
            // Python's name for the limited broadcast address.
            "<broadcast>" => IpAddr::V4(Ipv4Addr::BROADCAST),
            _ => match literal.parse::<Ipv4Addr>() {
                Ok(ip) => IpAddr::V4(ip),
                Err(_) => continue,
            },
        };
        let after = rest[end + 1..].trim_start();
        let Some(after) = after.strip_prefix(',') else {
            continue;
        };
        let digits: String = after
            .trim_start()
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        if let Ok(port) = digits.parse::<u16>() {
            let addr = SocketAddr::new(ip, port);
            if port != 0 && !found.contains(&addr) {
                found.push(addr);
            }
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_course_style_address_tuples() {
        let src = r#"
ADDR = ('127.0.0.1', 8888)
s.sendto(b'x', ("176.16.2.3",  9999))
s.bind(('0.0.0.0', 7777))
host = 'localhost'; other = ("localhost", 80)
s.sendto(msg, ('<broadcast>', 9999))
urlopen('http://localhost:8000/index.html'); curl http://127.0.0.1:80
print('版本 1.2.3.4', 'not an address')
"#;
        let found: Vec<String> = from_text(src).iter().map(|a| a.to_string()).collect();
        assert_eq!(
            found,
            [
                "127.0.0.1:8000",
                "127.0.0.1:80",
                "127.0.0.1:8888",
                "176.16.2.3:9999",
                "0.0.0.0:7777",
                "255.255.255.255:9999"
            ]
        );
    }
}
