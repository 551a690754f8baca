#!/usr/bin/env python3
"""Loads a `vt106 report` page in headless Chromium and checks it as a reader would see it.

usage: report_browser.py REPORT.html [--data DATA.json [--template PAGE.html]]
                         [--expect-devices N] [--open DEVICE_ID]... [--screenshot PNG] [--pdf PDF]

With --data, REPORT.html is first written from the page template (lib/vt106/report/page.html)
with DATA.json put in place of its placeholder, every '<' written as \\u003c, as vt106 report
does. Chromium (Debian: chromium, python3-websocket) is driven through the DevTools protocol:
the page is opened from file://, and any network request it makes, any console error or
warning, any uncaught exception and any error in the browser's log (a blocked request shows
there) fails the run. Then, in the page: the device list has one entry per device, the first
device is open at the start, opening a device (a click on its entry) draws its timeline items,
its track points (or says it has no position fixes) and its findings, failing first, each
finding with a time links to an item on the timeline that exists and that the link highlights,
text from the data is shown as text, the filter box narrows the list, and #device=ID opens a
device. --screenshot saves a PNG at 1280x900, --pdf prints the page on A4. A JSON summary goes
to standard output; on any failure the exit status is 1 and each failure is named on stderr.
"""
import argparse
import base64
import json
import os
import pathlib
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

try:
    import websocket  # python3-websocket
except ImportError:
    sys.path.append("/usr/lib/python3/dist-packages")  # Debian's package, from another Python 3
    try:
        import websocket
    except ImportError:
        sys.exit("report_browser.py: needs python3-websocket (apt-get install python3-websocket)")

REPO = pathlib.Path(__file__).resolve().parents[2]
TEMPLATE = REPO / "lib" / "vt106" / "report" / "page.html"
MARKER = "/*VT106_DATA*/"
WAIT = 30.0  # seconds, for every wait
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--remote-debugging-port=0"]


class Failure(Exception):
    pass


def wrap(template, data):
    """The page with the data put in, the way vt106 report does it."""
    at = template.find(MARKER)
    if at < 0 or template.find(MARKER, at + 1) >= 0:
        raise Failure("the template must hold the placeholder %s exactly once" % MARKER)
    return template[:at] + data.replace("<", "\\u003c") + template[at + len(MARKER):]


class Browser:
    """Chromium with a fresh profile, and one DevTools websocket to it."""

    def __init__(self, binary):
        self.profile = tempfile.mkdtemp(prefix="vt106-report-browser-")
        self.log = open(os.path.join(self.profile, "chromium.log"), "wb")
        self.proc = subprocess.Popen([binary] + CHROMIUM_FLAGS + ["--user-data-dir=" + self.profile, "about:blank"],
                                     stdin=subprocess.DEVNULL, stdout=self.log, stderr=self.log, start_new_session=True)
        self.ws = None
        self.next_id = 0
        self.events = []
        port_file = os.path.join(self.profile, "DevToolsActivePort")
        end = time.monotonic() + WAIT
        lines = []
        while time.monotonic() < end:
            if self.proc.poll() is not None:
                raise Failure("chromium exited with status %s before it listened (log: %s)" % (self.proc.returncode, self.tail()))
            try:
                with open(port_file) as f:
                    lines = f.read().split("\n")
            except FileNotFoundError:
                pass
            if len(lines) >= 2 and lines[0].strip() and lines[1].strip():
                break
            time.sleep(0.05)
        else:
            raise Failure("chromium wrote no DevToolsActivePort within %d s" % WAIT)
        url = "ws://127.0.0.1:%s%s" % (lines[0].strip(), lines[1].strip())
        self.ws = websocket.create_connection(url, timeout=WAIT, suppress_origin=True)

    def tail(self):
        try:
            with open(os.path.join(self.profile, "chromium.log"), "rb") as f:
                return f.read()[-400:].decode("utf-8", "replace").strip()
        except OSError:
            return ""

    def receive(self, end):
        left = end - time.monotonic()
        if left <= 0:
            raise Failure("no answer from chromium within %d s" % WAIT)
        self.ws.settimeout(left)
        try:
            message = json.loads(self.ws.recv())
        except websocket.WebSocketTimeoutException:
            raise Failure("no answer from chromium within %d s" % WAIT)
        if "method" in message:
            self.events.append(message)
        return message

    def send(self, method, params=None, session=None, timeout=WAIT):
        self.next_id += 1
        ask = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            ask["sessionId"] = session
        self.ws.send(json.dumps(ask))
        end = time.monotonic() + timeout
        while True:
            message = self.receive(end)
            if message.get("id") == ask["id"]:
                if "error" in message:
                    raise Failure("%s: %s" % (method, message["error"].get("message", message["error"])))
                return message.get("result", {})

    def wait_for(self, method, since, session=None, timeout=WAIT):
        end = time.monotonic() + timeout
        seen = since
        while True:
            for i in range(seen, len(self.events)):
                e = self.events[i]
                if e.get("method") == method and (session is None or e.get("sessionId") == session):
                    return e
            seen = len(self.events)
            self.receive(end)

    def close(self):
        try:
            if self.ws:
                self.ws.close()
        except Exception:
            pass
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                pass
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)  # the renderers and helpers chromium started
        except (ProcessLookupError, PermissionError):
            pass
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            pass
        self.log.close()
        shutil.rmtree(self.profile, ignore_errors=True)


