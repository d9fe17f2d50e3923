//! `-f` paths → snapshot: files, directories read recursively (`.yaml`, `.yml`, `.json`, in
//! name order), and `-` for standard input.

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

use super::{SourceError, parse_manifest};
use crate::model::{ClusterSnapshot, Note};

/// What a source produced.
#[derive(Debug, Clone, Default)]
pub struct Loaded {
    /// The objects.
    pub snapshot: ClusterSnapshot,
    /// What was skipped, and why.
    pub notes: Vec<Note>,
}

/// Reads every path (`-` is standard input).
pub fn load_files(paths: &[PathBuf], default_namespace: &str) -> Result<Loaded, SourceError> {
    let mut loaded = Loaded::default();
    for path in paths {
        if path.as_os_str() == "-" {
            let mut text = String::new();
            std::io::stdin()
                .read_to_string(&mut text)
                .map_err(|source| SourceError::Read {
                    path: path.clone(),
                    source,
                })?;
            read_named(&text, "-", default_namespace, &mut loaded)?;
            continue;
        }
        let metadata = fs::metadata(path).map_err(|source| SourceError::Read {
            path: path.clone(),
            source,
        })?;
        if metadata.is_dir() {
            for file in manifest_files(path)? {
                let text = read(&file)?;
                parse_manifest(
                    &text,
                    &file.display().to_string(),
                    default_namespace,
                    &mut loaded.snapshot,
                    &mut loaded.notes,
                )?;
            }
        } else {
            let text = read(path)?;
            read_named(
                &text,
                &path.display().to_string(),
                default_namespace,
                &mut loaded,
            )?;
        }
    }
    Ok(loaded)
}

/// Parses manifest text that did not come from a file (tests, other sources).
pub fn load_text(text: &str, name: &str, default_namespace: &str) -> Result<Loaded, SourceError> {
    let mut loaded = Loaded::default();
    read_named(text, name, default_namespace, &mut loaded)?;
    Ok(loaded)
}

/// A file named on the command line must hold at least one object.
fn read_named(
    text: &str,
    name: &str,
    default_namespace: &str,
    loaded: &mut Loaded,
) -> Result<(), SourceError> {
    let objects = parse_manifest(
        text,
        name,
        default_namespace,
        &mut loaded.snapshot,
        &mut loaded.notes,
    )?;
    if objects == 0 {
        return Err(SourceError::Empty {
            path: name.to_string(),
        });
    }
    Ok(())
}

fn read(path: &Path) -> Result<String, SourceError> {
    fs::read_to_string(path).map_err(|source| SourceError::Read {
        path: path.to_path_buf(),
        source,
    })
}

fn manifest_files(dir: &Path) -> Result<Vec<PathBuf>, SourceError> {
    let mut found = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(current) = pending.pop() {
        let entries = fs::read_dir(&current).map_err(|source| SourceError::Read {
            path: current.clone(),
            source,
        })?;
        for entry in entries {
            let entry = entry.map_err(|source| SourceError::Read {
                path: current.clone(),
                source,
            })?;
            let path = entry.path();
            if path.is_dir() {
                pending.push(path);
            } else if path
                .extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| matches!(e, "yaml" | "yml" | "json"))
            {
                found.push(path);
            }
        }
    }
    found.sort();
    Ok(found)
}
