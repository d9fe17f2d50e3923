//! SRV records as CoreDNS computes them over one answer (`plugin/backend_lookup.go SRV`):
//! priority 0, weight `max(1, floor(100 / N))` where N counts every entry the backend returned —
//! before portless entries are skipped and before duplicate (target, port) pairs collapse.

use super::HashSet;
use crate::model::{DnsName, Provenance, RData, Record};

/// One backend entry of an SRV answer.
#[derive(Debug, Clone)]
pub struct SrvEntry {
    /// The SRV target: the Service name (ClusterIP) or an endpoint name (headless). `None` when
    /// the endpoint's name is not a valid DNS name: the entry still counts towards the weight.
    pub target: Option<DnsName>,
    /// The port; `None` is CoreDNS's -1 sentinel, which counts but yields no record.
    pub port: Option<u16>,
    /// Where the entry came from.
    pub source: Provenance,
}

/// The weight CoreDNS gives each record of an answer with `entries` backend entries.
pub fn weight(entries: usize) -> u16 {
    // floor((100 / (100·N)) · 100) in float64, minimum 1: the same as integer 100 / N for every N.
    let n = entries.max(1);
    u16::try_from(100 / n).unwrap_or(0).max(1)
}

/// The SRV records at `owner` for one answer's entries.
pub fn srv_records(owner: &DnsName, entries: &[SrvEntry], ttl: u32) -> Vec<Record> {
    let weight = weight(entries.len());
    // A hash set: one headless Service with 100,000 endpoints has 100,000 entries per answer.
    let mut seen: HashSet<(&DnsName, u16)> =
        HashSet::with_capacity_and_hasher(entries.len(), Default::default());
    let mut records = Vec::new();
    for entry in entries {
        let (Some(target), Some(port)) = (&entry.target, entry.port) else {
            continue;
        };
        if !seen.insert((target, port)) {
            continue;
        }
        records.push(Record {
            owner: owner.clone(),
            ttl,
            data: RData::Srv {
                priority: 0,
                weight,
                port,
                target: target.clone(),
            },
            source: entry.source.clone(),
        });
    }
    records
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weights_match_coredns_float_formula() {
        for n in 1..=2000usize {
            let float = ((100.0 / (100.0 * n as f64)) * 100.0).floor() as u16;
            assert_eq!(weight(n), float.max(1), "n = {n}");
        }
        assert_eq!(weight(6), 16);
        assert_eq!(weight(3), 33);
        assert_eq!(weight(101), 1);
    }

    #[test]
    fn duplicates_collapse_but_count() {
        let owner = DnsName::parse("_http._tcp.s.ns.svc.cluster.local.").unwrap();
        let target = DnsName::parse("a.s.ns.svc.cluster.local.").unwrap();
        let entry = |port| SrvEntry {
            target: Some(target.clone()),
            port,
            source: Provenance::Zone,
        };
        let records = srv_records(&owner, &[entry(Some(80)), entry(Some(80)), entry(None)], 5);
        assert_eq!(records.len(), 1);
        assert_eq!(
            records[0].to_string(),
            format!("{owner} 5 IN SRV 0 33 80 {target}")
        );
    }
}
