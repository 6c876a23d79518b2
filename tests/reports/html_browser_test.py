#!/usr/bin/python3
"""The HTML report opened in a real browser (issue 6): headless Chromium, driven over the
DevTools protocol (a WebSocket, through Debian's python3-websockets).

  html_browser_test.py WSCHECK_BINARY OUT_DIR

Writes real reports with the built `wscheck`:
  - `wscheck-reference`: the whole catalog against the embedded reference server;
  - `limited`: a few sections against `wscheck serve --max-message-size 1`, which refuses every
    message over one byte, so real FAILED cells (and failed closes) appear;
  - `reference-again`: the reference run filed under a second name.
`wscheck report` merges them into OUT_DIR/matrix/index.html. Then, by driving the page as a
user would (mouse clicks and typing through Input.*, the select through its change event), it
checks that the matrix has the right rows, columns and counts, that a verdict filter and the
section filter hide and show the right rows, that the search box finds a case by id, and that
clicking a cell opens the case with its description, reason and wire log. Every expectation
is computed here from the JSON reports, never copied from the page.

Time to interactive (the page's own data-ready-ms) is measured on OUT_DIR/timing/index.html:
3 agents x the whole catalog (the reference run under three names), several loads; the
median is printed and must stay under a second.

Screenshots of the index and of an open case are written to OUT_DIR/*.png (Page.
captureScreenshot: it draws the page as laid out, scrolled or not, where `--screenshot`
came out blank) and checked not to be blank.

Without Chromium (or python3-websockets) the test is skipped (exit 77) unless CI is set,
where it fails: CI installs both (ci/install.sh). Chromium and the servers started here are always stopped; every wait
has a deadline.
"""

import asyncio
import json
import os
import shutil
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import time
import zlib

try:
    import websockets
except ImportError:  # python3-websockets: installed by ci/install.sh
    websockets = None

SKIP = 77
FAILING_CLOSES = {"FAILED", "WRONG CODE", "UNCLEAN", "FAILED BY CLIENT"}
CATEGORY = {"OK": "ok", "NON-STRICT": "ns", "INFORMATIONAL": "info", "UNIMPLEMENTED": "unimp"}
TIMING_LOADS = 5
READY_LIMIT_MS = 1000.0  # issue 6: "well under a second to become interactive"


class check_failed(Exception):
    pass


def check(cond, what):
    if not cond:
        raise check_failed(what)


# ------------------------------------------------------------------ reports made by wscheck

def run(cmd, timeout, ok_codes=(0,)):
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=timeout, text=True)
    check(p.returncode in ok_codes, "%s exited %d:\n%s" % (" ".join(cmd), p.returncode, p.stdout[-3000:]))
    return p.stdout


def start_server(wscheck, args):
    """`wscheck serve --port 0 ARGS`; its first stdout line is the URL (read with a deadline)."""
    proc = subprocess.Popen([wscheck, "serve", "--port", "0"] + args, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    os.set_blocking(proc.stdout.fileno(), False)
    line = b""
    deadline = time.monotonic() + 20
    while not line.endswith(b"\n") and time.monotonic() < deadline and proc.poll() is None:
        chunk = proc.stdout.read(256)
        if chunk:
            line += chunk
        else:
            time.sleep(0.02)
    url = line.decode(errors="replace").strip().splitlines()[0] if line.strip() else ""
    return proc, url


def stop(proc):
    if proc is None or proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=10)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait(timeout=10)


def renamed(report, agent, path):
    r = dict(report)
    r["agent"] = agent
    with open(path, "w") as f:
        json.dump(r, f)
    return path


