//! One resource record as a client receives it, and its presentation form.

use std::fmt;
use std::net::{Ipv4Addr, Ipv6Addr};

use super::{DnsName, Provenance};

/// The record types the `kubernetes` plugin answers with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum RecordType {
    /// Start of authority (zone apex only).
    Soa,
    /// Name server (zone apex only).
    Ns,
    /// IPv4 address.
    A,
    /// IPv6 address.
    Aaaa,
    /// Alias (ExternalName Services).
    Cname,
    /// Service location.
    Srv,
    /// Reverse pointer.
    Ptr,
    /// Text (`dns-version` only).
    Txt,
}

impl RecordType {
    /// The mnemonic used in zone files.
    pub fn as_str(self) -> &'static str {
        match self {
            RecordType::Soa => "SOA",
            RecordType::Ns => "NS",
            RecordType::A => "A",
            RecordType::Aaaa => "AAAA",
            RecordType::Cname => "CNAME",
            RecordType::Srv => "SRV",
            RecordType::Ptr => "PTR",
            RecordType::Txt => "TXT",
        }
    }
}

impl fmt::Display for RecordType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The SOA fields CoreDNS fills in (`plugin/backend_lookup.go SOA`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Soa {
    /// Primary name server: always `ns.dns.<zone>`.
    pub mname: DnsName,
    /// Responsible mailbox: `hostmaster.<zone>`.
    pub rname: DnsName,
    /// Serial; CoreDNS uses the time of the last change it saw, which only a running server knows.
    pub serial: u32,
    /// Refresh interval.
    pub refresh: u32,
    /// Retry interval.
    pub retry: u32,
    /// Expiry.
    pub expire: u32,
    /// Negative-caching TTL: the `ttl` option.
    pub minimum: u32,
}

/// Record data. The type is derived from it, so the two can never disagree.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RData {
    /// Start of authority.
    Soa(Box<Soa>),
    /// Name server.
    Ns(DnsName),
    /// IPv4 address.
    A(Ipv4Addr),
    /// IPv6 address.
    Aaaa(Ipv6Addr),
    /// Alias target.
    Cname(DnsName),
    /// Service location.
    Srv {
        /// Always 0 in CoreDNS's answers.
        priority: u16,
        /// `max(1, floor(100 / N))` over the answer's entries.
        weight: u16,
        /// Service port (ClusterIP) or endpoint port (headless).
        port: u16,
        /// Service name or endpoint name.
        target: DnsName,
    },
    /// Reverse pointer target.
    Ptr(DnsName),
    /// Text strings.
    Txt(Vec<String>),
}

impl RData {
    /// The record type of this data.
    pub fn rtype(&self) -> RecordType {
        match self {
            RData::Soa(_) => RecordType::Soa,
            RData::Ns(_) => RecordType::Ns,
            RData::A(_) => RecordType::A,
            RData::Aaaa(_) => RecordType::Aaaa,
            RData::Cname(_) => RecordType::Cname,
            RData::Srv { .. } => RecordType::Srv,
            RData::Ptr(_) => RecordType::Ptr,
            RData::Txt(_) => RecordType::Txt,
        }
    }
}

impl fmt::Display for RData {
    /// RDATA in master-file presentation form.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RData::Soa(soa) => write!(
                f,
                "{} {} {} {} {} {} {}",
                soa.mname, soa.rname, soa.serial, soa.refresh, soa.retry, soa.expire, soa.minimum
            ),
            RData::Ns(name) | RData::Cname(name) | RData::Ptr(name) => write!(f, "{name}"),
            RData::A(ip) => write!(f, "{ip}"),
            RData::Aaaa(ip) => write!(f, "{ip}"),
            RData::Srv {
                priority,
                weight,
                port,
                target,
            } => write!(f, "{priority} {weight} {port} {target}"),
            // TXT RDATA is one or more <character-string>s: no strings at all is shown as one
            // empty string, the nearest loadable form.
            RData::Txt(strings) if strings.is_empty() => f.write_str("\"\""),
            RData::Txt(strings) => {
                let mut first = true;
                for string in strings {
                    for piece in character_strings(string.as_bytes()) {
                        if !first {
                            f.write_str(" ")?;
                        }
                        first = false;
                        write_character_string(piece, f)?;
                    }
                }
                Ok(())
            }
        }
    }
}

