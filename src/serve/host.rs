//! Which `Host` headers the preview answers. A web page the user visits can make its own
//! domain resolve to 127.0.0.1 (DNS rebinding) and then read the preview, internal notes and
//! all, as if it were that domain; the browser still sends the attacker's name as `Host`. So
//! the preview answers only the names this machine's own address goes by.

use std::net::IpAddr;

/// The host names and addresses a request may name.
#[derive(Debug, Clone)]
pub struct AllowedHosts {
    /// Lowercase names without a port: `localhost`, the bound address, `--bind`'s name.
    names: Vec<String>,
    /// Listening on every interface (`--bind 0.0.0.0`): any IP address is this machine's, as
    /// far as a client on the network can tell. A rebinding page can only send a name.
    any_address: bool,
}

impl AllowedHosts {
    /// `bound` is the address listened on; `bind_name` the host name given with `--bind`, if
    /// it was one.
    pub fn new(bound: IpAddr, bind_name: Option<&str>) -> Self {
        let mut names: Vec<String> = ["localhost", "127.0.0.1", "[::1]"]
            .into_iter()
            .map(String::from)
            .collect();
        names.push(host_of_ip(bound));
        if let Some(name) = bind_name {
            names.push(normalise(name));
        }
        names.sort();
        names.dedup();
        AllowedHosts {
            names,
            any_address: bound.is_unspecified(),
        }
    }

    /// Whether a request whose `Host` header is `host` (which may carry a port) is answered.
    /// A request without one is not: every browser sends it.
    pub fn permits(&self, host: Option<&str>) -> bool {
        let Some(host) = host else {
            return false;
        };
        let name = normalise(strip_port(host.trim()));
        if name.is_empty() {
            return false;
        }
        if self.names.contains(&name) {
            return true;
        }
        self.any_address && is_ip_literal(&name)
    }

    /// For the message a refused request gets.
    pub fn list(&self) -> String {
        self.names.join(", ")
    }
}

fn host_of_ip(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => format!("[{v6}]"),
    }
}

/// `localhost:1111` → `localhost`, `[::1]:1111` → `[::1]`; a bare IPv6 address has no port.
fn strip_port(host: &str) -> &str {
    if host.starts_with('[') {
        // Only a port may follow the `]`: `[::1]evil` is no address of this machine.
        return match host.find(']') {
            Some(end) if is_port(&host[end + 1..]) => &host[..=end],
            _ => host,
        };
    }
    match host.rsplit_once(':') {
        Some((name, port)) if !name.contains(':') && port.bytes().all(|b| b.is_ascii_digit()) => {
            name
        }
        _ => host,
    }
}

/// Nothing, or `:` and digits.
fn is_port(rest: &str) -> bool {
    rest.is_empty()
        || rest
            .strip_prefix(':')
            .is_some_and(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
}

/// Lowercase, without the one trailing dot of a fully qualified name (`localhost.`);
/// `localhost..` is no name at all.
fn normalise(name: &str) -> String {
    name.strip_suffix('.').unwrap_or(name).to_ascii_lowercase()
}

fn is_ip_literal(name: &str) -> bool {
    match name.strip_prefix('[').and_then(|n| n.strip_suffix(']')) {
        Some(v6) => v6.parse::<std::net::Ipv6Addr>().is_ok(),
        None => name.parse::<std::net::Ipv4Addr>().is_ok(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn loopback() -> AllowedHosts {
        AllowedHosts::new("127.0.0.1".parse().unwrap(), None)
    }

    #[test]
    fn loopback_names_are_answered_with_or_without_a_port() {
        let allowed = loopback();
        for host in [
            "localhost",
            "LOCALHOST:1111",
            "localhost.:80",
            "127.0.0.1",
            "127.0.0.1:1111",
            "[::1]",
            "[::1]:1111",
        ] {
            assert!(allowed.permits(Some(host)), "{host}");
        }
    }

    #[test]
    fn other_names_are_refused() {
        let allowed = loopback();
        for host in [
            "evil.example",
            "evil.example:1111",
            "localhost.evil.example",
            "127.0.0.1.nip.io",
            "10.0.0.5:1111",
            "",
            ":1111",
            "[::1",
            "[::1]evil.example",
            "[::1]:",
            "localhost..",
        ] {
            assert!(!allowed.permits(Some(host)), "{host}");
        }
        assert!(!allowed.permits(None));
    }

    #[test]
    fn every_interface_answers_addresses_but_not_names() {
        let allowed = AllowedHosts::new("0.0.0.0".parse().unwrap(), None);
        assert!(allowed.permits(Some("192.168.1.20:1111")));
        assert!(allowed.permits(Some("[fe80::1]:1111")));
        assert!(!allowed.permits(Some("attacker.example:1111")));
    }

    #[test]
    fn the_name_given_to_bind_is_answered() {
        let allowed = AllowedHosts::new("192.168.1.20".parse().unwrap(), Some("Laptop.local"));
        assert!(allowed.permits(Some("laptop.local:1111")));
        assert!(allowed.permits(Some("192.168.1.20:1111")));
        assert!(!allowed.permits(Some("192.168.1.21:1111")));
    }
}