def make_reports(wscheck, out):
    ref_dir = os.path.join(out, "reference")
    t0 = time.monotonic()
    run([wscheck, "test", "-q", "-o", ref_dir], timeout=300, ok_codes=(0, 1))
    print("whole catalog against the reference server: %.1f s" % (time.monotonic() - t0))
    server, url = None, ""
    try:
        server, url = start_server(wscheck, ["--max-message-size", "1"])
        check(url.startswith("ws://"), "wscheck serve printed no URL (%r)" % url)
        run([wscheck, "test", "-q", "-a", "limited", "-o", os.path.join(out, "limited"),
             "-c", "1.1,2.*,5.*,6.4", url], timeout=300, ok_codes=(0, 1))
    finally:
        stop(server)
    with open(os.path.join(ref_dir, "wscheck-reference.wscheck.json")) as f:
        reference = json.load(f)
    with open(os.path.join(out, "limited", "limited.wscheck.json")) as f:
        limited = json.load(f)
    again = renamed(reference, "reference-again", os.path.join(out, "reference-again.wscheck.json"))
    run([wscheck, "report", "-q", "-o", os.path.join(out, "matrix"), os.path.join(ref_dir, "wscheck-reference.wscheck.json"),
         os.path.join(out, "limited", "limited.wscheck.json"), again], timeout=120)
    # 3 agents x the whole catalog, for the timing.
    copies = [renamed(reference, "reference-%d" % i, os.path.join(out, "timing-%d.wscheck.json" % i)) for i in (1, 2, 3)]
    run([wscheck, "report", "-q", "-o", os.path.join(out, "timing")] + copies, timeout=120)
    return [reference, limited, dict(reference, agent="reference-again")]


# ------------------------------------------------------------------ what the page must show

def section_of(case_id):
    return case_id.rsplit(".", 1)[0] if "." in case_id else case_id


def category(case):
    if case is None:
        return "none"
    if case["behavior"] == "FAILED":
        return "fail"
    if case["close_behavior"] in FAILING_CLOSES:
        return "closefail"
    return CATEGORY[case["behavior"]]


class expected_matrix:
    def __init__(self, runs):
        self.agents = [r["agent"] for r in runs]
        self.by_agent = [{c["id"]: c for c in r["cases"]} for r in runs]
        self.ids = []
        seen = set()
        for r in runs:  # the union, in catalog order (the first run has the whole catalog)
            for c in r["cases"]:
                if c["id"] not in seen:
                    seen.add(c["id"])
                    self.ids.append(c["id"])
        self.cats = {i: [category(a.get(i)) for a in self.by_agent] for i in self.ids}

    def case(self, case_id):
        for a in self.by_agent:
            if case_id in a:
                return a[case_id]
        raise KeyError(case_id)

    def group_counts(self, sec):
        """Per agent, 'passed / total' of a chapter or section row ('-' when it ran none)."""
        members = [i for i in self.ids if section_of(i) == sec or section_of(i).startswith(sec + ".")]
        out = []
        for r in range(len(self.agents)):
            cats = [self.cats[i][r] for i in members if self.cats[i][r] != "none"]
            good = sum(1 for k in cats if k not in ("fail", "closefail"))
            out.append("%d / %d" % (good, len(cats)) if cats else "\u2013")
        return out

    def rows_in_section(self, sec):
        return [i for i in self.ids if section_of(i) == sec or section_of(i).startswith(sec + ".")]

    def rows_with(self, shown_cats):
        return [i for i in self.ids if any(k in shown_cats for k in self.cats[i])]


# ------------------------------------------------------------------ Chromium over DevTools

def find_chromium():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


def start_chromium(binary, profile):
    args = [binary, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--disable-extensions", "--disable-dev-shm-usage", "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0",
            "--user-data-dir=" + profile, "--window-size=1400,900", "about:blank"]
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    # Chromium writes the port it chose and the browser's path to DevToolsActivePort.
    port_file = os.path.join(profile, "DevToolsActivePort")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            with open(port_file) as f:
                lines = f.read().split("\n")
            if len(lines) >= 2 and lines[0].isdigit() and lines[1].startswith("/"):
                return proc, "ws://127.0.0.1:%s%s" % (lines[0], lines[1])
        except FileNotFoundError:
            pass
        time.sleep(0.05)
    return proc, None


