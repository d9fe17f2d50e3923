#!/usr/bin/env bash
# Builds the release archive for the host platform — the binary, the completion script, LICENSE,
# THIRD-PARTY-NOTICES.md and README.md — and writes its sha256 into krew-manifest.yaml's entry for that platform.
#
#   scripts/release.sh [--binary PATH] [--out DIR] [--manifest FILE]
#
# --binary uses an already built kubectl-dnsrecords instead of `cargo build --release`.
set -euo pipefail
cd "$(dirname "$0")/.."

binary=""
out="dist"
manifest="krew-manifest.yaml"
while [ $# -gt 0 ]; do
    case "$1" in
        --binary) binary="$2"; shift 2 ;;
        --out) out="$2"; shift 2 ;;
        --manifest) manifest="$2"; shift 2 ;;
        *) echo "usage: $0 [--binary PATH] [--out DIR] [--manifest FILE]" >&2; exit 2 ;;
    esac
done

version="v$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -n 1)"
case "$(uname -s)" in
    Linux) os=linux ;;
    Darwin) os=darwin ;;
    *) echo "unsupported OS $(uname -s); the release workflow builds Windows" >&2; exit 1 ;;
esac
case "$(uname -m)" in
    x86_64 | amd64) arch=amd64 ;;
    aarch64 | arm64) arch=arm64 ;;
    *) echo "unsupported architecture $(uname -m)" >&2; exit 1 ;;
esac

if [ -z "$binary" ]; then
    cargo build --release --locked
    binary="target/release/kubectl-dnsrecords"
fi

name="kubectl-dnsrecords_${version}_${os}_${arch}"
stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT
install -m 0755 "$binary" "$stage/kubectl-dnsrecords"
install -m 0755 kubectl_complete-dnsrecords "$stage/kubectl_complete-dnsrecords"
install -m 0644 LICENSE THIRD-PARTY-NOTICES.md README.md "$stage/"
mkdir -p "$out"
archive="$out/$name.tar.gz"
# Fixed owner, order and times so the same inputs give the same archive.
tar --sort=name --owner=0 --group=0 --numeric-owner --mtime='2000-01-01 00:00Z' \
    -C "$stage" -czf "$archive" kubectl-dnsrecords kubectl_complete-dnsrecords LICENSE THIRD-PARTY-NOTICES.md README.md
sha="$(sha256sum "$archive" | cut -d ' ' -f 1)"

# The sha256 line that follows this platform's uri.
awk -v file="$name.tar.gz" -v sha="$sha" '
    index($0, "uri:") && index($0, "/" file) { pending = 1 }
    pending && $1 == "sha256:" { sub(/sha256: .*/, "sha256: \"" sha "\""); pending = 0 }
    { print }
' "$manifest" > "$manifest.tmp"
mv "$manifest.tmp" "$manifest"
grep -q "$sha" "$manifest" || { echo "no entry for $name.tar.gz in $manifest" >&2; exit 1; }
echo "$archive $sha"
