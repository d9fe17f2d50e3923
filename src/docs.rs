//! Finding pages compiled into the binary, so `kubectl dnsrecords docs ID` works wherever the
//! binary is (a krew install has no repository). `docs/findings/<id>.md` is the one source: the
//! binary includes each page, and `docs/findings.md` is generated from them ([`findings_markdown`],
//! checked by a test).
//!
//! A page is Markdown in a fixed shape: `# <id>`, a one-line title, then the paragraphs
//! `**Severity.**`, `**What it means.**`, `**Why DNS breaks.**`, `**Example.**` and `**Fix.**`.

use crate::model::{FindingId, suggest};

/// The Markdown page of `id`. One exhaustive match: a new id does not compile without its page.
pub const fn page(id: FindingId) -> &'static str {
    match id {
        FindingId::ServiceNameMismatch => {
            include_str!("../docs/findings/service-name-mismatch.md")
        }
        FindingId::MissingHostname => include_str!("../docs/findings/missing-hostname.md"),
        FindingId::EmptyEndpoints => include_str!("../docs/findings/empty-endpoints.md"),
        FindingId::NotReadyEndpoints => include_str!("../docs/findings/not-ready-endpoints.md"),
        FindingId::UnnamedPort => include_str!("../docs/findings/unnamed-port.md"),
        FindingId::SecondHeadlessService => {
            include_str!("../docs/findings/second-headless-service.md")
        }
        FindingId::NegativeCache => include_str!("../docs/findings/negative-cache.md"),
        FindingId::ExternalNameTarget => include_str!("../docs/findings/externalname-target.md"),
        FindingId::PeerNamesAbsent => include_str!("../docs/findings/peer-names-absent.md"),
        FindingId::BootstrapDeadlock => include_str!("../docs/findings/bootstrap-deadlock.md"),
        FindingId::NamespaceMissing => include_str!("../docs/findings/namespace-missing.md"),
        FindingId::OptionUnknownToRelease => {
            include_str!("../docs/findings/option-unknown-to-release.md")
        }
    }
}

/// The paragraphs every page has, in order.
pub const SECTIONS: [&str; 5] = [
    "Severity",
    "What it means",
    "Why DNS breaks",
    "Example",
    "Fix",
];

/// The page after its `# <id>` heading line.
fn after_heading(id: FindingId) -> &'static str {
    let text = page(id);
    text.split_once('\n').map_or("", |(_, rest)| rest)
}

/// The one-line title: the first non-empty line after the heading.
pub fn title(id: FindingId) -> &'static str {
    after_heading(id)
        .lines()
        .map(str::trim)
        .find(|line| !line.is_empty())
        .unwrap_or_default()
}

/// The default severity as the page states it (e.g. `error (headless), warning (otherwise)`).
pub fn severity(id: FindingId) -> &'static str {
    section(id, "Severity").unwrap_or_default()
}

/// The text of one `**Name.**` paragraph (up to the next one), trimmed; `None` when the page
/// lacks it.
pub fn section(id: FindingId, name: &str) -> Option<&'static str> {
    let text = page(id);
    let marker = format!("**{name}.**");
    let start = text.find(&marker)? + marker.len();
    let rest = &text[start..];
    // The next paragraph head starts a line with `**` and a capital letter.
    let end = rest
        .match_indices("\n**")
        .find(|(at, _)| {
            rest[at + 3..]
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_uppercase())
        })
        .map_or(rest.len(), |(at, _)| at);
    Some(rest[..end].trim())
}

/// The body shown under the title: the page without its heading, title and severity lines.
pub fn body(id: FindingId) -> &'static str {
    let text = after_heading(id);
    let from = text.find("**What it means.**").unwrap_or(0);
    text[from..].trim_end()
}

/// An id (or its code, e.g. `DNS001`) that names no finding.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("no finding has the id {id:?}")]
pub struct UnknownFinding {
    /// What was asked.
    pub id: String,
    /// The closest ids, closest first.
    pub suggestions: Vec<String>,
}

impl UnknownFinding {
    /// "did you mean …", then where the list is.
    pub fn hint(&self) -> String {
        match self.suggestions.as_slice() {
            [] => "`kubectl dnsrecords docs` lists every finding id".to_string(),
            names => format!(
                "did you mean {}? `kubectl dnsrecords docs` lists every finding id",
                names.join(" or ")
            ),
        }
    }
}

/// The finding `text` names: its kebab-case id or its code, in any case.
pub fn lookup(text: &str) -> Result<FindingId, UnknownFinding> {
    let wanted = text.trim().to_ascii_lowercase();
    FindingId::ALL
        .into_iter()
        .find(|id| id.id() == wanted || id.code().eq_ignore_ascii_case(&wanted))
        .ok_or_else(|| UnknownFinding {
            id: text.to_string(),
            suggestions: suggest(&wanted, FindingId::ALL.iter().map(|id| id.id())),
        })
}

