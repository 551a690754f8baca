#!/usr/bin/env bash
# vt106 doctor at platform scale, on captures/doctor/platform.pcap (a real loopback recording of
# 200 devices) and its manifest platform.tsv:
#  1. --imei of each fault device (and of a few healthy ones) reports exactly the manifest's
#     failing and warning checks, and its text and NDJSON never name another device;
#  2. devices without an identifier are named by their address and fail their checks;
#  3. the default text report fits a screen, counts every fault in its check rows and groups the
#     13 devices in local time into one next step;
#  4. every command the reports suggest exists and runs (exit 0 or 1, never a usage error);
#  5. an --imei that is not in the input names the devices it most likely is, best first;
#  6. usage errors exit 2; 7. --format json is one document, --json is --format ndjson;
#  8. several inputs are one story (device counts, --imei across inputs, unique flow ids).
# Every failure says what was expected and what came; the test exits 1 if anything failed.
set -u
bin=$(readlink -f "$1")
command -v python3 >/dev/null || { echo "skipped: python3 missing"; exit 77; }
for f in captures/doctor/platform.pcap captures/doctor/platform.tsv captures/doctor/healthy.pcap; do
  [ -f "$f" ] || { echo "FAIL: missing $f (run from the source root)"; exit 1; }
done
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=0

exec python3 - "$bin" <<'PY'
import json, re, shlex, subprocess, sys

BIN = sys.argv[1]
CAP = "captures/doctor/platform.pcap"
TSV = "captures/doctor/platform.tsv"
HEALTHY = "captures/doctor/healthy.pcap"
HEALTHY_IMEI = "867648044456745"
PLATFORM_ADDRESS = "127.0.0.1"  # the platform itself, not a device

failures = []


def bad(what, expected, got):
    failures.append(what)
    print(f"FAIL: {what}\n  expected: {expected}\n  got:      {got}")


def short(text, limit=600):
    text = text if isinstance(text, str) else repr(text)
    return text if len(text) <= limit else text[:limit] + f"... ({len(text)} chars)"


