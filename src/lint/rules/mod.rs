//! One file per finding id.

pub mod empty_endpoints;
pub mod externalname_target;
pub mod missing_hostname;
pub mod namespace_missing;
pub mod negative_cache;
pub mod not_ready_endpoints;
pub mod option_release;
pub mod peer_names;
pub mod second_headless_service;
pub mod service_name_mismatch;
pub mod unnamed_port;
