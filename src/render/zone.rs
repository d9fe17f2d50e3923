//! `-o zone`: master-file presentation form, one record per line with absolute owner names, TTL
//! and class, a `$ORIGIN` line opening each zone — the forward zones first, then the reverse
//! zones. The output loads whole, header included, as the master file of any one of its zones:
//! a loader keeps that zone's section and ignores the others as out-of-zone data.
//!
//! Everything above the first `$ORIGIN` is `;` comments, and every comment passes
//! [`escape::zone_comment`], because notes and findings quote object names: a name holding a
//! newline would otherwise end the comment and forge a record. Record lines need no escaping:
//! owners and RDATA are `DnsName`s and typed RDATA whose `Display` is presentation form.

use std::collections::HashMap;
use std::io::{self, Write};

use super::blocks::Blocks;
use super::escape;
use crate::model::{DnsName, Record, RecordType, Report, name_tree};

/// Writes the report as zone sections.
pub fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    // One `writeln!` per record: into a concrete writer its pieces are inlined copies rather
    // than dynamic calls into `out`.
    let mut blocks = Blocks::new(out);
    write_zones(report, &mut blocks)?;
    blocks.finish()
}

fn write_zones(report: &Report, out: &mut Blocks<'_>) -> io::Result<()> {
    let config = &report.config;
    writeln!(
        out,
        "; records CoreDNS's kubernetes plugin serves, as computed by kubectl-dnsrecords"
    )?;
    // The origin names a file path or a ConfigMap: text from the command line or an object.
    writeln!(
        out,
        "; configuration: {}",
        escape::zone_comment(&config.origin.to_string())
    )?;
    writeln!(
        out,
        "; the SOA serial is CoreDNS's runtime state (the time of the last change it saw); 1 stands in for it"
    )?;
    if let Some(note) = report.dns_server.rules_note() {
        writeln!(out, "; {}", escape::zone_comment(&note))?;
    }
    if !report.nameservers_known {
        writeln!(
            out,
            "; CoreDNS's own Pod IPs are not in the input: NS records name ns.dns.<zone> without an address"
        )?;
    }
    for note in &report.notes {
        writeln!(out, "; {}", escape::zone_comment(&note.message))?;
    }
    for (word, lines) in [
        ("NXDOMAIN", &report.absent),
        ("PREDICTED", &report.predicted),
        ("UNKNOWN", &report.unknown),
    ] {
        for line in lines {
            writeln!(
                out,
                "; {word} {} ({})",
                escape::zone_comment(line.name.as_str()),
                escape::zone_comment(&line.reason)
            )?;
        }
    }
    for finding in &report.findings {
        writeln!(
            out,
            "; {}[{}]: {}",
            finding.severity,
            finding.id,
            escape::zone_comment(&finding.message)
        )?;
    }
    let mut zones: Vec<&DnsName> = config
        .forward_zones()
        .chain(config.reverse_zones())
        .collect();
    // The zones of the Corefile's other stanzas: each has its SOA among the zone records.
    for record in &report.zone_records {
        if record.rtype() == RecordType::Soa && !zones.contains(&&record.owner) {
            zones.push(&record.owner);
        }
    }
    for zone in &zones {
        let mut section: Vec<&Record> = report
            .zone_records
            .iter()
            .filter(|r| r.owner == **zone || !report.scope.narrowed || is_glue(report, zone, r))
            .chain(report.records.iter())
            .filter(|r| most_specific_zone(&zones, &r.owner) == Some(zone))
            .collect();
        // SOA first, then NS, then everything in canonical order: `Record::sort_key`'s order,
        // compared part by part so that no comparison builds the owners' order keys
        // (`DnsName`'s `Ord` is the order of its key).
        section.sort_by(|a, b| {
            let rank = |r: &Record| match r.rtype() {
                RecordType::Soa if r.owner == **zone => 0,
                RecordType::Ns if r.owner == **zone => 1,
                _ => 2,
            };
            rank(a)
                .cmp(&rank(b))
                .then_with(|| name_tree(&a.owner).cmp(&name_tree(&b.owner)))
                .then_with(|| a.owner.cmp(&b.owner))
                .then_with(|| a.rtype().cmp(&b.rtype()))
                .then_with(|| a.data.cmp(&b.data))
        });
        section
            .dedup_by(|later, earlier| later.owner == earlier.owner && later.data == earlier.data);
        writeln!(out, "$ORIGIN {zone}")?;
        let per_owner = records_per_owner(section.iter().copied());
        for record in section {
            if conflicts(record, &per_owner) {
                writeln!(
                    out,
                    "; CoreDNS answers, but a zone cannot hold a CNAME beside other data: {}",
                    escape::zone_comment(&record.to_string())
                )?;
            } else {
                writeln!(out, "{record}")?;
            }
        }
    }
    Ok(())
}

/// A map keyed by owner names: foldhash rather than SipHash, as the engine's maps, because
/// every record of a large zone is counted; its seed is random per process, so names from
/// objects cannot be chosen to collide.
type OwnerMap<'r, V> = HashMap<&'r DnsName, V, foldhash::fast::RandomState>;

/// How many distinct records each owner has.
fn records_per_owner<'r>(records: impl Iterator<Item = &'r Record>) -> OwnerMap<'r, usize> {
    let mut per_owner: OwnerMap<'r, usize> = HashMap::default();
    for record in records {
        *per_owner.entry(&record.owner).or_insert(0) += 1;
    }
    per_owner
}

fn conflicts(record: &Record, per_owner: &OwnerMap<'_, usize>) -> bool {
    record.rtype() == RecordType::Cname && per_owner.get(&record.owner).is_some_and(|n| *n > 1)
}

/// The records `-o zone` writes as comments: a CNAME at an owner that holds any other record
/// (a second CNAME, or addresses). CoreDNS serves such names (an FQDN EndpointSlice with several
/// addresses, or beside an IP slice, gives one CNAME per address), but a master file cannot hold
/// them (RFC 1034 §3.6.2; BIND refuses the zone).
pub fn unloadable(records: &[Record]) -> Vec<&Record> {
    let unique: Vec<&Record> = {
        let mut seen = std::collections::HashSet::new();
        records
            .iter()
            .filter(|r| seen.insert((&r.owner, &r.data)))
            .collect()
    };
    let per_owner = records_per_owner(unique.iter().copied());
    unique
        .into_iter()
        .filter(|r| conflicts(r, &per_owner))
        .collect()
}

/// An address record at one of the zone's NS targets: needed for the zone to load.
fn is_glue(report: &Report, zone: &DnsName, record: &Record) -> bool {
    matches!(record.rtype(), RecordType::A | RecordType::Aaaa)
        && report.zone_records.iter().any(|ns| {
            ns.owner == *zone
                && matches!(&ns.data, crate::model::RData::Ns(target) if *target == record.owner)
        })
}

fn most_specific_zone<'a>(zones: &[&'a DnsName], name: &DnsName) -> Option<&'a DnsName> {
    zones
        .iter()
        .copied()
        .filter(|zone| name.is_within(zone))
        .max_by_key(|zone| zone.label_count())
}
