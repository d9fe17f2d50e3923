//! `-o zone` output checked whole by BIND's `named-checkzone`: the bytes checked are the bytes
//! printed, header comments included, and what BIND loads is exactly the records we meant.
//!
//! The output holds several zones (the cluster zone, then the reverse zones), each opened by
//! `$ORIGIN` and its own SOA. `named-checkzone` checks one zone per run, so the whole text is
//! loaded once per zone: the loader keeps that zone's records and ignores the other sections as
//! out-of-zone data. Then three things must hold:
//! - every zone loads;
//! - every record BIND loaded, in any zone, is one the report holds (`allowed`): a line forged
//!   by a name with a newline in a comment would be loaded as an extra record;
//! - every line of the text is a `;` comment, an `$ORIGIN` of one of the zones, or a record BIND
//!   loaded: nothing is left that a loader could read as something else (a record outside every
//!   zone, which BIND merely ignores, or a `$INCLUDE`);
//!
//! and every record the output must show (`required`) was loaded.

use std::collections::BTreeSet;
use std::process::Command;

/// What a check saw.
#[derive(Debug)]
pub struct Checked {
    /// Zones loaded.
    pub zones: usize,
    /// Distinct records loaded over all zones.
    pub records: usize,
}

/// One record line, normalised the way both our renderer and BIND's dump can be compared:
/// fields separated by one space.
pub fn normalize(line: &str) -> String {
    line.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Checks `text`, the whole zone output. `allowed` and `required` hold record lines in
/// presentation form (`owner TTL IN TYPE RDATA`); the zones are the owners of the SOA records
/// in `allowed`.
pub fn check_whole(
    text: &str,
    allowed: &BTreeSet<String>,
    required: &BTreeSet<String>,
) -> Result<Checked, String> {
    let allowed: BTreeSet<String> = allowed.iter().map(|r| normalize(r)).collect();
    let zones: Vec<String> = allowed
        .iter()
        .filter_map(|record| {
            let fields: Vec<&str> = record.split(' ').collect();
            (fields.get(3) == Some(&"SOA")).then(|| fields[0].to_string())
        })
        .collect();
    if zones.is_empty() {
        return Err("no SOA record among the allowed records: no zone to check".to_string());
    }
    // Loaders that accept CRLF files take a lone CR as a line end too: none may appear.
    if let Some(number) = text.lines().position(|line| line.contains('\r')) {
        return Err(format!("line {} holds a raw CR\n\n{text}", number + 1));
    }
    let dir = tempfile::tempdir().map_err(|e| format!("tempdir: {e}"))?;
    let file = dir.path().join("output.zone");
    std::fs::write(&file, text).map_err(|e| format!("write the zone output: {e}"))?;
    let mut loaded = BTreeSet::new();
    for zone in &zones {
        let dump = Command::new("named-checkzone")
            .args(["-q", "-D", "-o", "-"])
            .arg(zone)
            .arg(&file)
            .output()
            .map_err(|e| {
                format!("cannot run named-checkzone (install Debian's bind9-utils): {e}")
            })?;
        if !dump.status.success() {
            // -q says nothing; run again for BIND's reasons.
            let check = Command::new("named-checkzone")
                .arg(zone)
                .arg(&file)
                .output()
                .map_err(|e| format!("cannot run named-checkzone: {e}"))?;
            return Err(format!(
                "named-checkzone rejects zone {zone} in the whole output:\n{}{}\n{text}",
                String::from_utf8_lossy(&check.stdout),
                String::from_utf8_lossy(&check.stderr)
            ));
        }
        for line in String::from_utf8_lossy(&dump.stdout).lines() {
            let record = normalize(line);
            if record.is_empty() {
                continue;
            }
            if !allowed.contains(&record) {
                return Err(format!(
                    "named-checkzone loaded a record the report does not hold (an injection?) in zone {zone}:\n{record}\n\n{text}"
                ));
            }
            loaded.insert(record);
        }
    }
    for (number, line) in text.lines().enumerate() {
        let fine = line.starts_with(';')
            || line
                .strip_prefix("$ORIGIN ")
                .is_some_and(|origin| zones.iter().any(|zone| zone == origin))
            || loaded.contains(&normalize(line));
        if !fine {
            return Err(format!(
                "line {} is neither a comment, an $ORIGIN of a zone nor a record BIND loaded: {line:?}\n\n{text}",
                number + 1
            ));
        }
    }
    if let Some(missing) = required
        .iter()
        .map(|r| normalize(r))
        .find(|r| !loaded.contains(r))
    {
        return Err(format!(
            "record missing from what named-checkzone loaded: {missing}\n\n{text}"
        ));
    }
    Ok(Checked {
        zones: zones.len(),
        records: loaded.len(),
    })
}
