//! The README's sample output is real: every `$ kubectl dnsrecords …` console block is run and its
//! output compared with what the README shows.

use crate::support::{command, root};

#[test]
fn readme_examples_print_what_the_readme_shows() {
    let readme = std::fs::read_to_string(root().join("README.md")).expect("read README.md");
    let mut checked = 0;
    for block in readme.split("```console\n").skip(1) {
        let Some(body) = block.split("\n```").next() else {
            continue;
        };
        let mut lines = body.lines();
        let Some(first) = lines.next() else {
            continue;
        };
        let Some(args) = first.strip_prefix("$ kubectl dnsrecords ") else {
            continue;
        };
        let expected: Vec<&str> = lines.collect();
        let args: Vec<&str> = args.split_whitespace().collect();
        let output = command().args(&args).output().expect("run the binary");
        let actual = String::from_utf8_lossy(&output.stdout);
        let actual: Vec<&str> = actual.lines().collect();
        assert_eq!(
            actual, expected,
            "README block for `{first}` is out of date"
        );
        checked += 1;
    }
    assert!(checked >= 5, "only {checked} README examples were checked");
}