# ---- what is asked of the page -----------------------------------------------------------------
STATE_JS = r"""(() => {
  const holder = document.querySelectorAll('script#vt106-data');
  let data = null;
  try { data = JSON.parse(holder[0].textContent); } catch (e) { /* reported below */ }
  const entries = Array.from(document.querySelectorAll('[data-device]'));
  const open = document.querySelector('[data-open-device]');
  const devs = data && Array.isArray(data.devices) ? data.devices : [];
  const pick = (f) => { const d = devs.find(f); return d ? String(d.id) : null; };
  return {
    data_ok: !!data, data_scripts: holder.length,
    data_devices: devs.length, ids: devs.length <= 50 ? devs.map((d) => String(d.id)) : null,
    first_id: pick(() => true), last_id: devs.length ? String(devs[devs.length - 1].id) : null,
    no_track_id: pick((d) => !(d.track || []).length), aggregated_id: pick((d) => d.aggregated),
    most_fixes_id: devs.length ? String(devs.reduce((a, b) => ((b.track || []).length > (a.track || []).length ? b : a)).id) : null,
    entries: entries.length,
    entries_with_button: entries.filter((e) => e.matches('button') || e.querySelector('button')).length,
    open: open ? open.getAttribute('data-open-device') : null,
    csp: (document.querySelector('meta[http-equiv="Content-Security-Policy"]') || {}).content || null,
    search_box: document.querySelectorAll('input[type=search]').length,
    landmarks: ['header', 'nav', 'main'].filter((t) => document.querySelector(t)).length,
    header_text: (document.querySelector('header') || {}).textContent || '',
    foreign: document.querySelectorAll('img, iframe, object, embed, link[rel=stylesheet], script[src]').length,
    timing: window.vt106Timing || null,
    dom_nodes: document.getElementsByTagName('*').length,
  };
})()"""

