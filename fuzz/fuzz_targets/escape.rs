//! The escaping functions: their output never holds a character that needs escaping (so never a
//! raw control byte), a zone comment never a line break, and plain text passes unchanged.

#![no_main]

use dnsrecords::render::escape;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let shown = escape::terminal(&text);
    assert!(!shown.chars().any(escape::needs_escape), "{shown:?}");
    assert!(!shown.bytes().any(|b| b < 0x20 || b == 0x7f), "{shown:?}");
    assert!(escape::is_plain(&shown));
    if escape::is_plain(&text) {
        assert_eq!(shown, text);
    }
    let comment = escape::zone_comment(&text);
    assert!(!comment.contains(['\n', '\r']), "{comment:?}");
    assert_eq!(comment, shown);
});
