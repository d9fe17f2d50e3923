//! The verdict for one question: the expected answer against the served one. Pure: no I/O.
//!
//! RDATA is compared as sets of presentation strings (names lower-case, SRV weights included),
//! except the SOA serial, which is CoreDNS's runtime state (the time of the last change it saw)
//! and which the report can only stand in for.

use std::collections::BTreeSet;

use crate::model::{Expected, Rcode, RecordType, Served, Status};

/// The verdict, and a note: why a TTL is a difference, or that a smaller TTL means a cache
/// between us and the server.
pub fn classify(
    rtype: RecordType,
    expected: &Expected,
    served: &Served,
) -> (Status, Option<String>) {
    let Some(rcode) = served.rcode else {
        return (Status::Rcode, served.failure.clone());
    };
    let expects_data = !expected.records.is_empty();
    let serves_data = rcode == Rcode::NOERROR && !served.records.is_empty();
    let status = match (expects_data, serves_data) {
        (true, true) if same_data(rtype, &expected.records, &served.records) => Status::Ok,
        (true, true) => Status::Differs,
        // Data expected; NXDOMAIN or NODATA served.
        (true, false) if rcode == Rcode::NOERROR || rcode == Rcode::NXDOMAIN => Status::Missing,
        (false, true) => Status::Unexpected,
        // Neither side has data: NXDOMAIN and NODATA must still agree.
        (false, false) if rcode == expected.rcode => Status::Ok,
        (_, false) => Status::Rcode,
    };
    if status != Status::Ok {
        return (status, None);
    }
    match (expected.ttl, served.ttl) {
        (Some(want), Some(got)) if got > want => (
            Status::Differs,
            Some(format!("ttl {got} exceeds the configured {want}")),
        ),
        (Some(want), Some(got)) if got < want => (
            Status::Ok,
            Some(format!(
                "ttl {got} below the configured {want}: a cache between here and CoreDNS answered"
            )),
        ),
        _ => (Status::Ok, None),
    }
}

fn same_data(rtype: RecordType, expected: &BTreeSet<String>, served: &BTreeSet<String>) -> bool {
    if rtype != RecordType::Soa {
        return expected == served;
    }
    let without_serial = |set: &BTreeSet<String>| -> BTreeSet<String> {
        set.iter()
            .map(|soa| {
                soa.split(' ')
                    .enumerate()
                    .map(|(field, value)| if field == 2 { "*" } else { value })
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect()
    };
    without_serial(expected) == without_serial(served)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(items: &[&str]) -> BTreeSet<String> {
        items.iter().map(ToString::to_string).collect()
    }

    fn expected(rcode: Rcode, records: &[&str]) -> Expected {
        Expected {
            rcode,
            records: set(records),
            ttl: (!records.is_empty()).then_some(30),
        }
    }

    fn served(rcode: Rcode, records: &[&str], ttl: u32) -> Served {
        Served {
            rcode: Some(rcode),
            records: set(records),
            ttl: (!records.is_empty()).then_some(ttl),
            failure: None,
        }
    }

    fn verdict(rtype: RecordType, expected: &Expected, served: &Served) -> Status {
        classify(rtype, expected, served).0
    }

    #[test]
    fn equal_sets_match_whatever_the_order() {
        let want = expected(Rcode::NOERROR, &["10.0.0.1", "10.0.0.2"]);
        let got = served(Rcode::NOERROR, &["10.0.0.2", "10.0.0.1"], 30);
        assert_eq!(classify(RecordType::A, &want, &got), (Status::Ok, None));
        let nx = expected(Rcode::NXDOMAIN, &[]);
        assert_eq!(
            verdict(RecordType::A, &nx, &served(Rcode::NXDOMAIN, &[], 0)),
            Status::Ok
        );
    }

    #[test]
    fn each_kind_of_difference() {
        let want = expected(Rcode::NOERROR, &["0 50 80 a.ns.svc.cluster.local."]);
        let srv = RecordType::Srv;
        // A different SRV weight is a different record.
        let weight = served(Rcode::NOERROR, &["0 100 80 a.ns.svc.cluster.local."], 30);
        assert_eq!(verdict(srv, &want, &weight), Status::Differs);
        assert_eq!(
            verdict(srv, &want, &served(Rcode::NXDOMAIN, &[], 0)),
            Status::Missing
        );
        assert_eq!(
            verdict(srv, &want, &served(Rcode::NOERROR, &[], 0)),
            Status::Missing
        );
        assert_eq!(
            verdict(srv, &want, &served(Rcode(2), &[], 0)),
            Status::Rcode
        );
        let nx = expected(Rcode::NXDOMAIN, &[]);
        let data = served(Rcode::NOERROR, &["10.0.0.9"], 30);
        assert_eq!(verdict(RecordType::A, &nx, &data), Status::Unexpected);
        // NODATA where NXDOMAIN was expected: the name exists on the server.
        let nodata = served(Rcode::NOERROR, &[], 0);
        assert_eq!(verdict(RecordType::A, &nx, &nodata), Status::Rcode);
        assert_eq!(
            verdict(RecordType::A, &nx, &served(Rcode(5), &[], 0)),
            Status::Rcode
        );
    }

    #[test]
    fn no_answer_is_an_rcode_difference_with_its_reason() {
        let want = expected(Rcode::NOERROR, &["10.0.0.1"]);
        let silent = Served {
            rcode: None,
            records: BTreeSet::new(),
            ttl: None,
            failure: Some("no answer within 2s".to_string()),
        };
        assert_eq!(
            classify(RecordType::A, &want, &silent),
            (Status::Rcode, Some("no answer within 2s".to_string()))
        );
    }

    #[test]
    fn a_larger_ttl_differs_and_a_smaller_one_is_a_cache() {
        let want = expected(Rcode::NOERROR, &["10.0.0.1"]);
        let (status, note) = classify(
            RecordType::A,
            &want,
            &served(Rcode::NOERROR, &["10.0.0.1"], 300),
        );
        assert_eq!(status, Status::Differs);
        assert_eq!(note.as_deref(), Some("ttl 300 exceeds the configured 30"));
        let (status, note) = classify(
            RecordType::A,
            &want,
            &served(Rcode::NOERROR, &["10.0.0.1"], 12),
        );
        assert_eq!(status, Status::Ok);
        assert!(note.is_some_and(|n| n.contains("a cache")));
    }

    #[test]
    fn the_soa_serial_is_not_compared() {
        let want = expected(
            Rcode::NOERROR,
            &["ns.dns.cluster.local. hostmaster.cluster.local. 1 7200 1800 86400 30"],
        );
        let live = served(
            Rcode::NOERROR,
            &["ns.dns.cluster.local. hostmaster.cluster.local. 1718000000 7200 1800 86400 30"],
            30,
        );
        assert_eq!(verdict(RecordType::Soa, &want, &live), Status::Ok);
        let other = served(
            Rcode::NOERROR,
            &["ns.dns.cluster.local. hostmaster.cluster.local. 1 7200 1800 86400 5"],
            30,
        );
        assert_eq!(verdict(RecordType::Soa, &want, &other), Status::Differs);
    }
}
