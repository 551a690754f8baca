#!/usr/bin/env bash
# vt106 proxy between a device and a platform, each a separate program, on loopback: exact relay
# both ways (digests), a command put between the platform's frames, half-closes and resets from
# each side, a refused and a silent platform, stalled readers (memory bounded), UDP devices, IPv6,
# the -w capture read back, PROXY headers, the summary and verdict. tests/e2e/proxy_cases.py.
set -u
# Under ASan, freed memory waits in a quarantine (256 MB by default): measure what vt106 holds.
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=0
command -v python3 >/dev/null || { echo "skipped: python3 missing"; exit 77; }
exec python3 "$(dirname "$0")/proxy_cases.py" "$1"