const INTRO: &str = "\
Every finding has a stable kebab-case id (the contract scripts can rely on), a short code that is
never reused, a severity, a one-sentence message naming the objects and DNS names involved, and a
hint with the change that fixes it. `--fail-on error|warning|never` (default `error`) makes the
command exit with 1 when a finding at or above that severity exists.

Each page is compiled into the binary: `kubectl dnsrecords docs ID` prints it, `kubectl
dnsrecords docs` lists them all.
";

/// `docs/findings.md`: the index table, then every page as a `## <id>` section. Generated, so it
/// cannot drift from the pages or the catalogue.
pub fn findings_markdown() -> String {
    let mut text = String::from(
        "<!-- generated from docs/findings/*.md by the integration test `docs::findings_md_is_generated`: \
         edit the pages and run it with UPDATE_DOCS=1 -->\n# Findings\n\n",
    );
    text.push_str(INTRO);
    text.push_str("\n| id | code | severity | what |\n|---|---|---|---|\n");
    for id in FindingId::ALL {
        text.push_str(&format!(
            "| [{0}](findings/{0}.md) | {1} | {2} | {3} |\n",
            id.id(),
            id.code(),
            severity(id),
            title(id).replace('|', "\\|")
        ));
    }
    for id in FindingId::ALL {
        text.push_str(&format!(
            "\n## {}\n\n{}\n\n**Code.** {}\n\n{}\n",
            id.id(),
            title(id),
            id.code(),
            after_heading(id)
                .trim()
                .trim_start_matches(title(id))
                .trim()
        ));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_page_has_its_heading_title_and_sections_in_order() {
        for id in FindingId::ALL {
            let text = page(id);
            assert!(
                text.starts_with(&format!("# {}\n\n", id.id())),
                "{id}: heading"
            );
            assert!(
                !title(id).is_empty() && !title(id).starts_with("**"),
                "{id}: title"
            );
            let mut last = 0;
            for name in SECTIONS {
                let at = text
                    .find(&format!("\n**{name}.**"))
                    .unwrap_or_else(|| panic!("{id}: no {name} paragraph"));
                assert!(at > last, "{id}: {name} out of order");
                last = at;
                assert!(
                    section(id, name).is_some_and(|s| s.len() > 3),
                    "{id}: {name} is empty"
                );
            }
        }
    }

    #[test]
    fn every_fix_names_a_change() {
        for id in FindingId::ALL {
            let fix = section(id, "Fix").unwrap_or_default();
            // A fix is a change to make: a command, a field or YAML to apply.
            assert!(
                fix.contains('`') || fix.contains("```"),
                "{id}: the fix names no field or command: {fix}"
            );
        }
    }

    #[test]
    fn every_example_shows_failing_input_or_output() {
        for id in FindingId::ALL {
            let example = section(id, "Example").unwrap_or_default();
            assert!(example.contains("```"), "{id}: example has no block");
        }
    }

    #[test]
    fn ids_and_codes_are_found_in_any_case() {
        assert_eq!(lookup("missing-hostname"), Ok(FindingId::MissingHostname));
        assert_eq!(lookup("DNS005"), Ok(FindingId::UnnamedPort));
        assert_eq!(lookup("dns005"), Ok(FindingId::UnnamedPort));
        assert_eq!(
            lookup(" Service-Name-Mismatch "),
            Ok(FindingId::ServiceNameMismatch)
        );
    }

    #[test]
    fn an_unknown_id_is_a_typed_error_with_the_closest_ids() {
        let err = lookup("missing-hostnames").expect_err("unknown");
        assert_eq!(err.id, "missing-hostnames");
        assert_eq!(
            err.suggestions.first().map(String::as_str),
            Some("missing-hostname")
        );
        assert_eq!(
            err.to_string(),
            "no finding has the id \"missing-hostnames\""
        );
        assert!(err.hint().starts_with("did you mean missing-hostname"));
        let far = lookup("zzzzzzzzzzzz").expect_err("unknown");
        assert!(far.suggestions.is_empty());
        assert_eq!(
            far.hint(),
            "`kubectl dnsrecords docs` lists every finding id"
        );
    }

    #[test]
    fn body_starts_at_what_it_means() {
        for id in FindingId::ALL {
            assert!(body(id).starts_with("**What it means.**"), "{id}");
        }
    }

    #[test]
    fn generated_index_lists_every_id_with_code_and_severity() {
        let text = findings_markdown();
        for id in FindingId::ALL {
            assert!(text.contains(&format!("\n## {}\n", id.id())), "{id}");
            assert!(
                text.contains(&format!("| {} | {} |", id.code(), severity(id))),
                "{id}"
            );
        }
    }
}
