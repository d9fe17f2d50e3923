//! Sources: the only code that reads objects. Each produces a `ClusterSnapshot` plus notes about
//! what it skipped; everything after them is the same whichever source ran.

mod error;
mod files;
mod manifest;
mod target;

pub use error::SourceError;
pub use files::{Loaded, load_files, load_text};
pub use manifest::{COREDNS_CONFIGMAP, parse_manifest};
pub use target::{TargetError, parse_target};
