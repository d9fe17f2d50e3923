//! `DnsName`: whatever parses is presentation form — lower-case letters, digits, `-`, `_` and
//! dots, absolute, at most 254 characters — prints without escaping and parses back to itself;
//! a label prepended to it keeps those properties or is refused.

#![no_main]

use dnsrecords::model::DnsName;
use dnsrecords::render::escape;
use libfuzzer_sys::fuzz_target;

fn check(name: &DnsName) {
    let shown = name.as_str();
    assert!(shown.ends_with('.'), "{shown:?}");
    assert!(shown.len() <= 254, "{shown:?}");
    assert!(
        shown
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"-_.".contains(&b)),
        "{shown:?}"
    );
    assert!(escape::is_plain(shown));
    assert_eq!(DnsName::parse(shown).as_ref(), Ok(name));
    assert!(name.is_within(&DnsName::root()));
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    // The first line is a name, the rest a label to prepend to it.
    let (name, label) = text.split_once('\n').unwrap_or((text, ""));
    if let Ok(parsed) = DnsName::parse(name) {
        check(&parsed);
        if let Ok(longer) = parsed.prepend(label) {
            check(&longer);
            assert!(longer.is_within(&parsed));
            assert_eq!(longer.label_count(), parsed.label_count() + 1);
        }
    }
});
