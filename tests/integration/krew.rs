//! The krew manifest follows krew-index's rules, and a release archive built here installs what
//! the manifest says.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

use serde_json::Value;

use crate::support::{binary, root};

fn manifest(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).expect("read the manifest");
    serde_saphyr::from_str(&text).expect("the manifest is YAML")
}

fn str_at<'a>(value: &'a Value, pointer: &str) -> &'a str {
    value
        .pointer(pointer)
        .and_then(Value::as_str)
        .unwrap_or_else(|| panic!("{pointer} is missing or not a string"))
}

/// krew's own validation (internal/index/validation) plus krew-index's review rules.
#[test]
fn manifest_follows_krew_index_rules() {
    let plugin = manifest(&root().join("krew-manifest.yaml"));
    assert_eq!(
        str_at(&plugin, "/apiVersion"),
        "krew.googlecontainertools.github.com/v1alpha2"
    );
    assert_eq!(str_at(&plugin, "/kind"), "Plugin");
    let name = str_at(&plugin, "/metadata/name");
    assert_eq!(name, "dnsrecords");
    assert!(
        name.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    );

    // The version is the crate's, as semver with a leading v.
    let version = str_at(&plugin, "/spec/version");
    assert_eq!(version, format!("v{}", env!("CARGO_PKG_VERSION")));
    let parts: Vec<&str> = version.trim_start_matches('v').split('.').collect();
    assert_eq!(parts.len(), 3, "semver MAJOR.MINOR.PATCH");
    assert!(parts.iter().all(|p| p.parse::<u64>().is_ok()));

    let short = str_at(&plugin, "/spec/shortDescription");
    assert!(!short.is_empty() && !short.contains(['\r', '\n']));
    assert!(short.len() <= 60, "a one-line short description");
    assert!(str_at(&plugin, "/spec/homepage").starts_with("https://"));
    let description = str_at(&plugin, "/spec/description");
    assert!(
        description.len() > 200 && !description.contains("--"),
        "describes what it does, not flags"
    );
    let caveats = str_at(&plugin, "/spec/caveats");
    for needed in [
        "services",
        "endpointslices",
        "statefulsets",
        "pods",
        "kube-system",
        "Secrets",
    ] {
        assert!(
            caveats.contains(needed),
            "caveats should name the RBAC it needs ({needed})"
        );
    }

    let platforms = plugin
        .pointer("/spec/platforms")
        .and_then(Value::as_array)
        .expect("platforms");
    let mut covered = BTreeSet::new();
    for platform in platforms {
        let labels = platform
            .pointer("/selector/matchLabels")
            .and_then(Value::as_object)
            .expect("matchLabels");
        assert!(
            labels.keys().all(|k| k == "os" || k == "arch"),
            "only os and arch selectors"
        );
        let os = labels.get("os").and_then(Value::as_str).expect("os");
        let arch = labels.get("arch").and_then(Value::as_str).expect("arch");
        assert!(
            covered.insert((os.to_string(), arch.to_string())),
            "{os}/{arch} selected twice"
        );
        let uri = str_at(platform, "/uri");
        assert!(
            uri.starts_with("https://")
                && uri.contains(version)
                && uri.contains(&format!("{os}_{arch}")),
            "{uri}"
        );
        let sha = str_at(platform, "/sha256");
        assert!(
            sha.len() == 64
                && sha
                    .chars()
                    .all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c)),
            "{sha}"
        );
        let bin = str_at(platform, "/bin");
        let files = platform
            .pointer("/files")
            .and_then(Value::as_array)
            .expect("files");
        let from: Vec<&str> = files.iter().map(|f| str_at(f, "/from")).collect();
        assert!(files.iter().all(|f| !str_at(f, "/to").is_empty()));
        assert!(
            from.contains(&bin),
            "{os}/{arch}: the bin must be extracted"
        );
        assert!(
            from.contains(&"LICENSE"),
            "{os}/{arch}: krew-index requires the LICENSE to be installed"
        );
        assert!(
            from.contains(&crate::notices::FILE),
            "{os}/{arch}: the third-party notices are installed beside the LICENSE"
        );
    }
    let expected: BTreeSet<(String, String)> = [
        ("linux", "amd64"),
        ("linux", "arm64"),
        ("darwin", "amd64"),
        ("darwin", "arm64"),
        ("windows", "amd64"),
    ]
    .iter()
    .map(|(o, a)| (o.to_string(), a.to_string()))
    .collect();
    assert_eq!(covered, expected);
}

