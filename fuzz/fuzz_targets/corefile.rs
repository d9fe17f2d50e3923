//! The Corefile parser on arbitrary text; a Corefile it accepts drives the analysis of a bundled
//! example, rendered in every format with the output invariants checked.

#![no_main]

use std::sync::OnceLock;

use dnsrecords::corefile;
use dnsrecords::model::{ClusterSnapshot, ConfigOrigin};
use dnsrecords::source::load_text;
use libfuzzer_sys::fuzz_target;

fn snapshot() -> &'static ClusterSnapshot {
    static SNAPSHOT: OnceLock<ClusterSnapshot> = OnceLock::new();
    SNAPSHOT.get_or_init(|| {
        let text = include_str!("../../examples/redis-statefulset.yaml");
        load_text(text, "redis-statefulset.yaml", "default")
            .expect("the bundled example loads")
            .snapshot
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(parsed) = corefile::parse(text, ConfigOrigin::Default) {
        dnsrecords_fuzz::analyze_and_render(snapshot(), &parsed.config, parsed.notes);
    }
});