DEVICE_JS = r"""((id, follow = true) => {
  const entry = Array.from(document.querySelectorAll('[data-device]')).find((e) => e.getAttribute('data-device') === id);
  if (!entry) return { error: 'no list entry [data-device] for ' + id };
  const t0 = performance.now();
  (entry.matches('button, a') ? entry : entry.querySelector('button, a') || entry).click();
  const click_ms = Math.round((performance.now() - t0) * 10) / 10;
  const data = JSON.parse(document.getElementById('vt106-data').textContent);
  const d = data.devices.find((x) => String(x.id) === id) || {};
  const main = document.querySelector('main') || document.body;
  const open = document.querySelector('[data-open-device]');
  const items = Array.from(main.querySelectorAll('[data-timeline-item]'));
  const findings = Array.from(main.querySelectorAll('[data-finding]'));
  const links = findings.map((f) => { const a = f.querySelector('a[href^="#t-"]'); return a ? a.getAttribute('href').slice(1) : null; });
  const rank = { fail: 0, warn: 1, pass: 2, 'n/a': 3 };
  const statuses = findings.map((f) => f.getAttribute('data-status'));
  const text = main.textContent;
  const texts = [];
  for (const e of (d.errors || []).slice(0, 20)) if (e && e.message) texts.push(String(e.message));
  for (const f of (d.findings || [])) if (f && f.summary) texts.push(String(f.summary));
  for (const f of (d.findings || [])) if (f && f.command) texts.push(String(f.command));
  const svgs = Array.from(main.querySelectorAll('svg')).filter((s) => s.getAttribute('aria-hidden') !== 'true');
  let highlighted = null;
  const first = main.querySelector('[data-finding] a[href^="#t-"]');
  if (first && follow) {
    first.click();
    const target = document.getElementById(first.getAttribute('href').slice(1));
    highlighted = !!target && (target.classList.contains('hl') || target.classList.contains('highlight'));
  }
  const has = (k) => Array.isArray(d[k]) && d[k].length > 0;
  return {
    id, click_ms, open: open ? open.getAttribute('data-open-device') : null,
    timeline_items: items.length,
    timeline_ids_bad: items.filter((e) => !/^t-\d+(-\d+)?$/.test(e.id)).length,
    timeline_ids_unique: new Set(items.map((e) => e.id)).size === items.length,
    expect_timeline: has('events') || has('connections') || has('commands') || has('errors') || has('silences') || has('per_minute'),
    track_points: main.querySelectorAll('[data-track-point]').length,
    expect_fixes: (d.track || []).length,
    says_no_fixes: /no position fixes/i.test(text),
    findings: findings.length, expect_findings: (d.findings || []).filter((f) => f && typeof f === 'object').length,
    findings_with_time: (d.findings || []).filter((f) => f && f.t).length,
    links: links.filter(Boolean).length,
    links_missing: links.filter((l) => l && !document.getElementById(l)),
    findings_ordered: statuses.every((s, i) => i === 0 || (rank[statuses[i - 1]] ?? 4) <= (rank[s] ?? 4)),
    command_blocks: main.querySelectorAll('[data-finding] code').length,
    highlighted,
    texts_missing: texts.filter((t) => text.indexOf(t) < 0).slice(0, 3),
    svgs: svgs.length,
    svgs_unlabelled: svgs.filter((s) => s.getAttribute('role') !== 'img' || !(s.getAttribute('aria-label') || s.querySelector(':scope > title'))).length,
    th_without_scope: main.querySelectorAll('th:not([scope])').length,
    foreign: document.querySelectorAll('img, iframe, object, embed, script[src]').length,
    device_ms: window.vt106Timing ? window.vt106Timing.device_ms : null,
  };
})"""

FILTER_JS = r"""((q) => {
  const box = document.querySelector('input[type=search]');
  if (!box) return { error: 'no input[type=search]' };
  const t0 = performance.now();
  box.value = q;
  box.dispatchEvent(new Event('input', { bubbles: true }));
  const ms = Math.round((performance.now() - t0) * 10) / 10;
  const entries = Array.from(document.querySelectorAll('[data-device]'));
  const visible = entries.filter((e) => !e.hidden && !e.closest('[hidden]') && e.getClientRects().length > 0);
  return { q, ms, visible: visible.length, ids: visible.slice(0, 5).map((e) => e.getAttribute('data-device')) };
})"""

HASH_JS = r"""((id) => new Promise((done) => {
  location.hash = '#device=' + encodeURIComponent(id);
  setTimeout(() => { const o = document.querySelector('[data-open-device]'); done(o ? o.getAttribute('data-open-device') : null); }, 150);
}))"""


def png_size(blob):
    if blob[:8] != b"\x89PNG\r\n\x1a\n":
        return None
    return int.from_bytes(blob[16:20], "big"), int.from_bytes(blob[20:24], "big")


