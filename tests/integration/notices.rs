//! THIRD-PARTY-NOTICES.md, which release archives carry: every crate the release binary is built
//! from (the normal dependencies of the package, on every platform the release workflow builds,
//! as Cargo.lock resolves them) with its version, licence and source, then the licence texts the
//! crates ship, each text once with the crates that ship it. Generated from `cargo metadata`, so
//! it cannot drift from Cargo.lock: run with UPDATE_NOTICES=1 to rewrite it after a dependency
//! change.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use crate::support::root;

pub const FILE: &str = "THIRD-PARTY-NOTICES.md";

struct Crate {
    name: String,
    version: String,
    license: String,
    repository: String,
    dir: PathBuf,
}

/// The targets of the release workflow (.github/workflows/release.yml).
const RELEASE_TARGETS: [&str; 5] = [
    "x86_64-unknown-linux-gnu",
    "aarch64-unknown-linux-gnu",
    "x86_64-apple-darwin",
    "aarch64-apple-darwin",
    "x86_64-pc-windows-msvc",
];

/// The crates of the release binaries: the package's normal dependencies, transitively, on each
/// release target (cargo resolves platform-specific dependencies per target).
fn shipped_crates() -> Vec<Crate> {
    let mut crates: BTreeMap<(String, String), Crate> = BTreeMap::new();
    for target in RELEASE_TARGETS {
        for c in shipped_on(target) {
            crates
                .entry((c.name.clone(), c.version.clone()))
                .or_insert(c);
        }
    }
    crates.into_values().collect()
}

fn shipped_on(target: &str) -> Vec<Crate> {
    let output = Command::new(env!("CARGO"))
        .args([
            "metadata",
            "--format-version",
            "1",
            "--locked",
            "--filter-platform",
            target,
        ])
        .current_dir(root())
        .output()
        .expect("run cargo metadata");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let metadata: Value = serde_json::from_slice(&output.stdout).expect("metadata is JSON");
    let root_id = metadata["resolve"]["root"]
        .as_str()
        .expect("a root package");
    let nodes: BTreeMap<&str, &Value> = metadata["resolve"]["nodes"]
        .as_array()
        .expect("nodes")
        .iter()
        .filter_map(|node| Some((node["id"].as_str()?, node)))
        .collect();
    let mut seen = BTreeSet::new();
    let mut queue = VecDeque::from([root_id]);
    while let Some(id) = queue.pop_front() {
        let Some(node) = nodes.get(id) else { continue };
        for dep in node["deps"].as_array().into_iter().flatten() {
            // Only what is compiled into the binary: normal dependencies, not dev or build ones.
            let normal = dep["dep_kinds"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|kind| kind["kind"].is_null());
            if let Some(dep_id) = dep["pkg"].as_str()
                && normal
                && seen.insert(dep_id)
            {
                queue.push_back(dep_id);
            }
        }
    }
    let text = |value: &Value| value.as_str().unwrap_or_default().to_string();
    metadata["packages"]
        .as_array()
        .expect("packages")
        .iter()
        .filter(|package| package["id"].as_str().is_some_and(|id| seen.contains(id)))
        .map(|package| Crate {
            name: text(&package["name"]),
            version: text(&package["version"]),
            license: package["license"]
                .as_str()
                .map_or_else(|| "see its licence file".to_string(), str::to_string),
            repository: text(&package["repository"]),
            dir: Path::new(package["manifest_path"].as_str().unwrap_or_default())
                .parent()
                .map(Path::to_path_buf)
                .unwrap_or_default(),
        })
        .collect()
}

/// C libraries that a crate builds from its own sources and the binary links statically, with
/// the licence file each carries below the crate's top level, where `licence_files` does not
/// look: (crate, file, library).
const VENDORED_LICENCES: [(&str, &str, &str); 1] =
    [("tikv-jemalloc-sys", "jemalloc/COPYING", "jemalloc")];

/// The licence files a crate ships at its top level (LICENSE*, LICENCE*, COPYING*, NOTICE*).
fn licence_files(dir: &Path) -> Vec<(String, String)> {
    let mut files: Vec<(String, String)> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let name = entry.file_name().to_string_lossy().into_owned();
            let upper = name.to_ascii_uppercase();
            let licence = ["LICENSE", "LICENCE", "COPYING", "NOTICE"]
                .iter()
                .any(|prefix| upper.starts_with(prefix));
            if !licence || !entry.path().is_file() {
                return None;
            }
            let text = std::fs::read_to_string(entry.path()).ok()?;
            Some((name, text.replace("\r\n", "\n").trim_end().to_string()))
        })
        .collect();
    files.sort();
    files
}

