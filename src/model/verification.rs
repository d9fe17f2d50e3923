//! What a live DNS server answered to the questions a report implies, against what the report
//! expects: the data `--verify` hands to the renderers. Produced by `verify/` (which does the
//! I/O); plain data here so the renderers, which may only use the model, can print it.

use std::collections::BTreeSet;
use std::fmt;

use super::{DnsName, RecordType};

/// How the questions travelled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Transport {
    /// UDP, with TCP for an answer that came back truncated.
    Udp,
    /// TCP only (`--tcp`).
    Tcp,
}

impl Transport {
    /// The lower-case word.
    pub fn as_str(self) -> &'static str {
        match self {
            Transport::Udp => "udp",
            Transport::Tcp => "tcp",
        }
    }
}

impl fmt::Display for Transport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Which way the questions reached the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Via {
    /// To the address of `--dns-server`.
    Direct,
    /// To the kube-dns ClusterIP, chosen by default when the tool runs in a pod.
    ClusterIp,
    /// Through the API server's port-forward to one CoreDNS pod.
    PortForward,
}

impl Via {
    /// What the summary line adds after the transport (nothing for `--dns-server`).
    pub fn describe(self) -> Option<&'static str> {
        match self {
            Via::Direct => None,
            Via::ClusterIp => Some("(the kube-dns ClusterIP)"),
            Via::PortForward => Some("through a port-forward"),
        }
    }
}

/// A DNS response code (RFC 1035 §4.1.1, RFC 6895), shown by its mnemonic as dig shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Rcode(pub u16);

impl Rcode {
    /// The name exists (possibly without data of the asked type: NODATA).
    pub const NOERROR: Rcode = Rcode(0);
    /// The name does not exist.
    pub const NXDOMAIN: Rcode = Rcode(3);

    /// The mnemonic: `NOERROR`, `NXDOMAIN`, `SERVFAIL`, … or `RCODE<n>` for the rest.
    pub fn mnemonic(self) -> String {
        let known = match self.0 {
            0 => "NOERROR",
            1 => "FORMERR",
            2 => "SERVFAIL",
            3 => "NXDOMAIN",
            4 => "NOTIMP",
            5 => "REFUSED",
            6 => "YXDOMAIN",
            7 => "YXRRSET",
            8 => "NXRRSET",
            9 => "NOTAUTH",
            10 => "NOTZONE",
            16 => "BADVERS",
            23 => "BADCOOKIE",
            other => return format!("RCODE{other}"),
        };
        known.to_string()
    }
}

impl fmt::Display for Rcode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.mnemonic())
    }
}

impl serde::Serialize for Rcode {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.mnemonic())
    }
}

/// One question: a name and the type asked for it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Question {
    /// The name asked.
    pub name: DnsName,
    /// The type asked.
    pub rtype: RecordType,
}

/// What the report says the server should answer to one question.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expected {
    /// `NOERROR` (with the records, or none: NODATA) or `NXDOMAIN`.
    pub rcode: Rcode,
    /// RDATA in presentation form, names lower-case.
    pub records: BTreeSet<String>,
    /// The largest TTL of the records, when there are any.
    pub ttl: Option<u32>,
}

/// What the server answered to one question.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Served {
    /// Its response code; `None` when it never answered this question (timeout after the retry,
    /// connection closed, malformed answer): `failure` says which.
    pub rcode: Option<Rcode>,
    /// RDATA in presentation form, names lower-case; records of another type at the same name
    /// (a CNAME where an A was asked) are prefixed with their type.
    pub records: BTreeSet<String>,
    /// The largest TTL of the answer's records of the asked type.
    pub ttl: Option<u32>,
    /// Why there is no answer, when `rcode` is `None`.
    pub failure: Option<String>,
}

/// How one question's answer compares with the expectation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// The server answers as expected.
    Ok,
    /// Data was expected; the server answers NXDOMAIN or NODATA.
    Missing,
    /// Both have data, but not the same (or the served TTL exceeds the expected one).
    Differs,
    /// NXDOMAIN or NODATA was expected; the server answers data.
    Unexpected,
    /// The response code is not the expected one (SERVFAIL, REFUSED, NOERROR for NXDOMAIN, or
    /// no answer at all).
    Rcode,
}

impl Status {
    /// The lower-case word of the STATUS column.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::Missing => "missing",
            Status::Differs => "differs",
            Status::Unexpected => "unexpected",
            Status::Rcode => "rcode",
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One question, both sides, and the verdict.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// The question.
    pub question: Question,
    /// The verdict.
    pub status: Status,
    /// What the report expects.
    pub expected: Expected,
    /// What the server answered.
    pub served: Served,
    /// Something worth saying that is not a difference (a smaller TTL: a cache in between), or
    /// the reason of a TTL difference.
    pub note: Option<String>,
}

/// The whole verification: every question asked and how each compared.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verification {
    /// The server asked, as `HOST:PORT`.
    pub server: String,
    /// How.
    pub transport: Transport,
    /// Which way.
    pub via: Via,
    /// Every question, sorted as `Question` orders (by name in DNS canonical order, then type), so
    /// `status_of` can search them.
    pub outcomes: Vec<Outcome>,
}

impl Verification {
    /// How many (name, type) pairs were asked.
    pub fn checked(&self) -> usize {
        self.outcomes.len()
    }

    /// How many answered as expected.
    pub fn matched(&self) -> usize {
        self.outcomes
            .iter()
            .filter(|o| o.status == Status::Ok)
            .count()
    }

    /// The outcomes that are differences.
    pub fn differences(&self) -> impl Iterator<Item = &Outcome> {
        self.outcomes.iter().filter(|o| o.status != Status::Ok)
    }

    /// The verdict for one question, if it was asked.
    pub fn status_of(&self, name: &DnsName, rtype: RecordType) -> Option<Status> {
        let key = (name.order_key(), rtype);
        self.outcomes
            .binary_search_by(|o| (o.question.name.order_key(), o.question.rtype).cmp(&key))
            .ok()
            .and_then(|at| self.outcomes.get(at))
            .map(|o| o.status)
    }
}