def run(args, report, summary, failures):
    def check(ok, what):
        if not ok:
            failures.append(what)
        return ok

    file_url = report.resolve().as_uri()
    summary["page_bytes"] = report.stat().st_size
    browser = Browser(args.chromium)
    try:
        targets = browser.send("Target.getTargets")["targetInfos"]
        page = next((t for t in targets if t.get("type") == "page"), None)
        target_id = page["targetId"] if page else browser.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        sid = browser.send("Target.attachToTarget", {"targetId": target_id, "flatten": True})["sessionId"]
        for domain in ("Page", "Runtime", "Log", "Network"):
            browser.send(domain + ".enable", session=sid)
        browser.send("Emulation.setDeviceMetricsOverride", {"width": 1280, "height": 900, "deviceScaleFactor": 1, "mobile": False}, sid)

        def evaluate(expression, await_promise=False):
            result = browser.send("Runtime.evaluate", {"expression": expression, "returnByValue": True,
                                                       "awaitPromise": await_promise, "timeout": WAIT * 1000}, sid)
            if "exceptionDetails" in result:
                details = result["exceptionDetails"]
                raise Failure("a check threw in the page: %s" % (details.get("exception", {}).get("description") or details.get("text")))
            return result.get("result", {}).get("value")

        since = len(browser.events)
        started = time.monotonic()
        nav = browser.send("Page.navigate", {"url": file_url}, sid)
        if nav.get("errorText"):
            raise Failure("could not open %s: %s" % (file_url, nav["errorText"]))
        browser.wait_for("Page.loadEventFired", since, sid)
        summary["load_ms"] = round((time.monotonic() - started) * 1000, 1)

        state = evaluate(STATE_JS)
        summary["page_timing"] = state.pop("timing")
        summary["dom_nodes"] = state["dom_nodes"]
        summary["devices_in_data"] = state["data_devices"]
        summary["list_entries"] = state["entries"]
        summary["open_at_start"] = state["open"]
        check(state["data_ok"], "the data in script#vt106-data is not JSON")
        check(state["data_scripts"] == 1, "expected one script#vt106-data, found %d" % state["data_scripts"])
        check(state["csp"] and "default-src 'none'" in state["csp"], "no Content-Security-Policy meta tag with default-src 'none'")
        check(state["landmarks"] == 3, "header, nav and main are not all there")
        check(state["search_box"] == 1, "expected one input[type=search], found %d" % state["search_box"])
        check(state["foreign"] == 0, "the page holds %d img/iframe/object/embed/external elements" % state["foreign"])
        check(state["entries"] == state["data_devices"], "the list has %d [data-device] entries for %d devices in the data" % (state["entries"], state["data_devices"]))
        if args.expect_devices is not None:
            check(state["entries"] == args.expect_devices, "expected %d devices in the list, found %d" % (args.expect_devices, state["entries"]))
        check(state["entries_with_button"] == state["entries"], "%d list entries are not buttons" % (state["entries"] - state["entries_with_button"]))
        if state["data_devices"]:
            check(state["open"] == state["first_id"], "the first device (%s) is not open at the start (open: %s)" % (state["first_id"], state["open"]))

        # devices to open: those asked for, else the first, one without a track, one aggregated, the one with most fixes, the last
        wanted = args.open or [state[k] for k in ("first_id", "no_track_id", "aggregated_id", "most_fixes_id", "last_id") if state[k]]
        seen = set()
        summary["opened"] = []
        for device in wanted:
            if device in seen:
                continue
            seen.add(device)
            r = evaluate("(%s)(%s)" % (DEVICE_JS, json.dumps(device)))
            summary["opened"].append(r)
            if r.get("error"):
                check(False, r["error"])
                continue
            name = "device %s: " % device
            check(r["open"] == device, name + "a click on its list entry did not open it (open: %s)" % r["open"])
            if r["expect_timeline"]:
                check(r["timeline_items"] > 0, name + "no [data-timeline-item] drawn")
            check(r["timeline_ids_bad"] == 0, name + "%d timeline items without an id t-<ms>[-<n>]" % r["timeline_ids_bad"])
            check(r["timeline_ids_unique"], name + "timeline item ids repeat")
            if r["expect_fixes"]:
                check(r["track_points"] > 0, name + "no [data-track-point] drawn for %d fixes" % r["expect_fixes"])
                check(r["track_points"] <= max(2000, 0) + 10, name + "%d track markers (more than ~2,000)" % r["track_points"])
            else:
                check(r["says_no_fixes"], name + "no fixes, but the page does not say 'no position fixes'")
            check(r["findings"] == r["expect_findings"], name + "%d [data-finding] for %d findings" % (r["findings"], r["expect_findings"]))
            check(r["findings_ordered"], name + "findings are not failing first")
            if r["timeline_items"]:
                check(r["links"] == r["findings_with_time"], name + "%d of %d findings with a time link to the timeline" % (r["links"], r["findings_with_time"]))
            check(not r["links_missing"], name + "finding links to missing elements: %s" % r["links_missing"][:3])
            if r["links"]:
                check(r["highlighted"], name + "following a finding's link does not highlight its timeline item")
            check(not r["texts_missing"], name + "text from the data not shown as text: %s" % r["texts_missing"])
            check(r["svgs_unlabelled"] == 0, name + "%d SVGs without role=img and a label" % r["svgs_unlabelled"])
            check(r["th_without_scope"] == 0, name + "%d table headers without scope" % r["th_without_scope"])
            check(r["foreign"] == 0, name + "img/iframe/object/embed elements appeared (data inserted as markup?)")

        # the filter box
        n = state["entries"]
        summary["filter"] = []
        if n:
            target = state["last_id"]
            r = evaluate("(%s)(%s)" % (FILTER_JS, json.dumps(target)))
            summary["filter"].append(r)
            if check(not r.get("error"), r.get("error", "")):
                check(r["visible"] >= 1 and target in r["ids"], "filtering by %s does not show its entry" % target)
                if n > 1:
                    check(r["visible"] < n, "filtering by %s does not narrow the list (%d of %d shown)" % (target, r["visible"], n))
                r = evaluate("(%s)(%s)" % (FILTER_JS, json.dumps("zz no such device zz")))
                summary["filter"].append(r)
                check(r["visible"] == 0, "filtering by nonsense leaves %d entries" % r["visible"])
                r = evaluate("(%s)(%s)" % (FILTER_JS, json.dumps("")))
                summary["filter"].append(r)
                check(r["visible"] == n, "an empty filter shows %d of %d entries" % (r["visible"], n))
        # #device=ID opens a device
        if n > 1:
            other = state["last_id"] if state["last_id"] != state["first_id"] else None
            if other:
                opened = evaluate("(%s)(%s)" % (HASH_JS, json.dumps(other)), await_promise=True)
                summary["hash_opens"] = opened == other
                check(opened == other, "#device=%s does not open that device (open: %s)" % (other, opened))
        # back to the first device at the top, for the pictures
        first = (args.open or [state["first_id"]])[0]
        if first:
            evaluate("(%s)(%s, false)" % (DEVICE_JS, json.dumps(first)))
        evaluate("window.scrollTo(0, 0); document.activeElement && document.activeElement.blur && document.activeElement.blur(); true")
        if args.screenshot:
            shot = base64.b64decode(browser.send("Page.captureScreenshot", {"format": "png"}, sid)["data"])
            pathlib.Path(args.screenshot).write_bytes(shot)
            size = png_size(shot)
            summary["screenshot"] = {"path": args.screenshot, "bytes": len(shot), "size": size}
            check(size == (1280, 900), "the screenshot is %s, not 1280x900" % (size,))
        if args.pdf:
            started = time.monotonic()
            pdf = base64.b64decode(browser.send("Page.printToPDF", {"paperWidth": 8.27, "paperHeight": 11.69, "printBackground": True}, sid,
                                                timeout=WAIT * 2)["data"])
            pathlib.Path(args.pdf).write_bytes(pdf)
            pages = len(re.findall(rb"/Type\s*/Page(?![s\w])", pdf))
            summary["pdf"] = {"path": args.pdf, "bytes": len(pdf), "pages": pages, "ms": round((time.monotonic() - started) * 1000, 1)}
            check(pdf[:5] == b"%PDF-" and len(pdf) > 1000, "the PDF is empty or not a PDF")
        evaluate("true")  # lets events still under way arrive
    finally:
        summary["events_seen"] = len(browser.events)
        collect(browser.events, file_url, summary)
        browser.close()
    for r in summary["network"]:
        failures.append("network request: %s" % r)
    for r in summary["console"]:
        failures.append("console %s" % r)
    for r in summary["exceptions"]:
        failures.append("exception: %s" % r)
    for r in summary["log_errors"]:
        failures.append("browser log error: %s" % r)