class devtools:
    """A DevTools protocol client: commands by id, events kept for whoever waits for them."""

    def __init__(self, ws):
        self.ws = ws
        self.next_id = 0
        self.pending = {}
        self.events = []
        self.event_seen = asyncio.Event()
        self.reader = asyncio.ensure_future(self.read())
        self.session = None

    async def read(self):
        async for raw in self.ws:
            msg = json.loads(raw)
            if "id" in msg:
                fut = self.pending.pop(msg["id"], None)
                if fut is not None and not fut.done():
                    fut.set_result(msg)
            else:
                self.events.append(msg)
                self.event_seen.set()

    async def send(self, method, params=None, timeout=30, browser=False):
        self.next_id += 1
        msg = {"id": self.next_id, "method": method, "params": params or {}}
        if self.session and not browser:
            msg["sessionId"] = self.session
        fut = asyncio.get_running_loop().create_future()
        self.pending[self.next_id] = fut
        await self.ws.send(json.dumps(msg))
        reply = await asyncio.wait_for(fut, timeout)
        if "error" in reply:
            raise check_failed("%s failed: %s" % (method, reply["error"]))
        return reply.get("result", {})

    async def wait_event(self, method, timeout=30):
        deadline = time.monotonic() + timeout
        while True:
            for i, e in enumerate(self.events):
                if e.get("method") == method:
                    del self.events[i]
                    return e.get("params", {})
            left = deadline - time.monotonic()
            check(left > 0, "no %s within %d s" % (method, timeout))
            self.event_seen.clear()
            try:
                await asyncio.wait_for(self.event_seen.wait(), left)
            except asyncio.TimeoutError:
                pass

    async def js(self, expression, timeout=30):
        r = await self.send("Runtime.evaluate", {"expression": expression, "returnByValue": True,
                                                 "awaitPromise": True}, timeout=timeout)
        check("exceptionDetails" not in r, "script failed: %s\n%s" % (r.get("exceptionDetails"), expression))
        return r["result"].get("value")

    async def wait_js(self, expression, what, timeout=10):
        deadline = time.monotonic() + timeout
        while True:
            v = await self.js(expression)
            if v:
                return v
            check(time.monotonic() < deadline, "timed out waiting for " + what)
            await asyncio.sleep(0.05)

    async def click(self, selector, modifiers=0):
        """A real mouse click at the middle of the element (scrolled into view first)."""
        box = await self.js("""(() => { const e = document.querySelector(%s); if (!e) return null;
            e.scrollIntoView({block: 'center', inline: 'center'}); const r = e.getBoundingClientRect();
            return [r.left + r.width / 2, r.top + r.height / 2]; })()""" % json.dumps(selector))
        check(box is not None, "nothing matches " + selector)
        for kind in ("mousePressed", "mouseReleased"):
            await self.send("Input.dispatchMouseEvent", {"type": kind, "x": box[0], "y": box[1], "button": "left",
                                                         "clickCount": 1, "modifiers": modifiers})

    async def navigate(self, url):
        self.events.clear()
        await self.send("Page.navigate", {"url": url})
        await self.wait_event("Page.loadEventFired", timeout=60)

    async def screenshot(self, path):
        r = await self.send("Page.captureScreenshot", {"format": "png"}, timeout=60)
        import base64
        data = base64.b64decode(r["data"])
        with open(path, "wb") as f:
            f.write(data)
        return data


