#!/usr/bin/env bash
# vt106 doctor over every scenario capture (captures/doctor, recorded on loopback): the check
# that names the scenario's fault fails, no other check fails, and the healthy capture passes.
set -u
bin=$1
command -v python3 >/dev/null || { echo "python3 missing (scripts/deps installs it)"; exit 1; }
fail=0
# expected_failure → the checks that must fail, and a word the verdict must contain
declare -A checks=(
  [none]="" [wrong_protocol]="protocol.detected" [tls]="protocol.detected"
  [connection_refused]="reach.refused reach.udp_unreachable" [silent_connection]="reach.silent"
  [heartbeats_only]="content.positions" [invalid_fix]="content.fix_valid" [future_time]="content.time_future"
  [rollover_time]="content.time_past" [wrong_imei]="identity.imei" [server_closes]="session.server_close")
declare -A words=(
  [none]="valid and on time" [wrong_protocol]="gt06" [tls]="tls" [connection_refused]="refused"
  [silent_connection]="no data" [heartbeats_only]="no positions" [invalid_fix]="valid GPS fix"
  [future_time]="8 h ahead" [rollover_time]="1024 GPS weeks" [wrong_imei]="867648044456746"
  [server_closes]="closes the connection")
while IFS=$'\t' read -r file imei expected _; do
  [ "$file" = file ] && continue
  args=(doctor --json "captures/doctor/$file")
  [ "$imei" != - ] && args+=(--imei "$imei")
  out=$("$bin" "${args[@]}" 2>&1); status=$?
  want_status=1; [ "$expected" = none ] && want_status=0
  if [ "$status" != "$want_status" ]; then echo "FAIL $file: exit $status, expected $want_status"; fail=1; fi
  if ! python3 -c '
import json, sys
name, want, word = sys.argv[1], set(sys.argv[2].split()), sys.argv[3]
recs = [json.loads(l) for l in sys.stdin if l.strip()]
failed = {r["check"] for r in recs if r["kind"] == "finding" and r["status"] == "fail"}
verdict = [r for r in recs if r["kind"] == "verdict"][0]["verdict"]
ok = True
if failed != want:
    print(f"FAIL {name}: failing checks {sorted(failed)}, expected {sorted(want)}"); ok = False
if word.lower() not in (verdict + " ".join(r.get("summary", "") for r in recs)).lower():
    print(f"FAIL {name}: \"{word}\" not in the verdict or findings: {verdict}"); ok = False
sys.exit(0 if ok else 1)
' "$file" "${checks[$expected]}" "${words[$expected]}" <<<"$out"; then fail=1; fi
done < captures/doctor/scenarios.tsv
[ $fail = 0 ] && echo "doctor: every scenario fails exactly its own checks; the healthy capture passes"
exit $fail
