//! Integration tests: the real binary, its output formats, real DNS software and kubectl's own
//! plugin discovery.

#![allow(
    clippy::disallowed_methods,
    clippy::disallowed_types,
    clippy::print_stdout
)]

mod apiserver_selftest;
mod cli;
mod consistency;
mod dns_server;
mod docs;
mod explain;
mod hostile;
mod k9s;
mod krew;
mod kubectl_output;
mod kubectl_plugin;
mod live_api;
mod notices;
mod properties;
mod rbac;
mod readme;
mod render;
mod robustness;
mod support;
mod verify;
mod watch;
mod zonefile;