def run(args, timeout=30):
    try:
        p = subprocess.run([BIN] + args, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        bad(f"vt106 {' '.join(args)} finishes", f"within {timeout} s", "timed out")
        return None, "", ""
    return p.returncode, p.stdout, p.stderr


texts = []     # (what, text) of every text report, for the commands they suggest
outputs = []   # (what, output) of every NDJSON report
commands = {}  # command → where it was printed


def text_report(args):
    status, out, err = run(args)
    texts.append((" ".join(args), out))
    return status, out, err


def records(args):
    """Runs a doctor with NDJSON output: (status, findings, verdict, raw output)."""
    status, out, err = run(args)
    outputs.append((" ".join(args), out))
    findings, verdict, last_kind = [], None, None
    for n, line in enumerate(out.splitlines(), 1):
        if not line.strip():
            continue
        try:
            r = json.loads(line)
        except json.JSONDecodeError as e:
            bad(f"vt106 {' '.join(args)}: line {n} is JSON", "a JSON object", f"{e}: {short(line)}")
            continue
        last_kind = r.get("kind")
        if r.get("kind") == "finding":
            findings.append(r)
            if r.get("command"):
                commands.setdefault(r["command"], "ndjson of vt106 " + " ".join(args))
        elif r.get("kind") == "verdict":
            if verdict is not None:
                bad(f"vt106 {' '.join(args)}: one verdict", "one verdict record", "a second one")
            verdict = r
        else:
            bad(f"vt106 {' '.join(args)}: record kinds", "finding or verdict", short(line))
    if verdict is None:
        bad(f"vt106 {' '.join(args)}: a verdict record", "one verdict record last", f"none (exit {status}, stderr {short(err)})")
        verdict = {}
    elif last_kind != "verdict":
        bad(f"vt106 {' '.join(args)}: the verdict comes last", "verdict as the last record", "a finding after it")
    return status, findings, verdict, out


def checks_with(findings, status, device):
    return {f["check"] for f in findings if f["status"] == status and f["device"] == device}


# --------------------------------------------------------------------------------------------
# The manifest.
rows = []
with open(TSV, encoding="utf-8") as fh:
    header = fh.readline().rstrip("\n").split("\t")
    for line in fh:
        if line.strip():
            rows.append(dict(zip(header, line.rstrip("\n").split("\t"))))
if len(rows) != 200:
    bad("platform.tsv lists the devices", "200 rows", len(rows))


def words(cell):
    return set() if cell == "-" else set(cell.split())


for r in rows:
    r["fail"] = words(r["fail_checks"])
    r["warn"] = words(r["warn_checks"])
    # How the doctor names the device: the identifier it sends (the GT06 device: the id in its
    # login), else its address.
    if r["imei"] != "-":
        r["name"] = r["imei"]
    elif r["fault"] == "wrong_protocol":
        r["name"] = r["registered_as"]
    else:
        r["name"] = r["address"]
    r["tokens"] = {t for t in (r["imei"], r["registered_as"], r["address"]) if t != "-"}
by_name = {r["name"]: r for r in rows}
several = next((r for r in rows if r["fault"] == "several_ids"), None)
second_id = None
if several:
    m = re.search(r"IMEI (\d{15})", several["notes"])
    second_id = m.group(1) if m else None


def token_pattern(token):
    if re.fullmatch(r"\d+", token):
        return re.compile(r"(?<!\d)" + re.escape(token) + r"(?!\d)")
    # an address as a whole token: 127.0.1.1 is not 127.0.1.12 (nor 127.0.1.1.5)
    return re.compile(r"(?<![\d.])" + re.escape(token) + r"(?!\.?\d)")


patterns = {t: token_pattern(t) for r in rows for t in r["tokens"]}


def others_named(text, row):
    """Manifest identifiers and addresses of devices other than `row` found in `text`."""
    out = []
    for r in rows:
        if r is row:
            continue
        for t in r["tokens"]:
            if t != PLATFORM_ADDRESS and t not in row["tokens"] and patterns[t].search(text):
                out.append(f"{t} ({r['fault']} device {r['address']})")
    return out


# --------------------------------------------------------------------------------------------
# 1. --imei of each fault device, and of a few healthy ones: exactly its checks, nobody else.
healthy_tcp = [r for r in rows if r["fault"] == "healthy" and r["transport"] == "tcp"]
healthy_udp = [r for r in rows if r["fault"] == "healthy" and r["transport"] == "udp"]
picked = [r for r in rows if r["fault"] != "healthy" and (r["imei"] != "-" or r["fault"] == "wrong_protocol")]
picked += [healthy_tcp[0], healthy_tcp[len(healthy_tcp) // 2], healthy_tcp[-1], healthy_udp[0]]
for r in picked:
    key = r["imei"] if r["imei"] != "-" else r["registered_as"]
    what = f"--imei {key} ({r['fault']}, {r['address']})"
    status, findings, verdict, raw = records(["doctor", CAP, "--imei", key, "--format", "ndjson"])
    want_status = 1 if r["fail"] else 0
    if status != want_status:
        bad(f"{what}: exit status", want_status, status)
    got_fail = checks_with(findings, "fail", r["name"])
    got_warn = checks_with(findings, "warn", r["name"])
    if got_fail != r["fail"]:
        bad(f"{what}: failing checks", sorted(r["fail"]), sorted(got_fail))
    if got_warn != r["warn"]:
        bad(f"{what}: warning checks", sorted(r["warn"]), sorted(got_warn))
    devices = {f["device"] for f in findings if f["device"] is not None}
    if devices != {r["name"]}:
        bad(f"{what}: the devices the findings are about", [r["name"]], sorted(devices))
    if verdict.get("devices") != 1 or verdict.get("missing") != []:
        bad(f"{what}: one device diagnosed, none missing", "devices 1, missing []",
            f"devices {verdict.get('devices')}, missing {short(verdict.get('missing'))}")
    if r["fail"] and not verdict.get("failed"):
        bad(f"{what}: verdict failed", True, verdict.get("failed"))
    # RST told from FIN and from an idle timeout, and who sent it
    ended = {"server_closes": ("session.server_close", "FIN", "platform"),
             "server_resets": ("session.server_close", "RST", "platform"),
             "idle_timeout": ("session.ended", "FIN", "platform"),
             "device_resets": ("session.ended", "RST", "device")}.get(r["fault"])
    if ended:
        ev = next((f["evidence"] for f in findings if f["check"] == ended[0] and f["status"] in ("fail", "warn")), {})
        if ev.get("how") != ended[1] or not str(ev.get("by", "")).startswith(ended[2] + " "):
            bad(f"{what}: {ended[0]} says how and by whom", f"how {ended[1]}, by {ended[2]} ...",
                f"how {ev.get('how')}, by {ev.get('by')}")
        if r["fault"] == "idle_timeout" and "quiet_for" not in ev:
            bad(f"{what}: the idle timeout says how long the device was quiet", "evidence quiet_for", short(ev))
    leaked = others_named(raw, r)
    if leaked:
        bad(f"{what} --format ndjson names only this device", "no other device of the manifest", leaked)
    status, out, err = text_report(["doctor", CAP, "--imei", key])
    if status != want_status:
        bad(f"{what} (text): exit status", want_status, status)
    leaked = others_named(out, r)
    if leaked:
        bad(f"{what} (text) names only this device", "no other device of the manifest", leaked)
    if r["name"] not in out:
        bad(f"{what} (text) names the device", r["name"], short(out))

# --------------------------------------------------------------------------------------------
# 2. All devices, NDJSON: every device of the manifest under its name, with exactly its checks;
# those without an identifier (refused, silent) under their address.
status, every, all_verdict, _ = records(["doctor", CAP, "--format", "ndjson"])
if status != 1:
    bad("doctor platform.pcap --format ndjson: exit status", 1, status)
names_seen = {f["device"] for f in every if f["device"] is not None}
allowed = set(by_name) | ({second_id} if second_id else set())
if names_seen - allowed:
    bad("every device diagnosed is a device of the manifest (or the second id of several_ids)",
        "no other names", sorted(names_seen - allowed))
if set(by_name) - names_seen:
    bad("every device of the manifest is diagnosed", "all 200 names", f"missing {sorted(set(by_name) - names_seen)}")
for r in rows:
    if r["imei"] == "-" and r["fault"] != "wrong_protocol":
        if r["fault"] not in ("connection_refused", "silent_connection"):
            bad("only refused and silent devices lack an identifier", "connection_refused, silent_connection", r["fault"])
    got_fail = checks_with(every, "fail", r["name"])
    got_warn = checks_with(every, "warn", r["name"])
    if got_fail != r["fail"] or got_warn != r["warn"]:
        bad(f"all devices, device {r['name']} ({r['fault']}): failing / warning checks",
            f"{sorted(r['fail'])} / {sorted(r['warn'])}", f"{sorted(got_fail)} / {sorted(got_warn)}")
if all_verdict.get("devices") != all_verdict.get("devices_seen"):
    bad("without --imei every device seen is diagnosed", all_verdict.get("devices_seen"), all_verdict.get("devices"))
want_fail_devices = sum(1 for r in rows if r["fail"])
if all_verdict.get("fail") != want_fail_devices:
    bad("verdict: devices that fail", want_fail_devices, all_verdict.get("fail"))

# --------------------------------------------------------------------------------------------
# 3. The default text report: a screen, a row per check, next steps by fix.
status, summary, err = text_report(["doctor", CAP])
lines = summary.splitlines()
if status != 1:
    bad("doctor platform.pcap (text): exit status", 1, status)
if len(lines) > 60:
    bad("the default report fits a screen", "at most 60 lines", f"{len(lines)} lines")
if not any(l.startswith("Verdict: ") for l in lines):
    bad("the default report has a Verdict line", "a line starting 'Verdict: '", short(summary))
row_re = re.compile(r"^\s+([a-z]+\.[a-z_]+)\s+(\d+)\s+(\d+)\s+(\d+)\s*(.*)$")
table = {}
for l in lines:
    m = row_re.match(l)
    if m:
        table[m.group(1)] = (int(m.group(2)), int(m.group(3)), int(m.group(4)), m.group(5))
next_steps = []
if "Next steps, by fix:" in lines:
    for l in lines[lines.index("Next steps, by fix:") + 1:]:
        if not l.strip():
            break
        next_steps.append(l)
else:
    bad("the default report has next steps", "a 'Next steps, by fix:' section", short(summary))
expect_fail, expect_warn = {}, {}
for r in rows:
    for c in r["fail"]:
        expect_fail.setdefault(c, []).append(r)
    for c in r["warn"]:
        expect_warn.setdefault(c, []).append(r)
for c in sorted(set(expect_fail) | set(expect_warn)):
    if c not in table:
        bad(f"summary row for {c}", "a row with pass/warn/fail counts", "none")
        continue
    passed, warned, failed, named = table[c]
    nf, nw = len(expect_fail.get(c, [])), len(expect_warn.get(c, []))
    if failed != nf:
        bad(f"summary row {c}: fail count", nf, failed)
    # the second identifier of several_ids is a device of its own and may warn too
    extra = 1 if c == "identity.imei" and second_id else 0
    if not nw <= warned <= nw + extra:
        bad(f"summary row {c}: warn count", f"{nw}" + (f" to {nw + extra}" if extra else ""), warned)
    problem = expect_fail.get(c, []) + expect_warn.get(c, [])
    if len(problem) <= 3:
        for r in problem:
            if not patterns[r["name"]].search(named):
                bad(f"summary row {c} names {r['name']} ({r['fault']})", r["name"], named)
local = [r for r in rows if "content.time_future" in r["fail"]]
phrase = f"{len(local)} devices report local time (UTC+08:00)"
if len(local) != 13:
    bad("the manifest's devices in local time", "12 local_time + 1 late_local_time_udp = 13", len(local))
if not any(l.strip().startswith(phrase) and l.rstrip().endswith("vt106 craft timezone +0") for l in next_steps):
    bad("a next step for the devices in local time", f"'{phrase}: vt106 craft timezone +0'", next_steps)
group_re = re.compile(r"^\s+(\d+) devices ")
grouped = sum(int(group_re.match(l).group(1)) for l in next_steps if group_re.match(l))
# when the next steps are capped, the rest are counted: "4 more fixes for 9 devices"
grouped += sum(int(m.group(1)) for l in next_steps for m in [re.search(r" more for (\d+) devices?\b", l)] if m)
# a failing device is named, or one of "N devices ..." next steps counts it
unnamed = [r for r in rows if r["fail"] and not patterns[r["name"]].search(summary)]
if len(unnamed) > grouped:
    bad("the summary names or groups every failing device",
        f"{len(unnamed)} unnamed devices counted in 'N devices' next steps", f"{grouped} counted there")

# --------------------------------------------------------------------------------------------
# 5. --imei values that are not in the input: the devices they most likely are.
def luhn(first14):
    s = 0
    for i, ch in enumerate(first14):
        d = int(ch)
        if i % 2:
            d *= 2
            d -= 9 if d > 9 else 0
        s += d
    return str((10 - s % 10) % 10)


ids = [r["imei"] for r in rows if r["imei"] != "-"] + [r["registered_as"] for r in rows if r["fault"] == "wrong_protocol"]


def closeness(wanted, other):
    """Rough rank of how close `other` is to `wanted` (lower = closer), None if unrelated."""
    if len(wanted) != len(other):
        return None
    diff = [i for i in range(len(wanted)) if wanted[i] != other[i]]
    if len(diff) == 1:
        return 1
    if len(diff) == 2 and diff[1] == diff[0] + 1 and wanted[diff[0]] == other[diff[1]] and wanted[diff[1]] == other[diff[0]]:
        return 1
    return None


def unique_near(wanted, target):
    return all(i == target or closeness(wanted, i) is None for i in ids)


def missing_run(wanted_list, label):
    args = ["doctor", CAP]
    for w in wanted_list:
        args += ["--imei", w]
    status, findings, verdict, raw = records(args + ["--format", "ndjson"])
    text_report(args)
    if status != 1:
        bad(f"{label}: exit status", 1, status)
    return findings, verdict


H = healthy_tcp[0]["imei"]
# (a) two adjacent, different digits swapped (not the check digit)
swapped = None
for i in range(8, 13):
    if H[i] != H[i + 1]:
        cand = H[:i] + H[i + 1] + H[i] + H[i + 2:]
        if unique_near(cand, H):
            swapped = cand
            break
# (b) one middle digit changed, (c) only the check digit changed
one_off = next(c for c in (H[:10] + str((int(H[10]) + k) % 10) + H[11:] for k in range(1, 10)) if unique_near(c, H))
check_off = H[:14] + str((int(H[14]) + 1) % 10)
cases = [("transposed", swapped), ("one_digit", one_off), ("check_digit", check_off)]
for why, wanted in cases:
    if wanted is None:
        bad(f"a {why} variant of {H}", "one", "none found")
        continue
    label = f"--imei {wanted} ({why} of {H})"
    findings, verdict = missing_run([wanted], label)
    missing = verdict.get("missing") or []
    cands = missing[0].get("candidates", []) if missing else []
    first = cands[0] if cands else {}
    if len(missing) != 1 or missing[0].get("imei") != wanted:
        bad(f"{label}: missing", f"[{{imei: {wanted}}}]", short(missing))
    elif first.get("device") != H or first.get("why") != why:
        bad(f"{label}: the best candidate", f"{H} ({why})", short(cands))
    if not str(verdict.get("verdict", "")).startswith(f"{wanted} is not in the input"):
        bad(f"{label}: the verdict starts with it", f"'{wanted} is not in the input...'", verdict.get("verdict"))
    imei_fail = [f for f in findings if f["check"] == "identity.imei" and f["status"] == "fail" and f["device"] == wanted]
    if len(imei_fail) != 1:
        bad(f"{label}: an identity.imei finding that fails for it", 1, len(imei_fail))
    if verdict.get("devices") != 0:
        bad(f"{label}: no device diagnosed", 0, verdict.get("devices"))
    want_cd = "fails" if luhn(wanted[:14]) != wanted[14] else "valid"
    if missing and missing[0].get("check_digit") != want_cd:
        bad(f"{label}: check_digit", want_cd, missing[0].get("check_digit"))
    if why == "check_digit" and missing and missing[0].get("check_digit") != "fails":
        bad(f"{label}: check_digit", "fails", missing[0].get("check_digit"))

# (d) the short id's full IMEI
short_row = next(r for r in rows if r["fault"] == "short_id")
label = f"--imei {short_row['registered_as']} (the full IMEI of short id {short_row['imei']})"
findings, verdict = missing_run([short_row["registered_as"]], label)
cands = (verdict.get("missing") or [{}])[0].get("candidates", [])
if not cands or cands[0].get("device") != short_row["imei"] or cands[0].get("why") != "shorter_id":
    bad(f"{label}: the best candidate", f"{short_row['imei']} (shorter_id)", short(cands))

# (e) the GT06 device's IMEI: that device, diagnosed, named as GT06
gt = next(r for r in rows if r["fault"] == "wrong_protocol")
label = f"--imei {gt['registered_as']} (the GT06 device)"
status, findings, verdict, raw = records(["doctor", CAP, "--imei", gt["registered_as"], "--format", "ndjson"])
text_report(["doctor", CAP, "--imei", gt["registered_as"]])
if status != 1:
    bad(f"{label}: exit status", 1, status)
if verdict.get("missing") != [] or verdict.get("devices") != 1:
    bad(f"{label}: diagnosed, not missing", "devices 1, missing []", f"devices {verdict.get('devices')}, missing {short(verdict.get('missing'))}")
pd = [f for f in findings if f["check"] == "protocol.detected"]
if not pd or pd[0]["status"] != "fail" or "gt06" not in json.dumps(pd[0]).lower():
    bad(f"{label}: protocol.detected fails naming gt06", "status fail, gt06 in it", short(pd))
if "gt06" not in str(verdict.get("verdict", "")).lower():
    bad(f"{label}: the verdict names the protocol it speaks", "GT06 in the verdict", verdict.get("verdict"))

# (f) an unrelated valid IMEI
unrelated = "490154203237518"
label = f"--imei {unrelated} (unrelated)"
findings, verdict = missing_run([unrelated], label)
missing = verdict.get("missing") or []
if len(missing) != 1 or missing[0].get("candidates") != [] or missing[0].get("check_digit") != "valid":
    bad(f"{label}: missing without candidates", f"[{{imei: {unrelated}, check_digit: valid, candidates: []}}]", short(missing))

# (g) one present, one missing
label = f"--imei {H} --imei {one_off}"
args = ["doctor", CAP, "--imei", H, "--imei", one_off]
status, findings, verdict, raw = records(args + ["--format", "ndjson"])
if status != 1:
    bad(f"{label}: exit status", 1, status)
if verdict.get("devices") != 1 or [m.get("imei") for m in verdict.get("missing") or []] != [one_off]:
    bad(f"{label}: both reported", f"devices 1 ({H}), missing [{one_off}]",
        f"devices {verdict.get('devices')}, missing {short(verdict.get('missing'))}")
if {f["device"] for f in findings if f["device"] is not None} != {H, one_off}:
    bad(f"{label}: findings about both", sorted({H, one_off}), sorted({f["device"] for f in findings if f["device"]}))
status, out, err = text_report(args)
if H not in out or f"{one_off} is not in the input" not in out:
    bad(f"{label} (text): both reported", f"{H} and '{one_off} is not in the input'", short(out))

# --------------------------------------------------------------------------------------------
# 6. Usage errors.
for args in (["--imei", "hello"], ["--imei", "12"], ["--imei", "8676-4804"], ["--format", "xml"],
             ["--json", "--format", "json"]):
    status, out, err = run(["doctor", CAP] + args)
    if status != 2:
        bad(f"doctor platform.pcap {' '.join(args)}: a usage error", "exit 2", f"exit {status}, stderr {short(err)}")
    if out:
        bad(f"doctor platform.pcap {' '.join(args)}: nothing on stdout", "", short(out))

# --------------------------------------------------------------------------------------------
# 7. --format json is one document; --json is --format ndjson.
status, out, err = run(["doctor", CAP, "--format", "json"])
try:
    doc = json.loads(out)
except json.JSONDecodeError as e:
    bad("--format json parses as one JSON document", "one document", f"{e}: {short(out)}")
    doc = {}
if not isinstance(doc.get("findings"), list) or "verdict" not in doc:
    bad("--format json: findings and verdict", "a findings list and a verdict", short(list(doc)))
else:
    as_json = sorted((f["check"], f["status"], f["device"] or "") for f in doc["findings"])
    as_nd = sorted((f["check"], f["status"], f["device"] or "") for f in every)
    if as_json != as_nd:
        bad("--format json holds the findings of --format ndjson", f"{len(as_nd)} findings", f"{len(as_json)}, differing")
    if doc.get("verdict") != all_verdict.get("verdict") or doc.get("devices_seen") != all_verdict.get("devices_seen"):
        bad("--format json: the verdict of --format ndjson", all_verdict.get("verdict"), doc.get("verdict"))
if status != 1:
    bad("--format json: exit status", 1, status)
for extra in ([], ["--imei", H], ["--imei", one_off]):
    s1, a, _ = run(["doctor", CAP, "--json"] + extra)
    s2, b, _ = run(["doctor", CAP, "--format", "ndjson"] + extra)
    if a != b or s1 != s2:
        bad(f"--json {' '.join(extra)} is --format ndjson", f"the same output (exit {s2})", f"exit {s1}, outputs differ")

# --------------------------------------------------------------------------------------------
# 8. Several inputs are one story.
status, both, both_verdict, _ = records(["doctor", HEALTHY, CAP, "--format", "ndjson"])
text_report(["doctor", HEALTHY, CAP])
want_seen = all_verdict.get("devices_seen", 0) + (0 if HEALTHY_IMEI in allowed else 1)
if both_verdict.get("devices_seen") != want_seen:
    bad("healthy.pcap + platform.pcap: devices_seen", want_seen, both_verdict.get("devices_seen"))
status, findings, verdict, raw = records(["doctor", HEALTHY, CAP, "--imei", HEALTHY_IMEI, "--format", "ndjson"])
status_t, out, _ = text_report(["doctor", HEALTHY, CAP, "--imei", HEALTHY_IMEI])
if status != 0 or verdict.get("devices") != 1 or verdict.get("missing") != [] or \
        {f["device"] for f in findings if f["device"]} != {HEALTHY_IMEI}:
    bad(f"healthy.pcap + platform.pcap --imei {HEALTHY_IMEI}: that device, passing",
        "exit 0, devices 1, missing []", f"exit {status}, devices {verdict.get('devices')}, missing {verdict.get('missing')}")
if status_t != 0 or HEALTHY_IMEI not in out:
    bad(f"healthy.pcap + platform.pcap --imei {HEALTHY_IMEI} (text)", "exit 0, naming it", f"exit {status_t}: {short(out)}")


def flows_by_device(findings):
    out = {}
    for f in findings:
        if f["flow"] is not None:
            # the connection of several_ids carries both its identifiers: one device's flow
            device = several["name"] if several and f["device"] == second_id else f["device"]
            out.setdefault(f["flow"], set()).add(device)
    return out


combined = flows_by_device(both)
shared = {fl: d for fl, d in combined.items() if len(d) > 1}
if shared:
    bad("healthy.pcap + platform.pcap: each flow id belongs to one device", "unique flow ids", short(shared))
# the same findings of the platform's devices carry its flow ids shifted by healthy.pcap's flows
alone = {(f["device"], f["check"]): f["flow"] for f in every if f["flow"] is not None}
shifts = {f["flow"] - alone[(f["device"], f["check"])] for f in both
          if f["flow"] is not None and (f["device"], f["check"]) in alone}
if len(shifts) != 1 or min(shifts, default=0) < 1:
    bad("healthy.pcap + platform.pcap: platform flows numbered after healthy.pcap's", "one shift of at least 1",
        sorted(shifts))
# two inputs with failures of their own: the flow ids of one never reappear in the other
status, two, _, _ = records(["doctor", "captures/doctor/server-closes.pcap", CAP, "--format", "ndjson"])
text_report(["doctor", "captures/doctor/server-closes.pcap", CAP])
two_flows = flows_by_device(two)
if {fl: d for fl, d in two_flows.items() if len(d) > 1}:
    bad("server-closes.pcap + platform.pcap: each flow id belongs to one device", "unique flow ids",
        short({fl: d for fl, d in two_flows.items() if len(d) > 1}))
sc = [f for f in two if f["check"] == "session.server_close" and f["status"] == "fail"]
if len({f["flow"] for f in sc}) != len(sc) or len(sc) != 3:
    bad("server-closes.pcap + platform.pcap: session.server_close fails on 3 devices with distinct flows",
        "3 findings, 3 flows", short([(f["device"], f["flow"]) for f in sc]))

# --------------------------------------------------------------------------------------------
# Plurals: "1 device", "2 devices", "3 fixes" in every report.
nouns = r"(?:devices|connections|connection attempts|fixes|positions|messages|frames|bytes|alarms|datagrams|problems|gaps|characters|inputs)"
wrong_plural = re.compile(r"(?<![\w.:])1 " + nouns + r"\b"
                          r"|(?<![\w.:])(?:[02-9]|\d\d+) (?:device|connection|fix|position|message|frame|byte|alarm|datagram)\b"
                          r"(?! (?:attempts?|of|in|to|is|was|has|id)\b)"
                          r"|\b(?:fixs|addresss|statuss)\b")
plural_bad = {}
for what, out in texts + outputs:
    for m in wrong_plural.finditer(out):
        plural_bad.setdefault(m.group(0), what)
if plural_bad:
    bad("plurals are right in every report", "'1 device', '2 devices', '3 fixes' ...",
        "; ".join(f"'{k}' in vt106 {v}" for k, v in sorted(plural_bad.items())))

# --------------------------------------------------------------------------------------------
# 4. Every suggested command exists and runs as printed.
command_re = re.compile(r"(?:^\s*|:\s+)(vt106 \S.*?)\s*$")
for what, out in texts:
    for l in out.splitlines():
        m = command_re.search(l)
        if m:
            commands.setdefault(m.group(1), "text of vt106 " + what)
if len(commands) < 8:
    bad("the reports suggest commands", "at least 8 distinct", f"{len(commands)}: {sorted(commands)}")
placeholder = re.compile(r"set-clock|IP:PORT|\bAPN\b|\bFILE\b|<[A-Za-z_ ]+>")
for cmd, where in sorted(commands.items()):
    if placeholder.search(cmd):
        bad(f"suggested command has no placeholder ({where})", "a command that runs as printed", cmd)
    try:
        words_ = shlex.split(cmd)
    except ValueError as e:
        bad(f"suggested command is shell words ({where})", cmd, str(e))
        continue
    line = shlex.quote(BIN) + cmd[len("vt106"):]
    try:
        p = subprocess.run(["bash", "-c", line], capture_output=True, text=True, timeout=30, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        bad(f"suggested command runs ({where})", cmd, "timed out after 30 s")
        continue
    err = p.stderr.lower()
    if p.returncode not in (0, 1) or "not found" in err or "usage" in err or "--help" in err or \
            "not expected" in err or "is required" in err:
        bad(f"suggested command runs ({where})", f"{cmd}: exit 0 or 1, no usage error",
            f"exit {p.returncode}, stderr {short(p.stderr)}")

if failures:
    print(f"doctor_platform: {len(failures)} check(s) failed")
    sys.exit(1)
print(f"doctor_platform: {len(picked)} devices by --imei, 200 in the summary, {len(commands)} suggested commands run")
PY