/// The notice text for `crates`.
fn notices(crates: &[Crate]) -> String {
    let mut out = String::from(
        "# Third-party notices\n\n\
         kubectl-dnsrecords is licensed under Apache-2.0 (see LICENSE). Its release binaries are \
         built from the crates below, as Cargo.lock resolves them for every platform the release \
         workflow builds; each crate's licence is the one its Cargo.toml states. The licence texts \
         the crates ship follow the table, each text once with the crates that ship it.\n\n\
         Generated from Cargo.lock by the test `notices::third_party_notices_match_cargo_lock` \
         (run it with UPDATE_NOTICES=1 after a dependency change).\n\n",
    );
    let weak_copyleft: Vec<&Crate> = crates
        .iter()
        .filter(|c| c.license.contains("MPL") || c.license.contains("LGPL"))
        .collect();
    if weak_copyleft.is_empty() {
        out.push_str(
            "No crate's licence is MPL-2.0, LGPL or GPL (the MPL-2.0 `colored` was replaced by \
             `anstyle`).\n\n",
        );
    } else {
        out.push_str("Crates under a file-level copyleft licence (their source is at the address given):\n\n");
        for c in weak_copyleft {
            out.push_str(&format!("- {} {} ({})\n", c.name, c.version, c.license));
        }
        out.push('\n');
    }
    out.push_str("| crate | version | licence | source |\n|---|---|---|---|\n");
    for c in crates {
        out.push_str(&format!(
            "| {} | {} | {} | {} |\n",
            c.name,
            c.version,
            c.license.replace('|', "\\|"),
            c.repository
        ));
    }
    let mut texts: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut without: Vec<String> = Vec::new();
    for c in crates {
        let files = licence_files(&c.dir);
        if files.is_empty() {
            without.push(format!("{} {} ({})", c.name, c.version, c.license));
        }
        for (_, text) in files {
            texts
                .entry(text)
                .or_default()
                .push(format!("{} {}", c.name, c.version));
        }
        for (_, file, library) in VENDORED_LICENCES
            .iter()
            .filter(|(name, ..)| *name == c.name)
        {
            let text = std::fs::read_to_string(c.dir.join(file))
                .unwrap_or_else(|e| panic!("{} {}: {file}: {e}", c.name, c.version));
            texts
                .entry(text.replace("\r\n", "\n").trim_end().to_string())
                .or_default()
                .push(format!(
                    "{} {} (the {library} it builds)",
                    c.name, c.version
                ));
        }
    }
    if !without.is_empty() {
        out.push_str(&format!(
            "\nShipping no licence file of their own (the standard text of the licence named applies): {}.\n",
            without.join(", ")
        ));
    }
    // Ordered by the first crate that ships each text, so the file reads alphabetically.
    let mut ordered: Vec<(Vec<String>, String)> = texts
        .into_iter()
        .map(|(text, users)| (users, text))
        .collect();
    ordered.sort();
    out.push_str("\n## Licence texts\n");
    for (users, text) in ordered {
        out.push_str(&format!(
            "\n### {}\n\n```text\n{}\n```\n",
            users.join(", "),
            text.replace("```", "'''")
        ));
    }
    out
}

#[test]
fn third_party_notices_match_cargo_lock() {
    let crates = shipped_crates();
    assert!(crates.len() > 50, "only {} crates found", crates.len());
    for name in [
        "kube-client",
        "k8s-openapi",
        "clap",
        "rustls",
        "serde-saphyr",
        "anstyle",
    ] {
        assert!(crates.iter().any(|c| c.name == name), "{name} is shipped");
    }
    assert!(
        !crates.iter().any(|c| c.name == "insta" || c.name == "cc"),
        "dev and build dependencies are not shipped"
    );
    let generated = notices(&crates);
    assert!(
        generated.contains("(the jemalloc it builds)"),
        "the statically linked jemalloc's own licence is carried"
    );
    let path = root().join(FILE);
    if std::env::var_os("UPDATE_NOTICES").is_some() {
        std::fs::write(&path, &generated).expect("write the notices");
    }
    let current = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        current == generated,
        "{FILE} is stale: run `UPDATE_NOTICES=1 cargo test --test integration third_party_notices`"
    );
}
