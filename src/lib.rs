//! `kubectl-dnsrecords`: what cluster DNS answers for your Services and Pods, and why a name
//! does not resolve.
//!
//! Data flows one way: a [`source`] produces a [`model::ClusterSnapshot`] (from manifest files or
//! the API), [`corefile`] turns the Corefile into a [`model::DnsConfig`], [`analyze()`] — pure, no
//! I/O — computes the [`model::Report`], a [`render`]er prints it, and [`cli`] wires it together.

pub mod analyze;
pub mod answer;
pub mod cli;
pub mod corefile;
pub mod docs;
pub mod engine;
pub mod lint;
pub mod model;
pub mod render;
pub mod resolver;
pub mod source;
pub mod verify;
pub mod watch_diff;

pub use analyze::{analyze, analyze_dns, analyze_dns_keeping_output, analyze_dns_owned};
pub use model::Report;
