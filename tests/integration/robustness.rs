//! Malformed input never panics: thousands of mutations of real manifests and Corefiles go through
//! the parsers and the engine, and each ends in records or a typed error.

use dnsrecords::corefile;
use dnsrecords::model::{ConfigOrigin, Selection};
use dnsrecords::source::load_text;

/// A small deterministic generator (xorshift), so a failure reproduces.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

const NOISE: [&str; 12] = [
    ":", "-", "{", "}", "[", "]", "\"", "'", "\n", "  ", "None", "::1",
];

fn mutate(text: &str, rng: &mut Rng) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    for _ in 0..=rng.below(4) {
        let at = rng.below(chars.len());
        match rng.below(4) {
            0 => chars.truncate(at),
            1 => {
                if at < chars.len() {
                    chars.remove(at);
                }
            }
            2 => {
                let noise = NOISE[rng.below(NOISE.len())];
                for (offset, ch) in noise.chars().enumerate() {
                    chars.insert((at + offset).min(chars.len()), ch);
                }
            }
            _ => {
                let end = (at + rng.below(200)).min(chars.len());
                let copy: Vec<char> = chars[at..end].to_vec();
                chars.splice(at..at, copy);
            }
        }
    }
    chars.into_iter().collect()
}

#[test]
fn mutated_manifests_never_panic() {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    for example in [
        "redis-statefulset.yaml",
        "kafka-servicename-mismatch.yaml",
        "dual-stack.yaml",
    ] {
        let text = std::fs::read_to_string(crate::support::root().join("examples").join(example))
            .expect("read");
        for _ in 0..300 {
            let mutated = mutate(&text, &mut rng);
            if let Ok(loaded) = load_text(&mutated, example, "default") {
                let config = corefile::kubeadm_default();
                let _ = dnsrecords::analyze(&loaded.snapshot, &config, &Selection::default());
            }
        }
    }
}

#[test]
fn mutated_corefiles_never_panic() {
    let mut rng = Rng(0x2545_f491_4f6c_dd1d);
    let corefiles = [
        corefile::KUBEADM_COREFILE,
        "(snip) {\n errors\n}\n.:53 {\n import snip\n kubernetes cluster.local 10.0.0.0/12 fd00::/7 {\n  pods verified\n  namespaces a b\n  labels app in (x, y)\n  ttl 0\n }\n cache 30 cluster.local {\n  denial 100 5\n  disable success\n }\n}\n",
    ];
    for text in corefiles {
        for _ in 0..500 {
            let mutated = mutate(text, &mut rng);
            if let Ok(parsed) = corefile::parse(&mutated, ConfigOrigin::Default) {
                let snapshot = load_text(
                    &std::fs::read_to_string(
                        crate::support::root().join("examples/redis-statefulset.yaml"),
                    )
                    .expect("read"),
                    "redis",
                    "default",
                )
                .expect("the example loads")
                .snapshot;
                let _ = dnsrecords::analyze(&snapshot, &parsed.config, &Selection::default());
            }
        }
    }
}