def png_colours(data):
    """How many distinct RGB(A) pixels the first rows of a PNG have (a blank page has one)."""
    check(data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG")
    pos, idat, width, channels = 8, b"", 0, 0
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            width, _, depth, colour = struct.unpack(">IIBB", body[:10])
            check(depth == 8 and colour in (2, 6), "unexpected PNG format")
            channels = 3 if colour == 2 else 4
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    raw = zlib.decompress(idat)
    stride = 1 + width * channels
    colours, prev = set(), bytearray(stride - 1)
    for y in range(min(len(raw) // stride, 400)):
        # Undo the row filters (PNG spec 9) to read actual pixels.
        ftype, line = raw[y * stride], bytearray(raw[y * stride + 1:(y + 1) * stride])
        for x in range(len(line)):
            a = line[x - channels] if x >= channels else 0
            b = prev[x]
            c = prev[x - channels] if x >= channels else 0
            if ftype == 1:
                line[x] = (line[x] + a) & 255
            elif ftype == 2:
                line[x] = (line[x] + b) & 255
            elif ftype == 3:
                line[x] = (line[x] + (a + b) // 2) & 255
            elif ftype == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        for x in range(0, len(line), channels * 7):
            colours.add(bytes(line[x:x + 3]))
        prev = line
    return len(colours)


# ------------------------------------------------------------------ the checks

MATRIX_JS = """(() => {
  const m = document.getElementById('matrix');
  return {
    agents: [...m.querySelectorAll('thead th.agent')].map(e => e.textContent),
    rows: [...m.querySelectorAll('tr.case')].map(tr => [tr.querySelector('th.cid').textContent,
           [...tr.querySelectorAll('td.v')].map(td => td.className.replace(/^v /, ''))]),
    groups: [...m.querySelectorAll('tr.chap, tr.grp')].map(tr => [tr.querySelector('th').firstChild.textContent.split(' ')[0],
             [...tr.querySelectorAll('td')].map(td => td.textContent)]),
    legends: [...document.querySelectorAll('#runs .legend')].map(e => e.textContent.split(' ')[0]),
    shown: document.getElementById('shown').textContent
  };
})()"""

VISIBLE_JS = """[...document.querySelectorAll('#matrix tr.case')].filter(tr => !tr.hidden)
  .map(tr => tr.querySelector('th.cid').textContent)"""


async def check_matrix(page, want):
    got = await page.js(MATRIX_JS)
    check(got["agents"] == want.agents, "agent columns %s, want %s" % (got["agents"], want.agents))
    check([r[0] for r in got["rows"]] == want.ids, "case rows differ from the JSON's cases (%d rows, want %d)"
          % (len(got["rows"]), len(want.ids)))
    for case_id, cells in got["rows"]:
        check(cells == want.cats[case_id], "row %s: cells %s, want %s" % (case_id, cells, want.cats[case_id]))
    for sec, counts in got["groups"]:
        check(counts == want.group_counts(sec), "section %s: %s, want %s" % (sec, counts, want.group_counts(sec)))
    totals = [str(len(a)) for a in want.by_agent]
    check(got["legends"] == totals, "summary bars say %s cases, want %s" % (got["legends"], totals))
    check(got["shown"] == "%d cases" % len(want.ids), "shown: %r" % got["shown"])
    fails = sum(1 for i in want.ids for k in want.cats[i] if k == "fail")
    check(fails > 0, "the limited server produced no FAILED cell")
    print("matrix: %d rows x %d agents, %d section rows, %d FAILED cells; all as in the JSON"
          % (len(got["rows"]), len(got["agents"]), len(got["groups"]), fails))


async def expect_rows(page, want_ids, what):
    want_ids = list(want_ids)
    got = await page.wait_js("(() => { const v = %s; return JSON.stringify(v) === %s ? v : null; })()"
                             % (VISIBLE_JS, json.dumps(json.dumps(want_ids, separators=(",", ":")))),
                             what, timeout=10) if want_ids else None
    if got is None:
        got = await page.js(VISIBLE_JS)
    check(got == want_ids, "%s: rows shown %s, want %s" % (what, got[:20], want_ids[:20]))
    shown = await page.js("document.getElementById('shown').textContent")
    print("%s: %d rows shown (%s)" % (what, len(got), shown))


async def check_filters(page, want):
    # Shift-click on a verdict chip shows only that verdict.
    await page.click("#chips .chip[data-k='fail']", modifiers=8)
    await expect_rows(page, want.rows_with({"fail"}), "verdict filter FAILED only (shift-click)")
    # A plain click hides a verdict: OK rows go unless another cell of theirs is shown.
    await page.click("#chips .chip.reset")
    await expect_rows(page, want.ids, "verdict filter reset")
    await page.click("#chips .chip[data-k='ok']")
    await expect_rows(page, want.rows_with({"ns", "info", "unimp", "fail", "closefail"}), "verdict filter without OK")
    await page.click("#chips .chip.reset")
    await expect_rows(page, want.ids, "verdict filter reset")
    # The section list: a section, then a whole chapter, then all.
    for sec in ("6.4", "5", ""):
        await page.js("(() => { const s = document.getElementById('section'); s.value = %s;"
                      " s.dispatchEvent(new Event('change')); })()" % json.dumps(sec))
        await expect_rows(page, want.rows_in_section(sec) if sec else want.ids, "section filter %r" % (sec or "all"))
    # The search box, typed into: an id finds its case.
    await page.click("#search")
    await page.send("Input.insertText", {"text": "7.13.2"})
    rows = [i for i in want.ids if i.startswith("7.13.2")]
    check(rows == ["7.13.2"], "the catalog has no case 7.13.2 to search for")
    await expect_rows(page, rows, "search '7.13.2'")
    await page.js("(() => { const s = document.getElementById('search'); s.value = '';"
                  " s.dispatchEvent(new Event('input')); })()")
    await expect_rows(page, want.ids, "search cleared")


async def check_detail(page, want, out):
    # The first FAILED cell of the limited agent, opened by clicking it.
    agent = want.agents.index("limited")
    case_id = next(i for i in want.ids if want.cats[i][agent] == "fail")
    case = want.by_agent[agent][case_id]
    row = want.ids.index(case_id)
    await page.click("#matrix tr.case[data-i='%d'] td.v[data-r='%d']" % (row, agent))
    await page.wait_js("!document.getElementById('detail').hidden", "the case detail to open")
    got = await page.js("""(() => { const d = document.getElementById('detail');
      return { id: d.querySelector('h2').firstChild.textContent, text: d.textContent,
               tab: (d.querySelector('.tab.cur') || {}).textContent || '',
               frames: [...d.querySelectorAll('table.wire tbody tr')].filter(tr => tr.querySelector('td.flags'))
                       .map(tr => [tr.querySelector('td.dir').textContent, tr.querySelector('td.op').textContent,
                                   tr.querySelectorAll('td.num')[2].textContent, tr.querySelector('td.pl').textContent]),
               raw: [...d.querySelectorAll('table.wire tbody tr')].filter(tr => tr.querySelector('td.op[colspan]'))
                       .map(tr => tr.querySelector('td.op').textContent),
               hash: location.hash }; })()""")
    check(got["id"] == case_id, "detail opened %r, want %r" % (got["id"], case_id))
    check(got["tab"].startswith("limited"), "detail shows agent tab %r, want limited" % got["tab"])
    for what in ("description", "expectation", "reason"):
        check(case[what] in got["text"], "detail lacks the %s %r" % (what, case[what]))
    check(case["rfc"]["clause"] in got["text"], "detail lacks the RFC clause")
    check(got["hash"] == "#case=%s&agent=%d" % (case_id, agent), "address is %r" % got["hash"])
    frames = case["wire"]["frames"]
    check(len(frames) > 0 and len(got["frames"]) == len(frames),
          "wire log shows %d frames, the JSON has %d" % (len(got["frames"]), len(frames)))
    for shown, f in zip(got["frames"], frames):
        check(shown[0].endswith("sent" if f["dir"] == "sent" else "recv"), "frame direction %r vs %r" % (shown[0], f["dir"]))
        check(shown[1].startswith(f["opcode"]["name"]), "opcode %r vs %r" % (shown[1], f["opcode"]["name"]))
        check(shown[2] == str(f["length"]), "length %r vs %r" % (shown[2], f["length"]))
        text = f["payload"].get("text")
        if text and f["opcode"]["name"] in ("text", "cont") and len(text) < 40:
            check(text in shown[3], "payload %r not in %r" % (text, shown[3]))
    check(any(r.startswith("http request") for r in got["raw"]) and any(r.startswith("http response") for r in got["raw"]),
          "the handshake's raw records are missing: %s" % got["raw"])
    print("case detail: %s (limited, FAILED) shows description, expectation, RFC %s, reason, %d frames and the handshake"
          % (case_id, case["rfc"]["clause"], len(frames)))
    shot = await page.screenshot(os.path.join(out, "case.png"))
    check(png_colours(shot) > 8, "the case screenshot is blank")
    print("screenshot of the case: %s" % os.path.join(out, "case.png"))
    await page.send("Input.dispatchKeyEvent", {"type": "keyDown", "key": "Escape", "code": "Escape", "windowsVirtualKeyCode": 27})
    await page.send("Input.dispatchKeyEvent", {"type": "keyUp", "key": "Escape", "code": "Escape", "windowsVirtualKeyCode": 27})
    await page.wait_js("document.getElementById('detail').hidden", "Esc to close the case")


async def measure(page, url):
    ready, painted, loaded = [], [], []
    for _ in range(TIMING_LOADS):
        await page.navigate(url)
        times = await page.wait_js("""(() => { const b = document.body.dataset;
            return b.readyMs && b.paintedMs && b.loadedMs ? [+b.readyMs, +b.paintedMs, +b.loadedMs] : null; })()""",
                                   "the page's timings", timeout=30)
        ready.append(times[0])
        painted.append(times[1])
        loaded.append(times[2])
    return ready, painted, loaded


async def drive(endpoint, out, want, timing_size):
    async with websockets.connect(endpoint, max_size=None, open_timeout=30, close_timeout=5) as ws:
        page = devtools(ws)
        target = await page.send("Target.createTarget", {"url": "about:blank"})
        attached = await page.send("Target.attachToTarget", {"targetId": target["targetId"], "flatten": True})
        page.session = attached["sessionId"]
        await page.send("Page.enable")
        await page.send("Runtime.enable")
        await page.send("Emulation.setDeviceMetricsOverride", {"width": 1400, "height": 900,
                                                              "deviceScaleFactor": 1, "mobile": False})

        ready, painted, loaded = await measure(page, "file://" + os.path.join(out, "timing", "index.html"))
        fmt = lambda xs: "median %.0f ms (%.0f-%.0f)" % (statistics.median(xs), min(xs), max(xs))
        print("3 agents x %d cases (%.1f MB), %d loads: ready %s; painted %s; loaded %s"
              % (timing_size[0], timing_size[1] / 1e6, TIMING_LOADS, fmt(ready), fmt(painted), fmt(loaded)))
        check(statistics.median(ready) < READY_LIMIT_MS,
              "time to interactive %.0f ms is not under %.0f ms" % (statistics.median(ready), READY_LIMIT_MS))

        await page.navigate("file://" + os.path.join(out, "matrix", "index.html"))
        await page.wait_js("document.body.dataset.loadedMs", "the page to load")
        await check_matrix(page, want)
        # The index as it opens: the artifact a CI job keeps.
        shot = await page.screenshot(os.path.join(out, "index.png"))
        colours = png_colours(shot)
        check(colours > 8, "the index screenshot is blank (%d colours)" % colours)
        print("screenshot of the index (%d bytes, %d colours sampled): %s"
              % (len(shot), colours, os.path.join(out, "index.png")))
        await check_filters(page, want)
        await check_detail(page, want, out)
        page.reader.cancel()


def main():
    if len(sys.argv) != 3:
        print(__doc__)
        return 2
    wscheck, out = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    chromium = find_chromium()
    missing = [what for what, ok in (("chromium", chromium), ("python3-websockets", websockets)) if not ok]
    if missing:
        if os.environ.get("CI"):
            print("FAIL: %s required when CI is set (ci/install.sh installs it)" % " and ".join(missing))
            return 1
        print("SKIP: %s not installed (apt-get install %s); CI is not set" % (" and ".join(missing), " ".join(missing)))
        return SKIP
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out)
    browser, profile = None, tempfile.mkdtemp(prefix="wscheck-chromium-")
    try:
        runs = make_reports(wscheck, out)
        want = expected_matrix(runs)
        timing_html = os.path.join(out, "timing", "index.html")
        timing_size = (len(runs[0]["cases"]), os.path.getsize(timing_html))
        browser, endpoint = start_chromium(chromium, profile)
        check(endpoint is not None, "chromium did not open its DevTools port")
        asyncio.run(asyncio.wait_for(drive(endpoint, out, want, timing_size), 240))
    except (check_failed, subprocess.TimeoutExpired, asyncio.TimeoutError, OSError) as e:
        print("FAIL: %s" % (e or type(e).__name__))
        return 1
    finally:
        stop(browser)
        shutil.rmtree(profile, ignore_errors=True)
    print("PASS: the HTML report works in %s" % chromium)
    return 0


if __name__ == "__main__":
    sys.exit(main())
