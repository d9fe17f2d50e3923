//! The manifest loader (`-f`) on arbitrary text; what it loads is analysed with kubeadm's
//! Corefile and rendered in every format with the output invariants checked.

#![no_main]

use dnsrecords::corefile;
use dnsrecords::source::load_text;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(loaded) = load_text(text, "fuzz.yaml", "default") {
        dnsrecords_fuzz::analyze_and_render(
            &loaded.snapshot,
            &corefile::kubeadm_default(),
            loaded.notes,
        );
    }
});