#[test]
fn a_release_archive_installs_what_the_manifest_says() {
    let dir = tempfile::tempdir().expect("tempdir");
    let manifest_copy = dir.path().join("krew-manifest.yaml");
    std::fs::copy(root().join("krew-manifest.yaml"), &manifest_copy).expect("copy the manifest");
    let out = dir.path().join("dist");
    let status = Command::new("bash")
        .arg(root().join("scripts/release.sh"))
        .arg("--binary")
        .arg(binary())
        .arg("--out")
        .arg(&out)
        .arg("--manifest")
        .arg(&manifest_copy)
        .current_dir(root())
        .output()
        .expect("run the release script");
    assert!(
        status.status.success(),
        "{}",
        String::from_utf8_lossy(&status.stderr)
    );
    let printed = String::from_utf8_lossy(&status.stdout);
    let (archive, sha) = printed.trim().split_once(' ').expect("archive and sha256");

    // The manifest's entry for this platform now carries the archive's sha256.
    let plugin = manifest(&manifest_copy);
    let platforms = plugin
        .pointer("/spec/platforms")
        .and_then(Value::as_array)
        .expect("platforms");
    let file_name = Path::new(archive)
        .file_name()
        .and_then(|n| n.to_str())
        .expect("archive name");
    let entry = platforms
        .iter()
        .find(|p| str_at(p, "/uri").ends_with(file_name))
        .expect("a platform entry for the host archive");
    assert_eq!(str_at(entry, "/sha256"), sha);
    let check = Command::new("sha256sum")
        .arg(archive)
        .output()
        .expect("sha256sum");
    assert!(String::from_utf8_lossy(&check.stdout).starts_with(sha));

    // Install as krew does: unpack, apply the file operations, and run the bin.
    let unpacked = dir.path().join("unpacked");
    let installed = dir.path().join("installed");
    std::fs::create_dir_all(&unpacked).expect("mkdir");
    std::fs::create_dir_all(&installed).expect("mkdir");
    let tar = Command::new("tar")
        .arg("-xzf")
        .arg(archive)
        .arg("-C")
        .arg(&unpacked)
        .status()
        .expect("tar");
    assert!(tar.success());
    for file in entry
        .pointer("/files")
        .and_then(Value::as_array)
        .expect("files")
    {
        let from = unpacked.join(str_at(file, "/from"));
        assert!(from.exists(), "{} is not in the archive", from.display());
        let to = installed
            .join(str_at(file, "/to"))
            .join(str_at(file, "/from"));
        std::fs::copy(&from, &to).expect("install a file");
    }
    assert!(installed.join("LICENSE").exists());
    // The notices travel with the binary, as generated from Cargo.lock.
    let notices = std::fs::read_to_string(installed.join(crate::notices::FILE))
        .expect("the archive carries the third-party notices");
    assert!(
        notices
            == std::fs::read_to_string(root().join(crate::notices::FILE))
                .expect("read the notices"),
        "the archive's notices differ from the repository's"
    );
    let bin = installed.join(str_at(entry, "/bin"));
    let version = Command::new(&bin)
        .arg("--version")
        .output()
        .expect("run the installed plugin");
    assert_eq!(
        String::from_utf8_lossy(&version.stdout).trim(),
        format!("kubectl-dnsrecords {}", env!("CARGO_PKG_VERSION"))
    );
}
