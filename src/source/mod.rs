//! Sources: the only code that reads objects — manifest files, or the API through `kube`. Each
//! produces a `ClusterSnapshot` plus notes about what it skipped; everything after them is the
//! same whichever source ran.

// This module reads files, the environment and the API: the purity lints do not apply.
#![allow(clippy::disallowed_methods, clippy::disallowed_types)]

mod causes;
mod cluster;
mod error;
mod files;
mod kubeconfig;
mod list;
mod manifest;
mod target;
mod watch;

pub use causes::{causes, io_kinds};
pub use cluster::{LiveQuery, load_cluster};
pub use error::{ExecOutcome, KubeconfigEntry, SourceError, format_duration};
pub use files::{Loaded, load_files, load_text};
pub use kubeconfig::{
    ConnectOptions, Connection, DEFAULT_CONNECT_TIMEOUT, RequestContext, connect, user_agent,
};
pub use list::classify;
pub use list::{PAGE_SIZE, Paging};
pub use manifest::parse_manifest;
pub use target::{TargetError, parse_target};
pub use watch::{DEBOUNCE, WatchSession, WatchUpdate, watch_cluster};