/// A TXT string as RFC 1035 <character-string>s: at most 255 bytes each (the length is one
/// byte on the wire), so a longer string is written as several, which is how a zone file must
/// spell it; an empty string is one empty <character-string>.
fn character_strings(bytes: &[u8]) -> impl Iterator<Item = &[u8]> {
    let empty: &[u8] = &[];
    let pieces = bytes.chunks(255);
    bytes.is_empty().then_some(empty).into_iter().chain(pieces)
}

/// One <character-string> in quotes (RFC 1035 §5.1): `"` and `\` take a backslash, and every byte
/// that is not printable ASCII — controls, and each byte of a non-ASCII character — is `\DDD`
/// (three decimal digits), so any text gives one valid line that loads back to the same bytes.
fn write_character_string(bytes: &[u8], f: &mut fmt::Formatter<'_>) -> fmt::Result {
    f.write_str("\"")?;
    for &byte in bytes {
        match byte {
            b'"' | b'\\' => write!(f, "\\{}", char::from(byte))?,
            0x20..=0x7e => write!(f, "{}", char::from(byte))?,
            _ => write!(f, "\\{byte:03}")?,
        }
    }
    f.write_str("\"")
}

/// One record: owner, TTL, data, and the object it was derived from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// Owner name.
    pub owner: DnsName,
    /// Time to live in seconds.
    pub ttl: u32,
    /// The data.
    pub data: RData,
    /// Which object made CoreDNS serve this record.
    pub source: Provenance,
}

impl Record {
    /// The record's type.
    pub fn rtype(&self) -> RecordType {
        self.data.rtype()
    }

    /// The sort key that gives the stable output order: forward names before `in-addr.arpa.`
    /// before `ip6.arpa.`, then the owner in DNS canonical order (`DnsName::order_key`), then
    /// type, then data.
    pub fn sort_key(&self) -> (u8, Vec<u8>, RecordType, &RData) {
        let (tree, owner) = name_sort_key(&self.owner);
        (tree, owner, self.rtype(), &self.data)
    }
}

/// The owner part of `Record::sort_key`: forward names before `in-addr.arpa.` before
/// `ip6.arpa.`, then DNS canonical order. Records in that order can be searched by owner.
pub fn name_sort_key(name: &DnsName) -> (u8, Vec<u8>) {
    (name_tree(name), name.order_key())
}

/// The first part of `name_sort_key`: 0 for forward names, 1 under `in-addr.arpa.`, 2 under
/// `ip6.arpa.`.
pub fn name_tree(name: &DnsName) -> u8 {
    let below = |zone: &str| {
        let text = name.as_str();
        text == zone
            || text
                .strip_suffix(zone)
                .is_some_and(|head| head.ends_with('.'))
    };
    if below("in-addr.arpa.") {
        1
    } else if below("ip6.arpa.") {
        2
    } else {
        0
    }
}

impl Record {
    /// The part of `sort_key` that needs no borrow, for sorting large sets with keys computed once.
    pub fn sort_key_owned(&self) -> (u8, Vec<u8>, RecordType) {
        let (tree, owner, rtype, _) = self.sort_key();
        (tree, owner, rtype)
    }
}

impl fmt::Display for Record {
    /// One master-file line: `owner TTL IN TYPE RDATA`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {} IN {} {}",
            self.owner,
            self.ttl,
            self.rtype(),
            self.data
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A cluster-wide run holds hundreds of thousands of records at once: the rare SOA is boxed
    /// so that every A, SRV and PTR record does not pay for its seven fields.
    #[test]
    fn a_record_stays_small() {
        let size = std::mem::size_of::<Record>();
        assert!(size <= 112, "Record is {size} bytes");
    }

    fn txt(strings: &[&str]) -> String {
        RData::Txt(strings.iter().map(ToString::to_string).collect()).to_string()
    }

    #[test]
    fn txt_strings_are_quoted_and_escaped() {
        assert_eq!(txt(&["1.1.0"]), r#""1.1.0""#);
        assert_eq!(txt(&["a\"b\\c"]), r#""a\"b\\c""#);
        assert_eq!(txt(&["x\ny\x1b;z"]), r#""x\010y\027;z""#);
        assert_eq!(txt(&["é"]), r#""\195\169""#);
        assert_eq!(txt(&["", "b"]), r#""" "b""#);
        assert_eq!(txt(&[]), r#""""#);
    }

    #[test]
    fn long_txt_strings_are_split_at_255_bytes() {
        let long = "a".repeat(300);
        let shown = txt(&[&long]);
        assert_eq!(
            shown,
            format!("\"{}\" \"{}\"", "a".repeat(255), "a".repeat(45))
        );
    }
}
