#!/usr/bin/env bash
# `vt106 replay` without --to shows what it would send: one plan record per connection (device as
# sent and as recorded, transport, messages, bytes, when it would connect, send and close), with
# -v every message it would send, then the summary; the rewrites (--imei-map) are applied.
set -u
bin=$(readlink -f "$1")
here=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
command -v python3 >/dev/null || { echo "skipped: python3 missing"; exit 77; }
cap=$here/captures/doctor/platform.pcap
"$bin" replay "$cap" -q > "$work/plan" || fail "dry run exited $?"
"$bin" replay "$cap" -q -v --imei-map 867648046883219=353327020412763 > "$work/verbose" || fail "dry run -v exited $?"
python3 - "$work/plan" "$work/verbose" <<'PY' || fail "dry run records"
import json, sys
plan = [json.loads(l) for l in open(sys.argv[1])]
summary = plan[-1]
assert summary["kind"] == "summary" and summary["dry_run"] is True and summary["messages"] == 0, summary
plans = [r for r in plan if r["kind"] == "plan"]
assert len(plans) > 100, len(plans)
assert sum(p["messages"] for p in plans) == summary["planned"], (sum(p["messages"] for p in plans), summary["planned"])
assert len({p["flow"] for p in plans}) == len(plans), "a connection planned twice"
for p in plans:
    assert p["transport"] in ("tcp", "udp") and p["bytes"] > 0 and p["recorded_src"], p
    assert p["connect_s"] <= p.get("first_s", p["connect_s"]) <= p.get("last_s", p["connect_s"]) <= p.get("close_s", 1e18), p
verbose = [json.loads(l) for l in open(sys.argv[2])]
would = [r for r in verbose if r["kind"] == "would_send"]
assert len(would) == summary["planned"], (len(would), summary["planned"])
mapped = [r for r in would if r.get("recorded_imei") == "867648046883219"]
assert mapped and all(r["imei"] == "353327020412763" and "#353327020412763," in r["raw"] for r in mapped), mapped[:1]
print(f"dry run: {len(plans)} connections planned, {len(would)} messages with -v, the IMEI map applied")
PY