def collect(events, file_url, summary):
    """Network requests other than the page itself, console errors and warnings, exceptions, log errors."""
    page = file_url.split("#")[0]
    summary["network"], summary["console"], summary["exceptions"], summary["log_errors"] = [], [], [], []
    for e in events:
        method, p = e.get("method"), e.get("params", {})
        if method == "Network.requestWillBeSent":
            url = p.get("request", {}).get("url", "")
            if url.split("#")[0] != page and not url.startswith("data:"):
                summary["network"].append(url)
        elif method == "Runtime.consoleAPICalled" and p.get("type") in ("error", "warning", "assert"):
            words = " ".join(str(a.get("value", a.get("description", ""))) for a in p.get("args", []))
            summary["console"].append("%s: %s" % (p.get("type"), words))
        elif method == "Runtime.exceptionThrown":
            d = p.get("exceptionDetails", {})
            summary["exceptions"].append((d.get("exception", {}).get("description") or d.get("text", "")).split("\n")[0])
        elif method == "Log.entryAdded" and p.get("entry", {}).get("level") == "error":
            entry = p["entry"]
            summary["log_errors"].append("%s %s" % (entry.get("text", ""), entry.get("url", "")).strip())


def main():
    ap = argparse.ArgumentParser(description="Checks a vt106 report page in headless Chromium.")
    ap.add_argument("report", help="the report page (written first when --data is given)")
    ap.add_argument("--data", help="a report data file (JSON) to put into the page template")
    ap.add_argument("--template", default=str(TEMPLATE), help="the page template for --data (default: %(default)s)")
    ap.add_argument("--expect-devices", type=int, help="the number of devices the list must have")
    ap.add_argument("--open", action="append", metavar="DEVICE_ID", help="open this device (repeatable; default: a few chosen from the data)")
    ap.add_argument("--screenshot", metavar="PNG", help="save a 1280x900 screenshot")
    ap.add_argument("--pdf", metavar="PDF", help="print the page to PDF on A4")
    ap.add_argument("--chromium", default="/usr/bin/chromium", help="the browser (default: %(default)s)")
    args = ap.parse_args()
    report = pathlib.Path(args.report)
    summary = {"report": str(report)}
    failures = []
    try:
        if args.data:
            started = time.monotonic()
            page = wrap(pathlib.Path(args.template).read_text(encoding="utf-8"), pathlib.Path(args.data).read_text(encoding="utf-8"))
            report.write_text(page, encoding="utf-8")
            summary["wrap_ms"] = round((time.monotonic() - started) * 1000, 1)
        if not report.is_file():
            raise Failure("no such file: %s" % report)
        if not os.access(args.chromium, os.X_OK):
            raise Failure("no browser at %s (apt-get install chromium)" % args.chromium)
        run(args, report, summary, failures)
    except Failure as e:
        failures.append(str(e))
    except (OSError, websocket.WebSocketException) as e:
        failures.append("%s: %s" % (type(e).__name__, e))
    summary["failures"] = failures
    summary["ok"] = not failures
    print(json.dumps(summary, indent=1))
    if failures:
        for f in failures:
            print("report_browser.py: FAIL: %s" % f, file=sys.stderr)
        return 1
    print("report_browser.py: ok: %s, %s devices, loaded in %s ms" % (report, summary.get("list_entries"), summary.get("load_ms")), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
