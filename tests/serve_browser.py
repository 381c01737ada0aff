#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""`breachsim serve` as a seminar meets it: a real browser fills in the form, runs and reads, offline.

    /usr/bin/python3 tests/serve_browser.py BREACHSIM_BINARY SOURCE_DIR WORK_DIR

Starts `breachsim serve --port 0 --max-replications 12` with its working directory an empty
folder of WORK_DIR and TMPDIR another, and reads the one line it prints (its address, within
30 s). Headless Chromium, driven through the DevTools protocol over a pipe (commands on its fd 3,
replies on its fd 4, each a JSON text ended by a NUL byte), then opens the bare page (the form
#levers with every field of the contract, their choices and defaults, the #run button, no
results), runs one_trust with 6 replications (a results section whose headline table has a row
per metric, baseline and changed alike, as nothing was changed, and whose images all decode and
draw on their pixels), and then does what a seminar does: types -15 into beds_pct and clicks
#run. The new address must carry beds_pct=-15, the field must show it, the baseline column must
be the first page's (the same patients), the changed column and the images must differ from it,
and the screenshot of that page (serve_page.png, kept in WORK_DIR) must not be blank. No page may
ask for anything over the network. A bad number typed in the address gives a 400 page whose
#error names the parameter and its range; an unknown parameter, scenario or point, a non-number,
a number out of range, replications above the cap give 400 too (each #error naming the parameter,
and the range or the choices where the contract asks for them), a POST 405, an unknown path 404. Last, SIGTERM: exit 0 within 10 s,
its temporary folder (breachsim-serve-*, there while it served) gone, nothing left in its working
directory, no process of it left behind, and nothing on stdout but the address line.

Exit codes: 0 every check passed; 1 a check failed (each failure printed); 2 bad usage;
77 skipped: Chromium is missing and scripts/setup.sh may not install it (not root, no sudo).
"""

import base64
import fcntl
import hashlib
import html.parser
import json
import os
import re
import select
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

from test_support import CHROMIUM, INKED_SHARE_JS, check, check_screenshot, browser_test_start, fail, failures

MAX_REPLICATIONS = 12
FIELDS = ["scenario", "point", "fines_scale", "fines_to", "beds_pct", "staff_pct", "demand_pct", "vacancies_pct",
          "agency_pct", "cost_control", "protect_performance", "replications"]
ADDRESS_LINE = re.compile(r"breachsim: serving (http://127\.0\.0\.1:(\d+)/) \(Ctrl-C stops\)")
RUN_SECONDS = 120  # one run on a loaded 2-core machine takes seconds; this is the most we wait


class Stage:
    """Prints a line per stage, with the seconds it took."""

    def __init__(self, name):
        self.name = name

    def __enter__(self):
        self.start = time.monotonic()
        print(f"-- {self.name}", flush=True)
        return self

    def __exit__(self, *exc):
        print(f"-- {self.name}: {time.monotonic() - self.start:.1f} s", flush=True)
        return False


class DevToolsError(Exception):
    pass


class Browser:
    """Headless Chromium driven over --remote-debugging-pipe: commands go in on its fd 3, replies
    and events come out of its fd 4, each message a JSON text ended by a NUL byte."""

    def __init__(self, work):
        commands_read, self.commands = os.pipe()
        self.replies, replies_write = os.pipe()
        # Copies above 9 (close-on-exec here) for the child's ends, so that putting them on 3 and 4
        # there cannot overwrite one with the other, whatever numbers os.pipe gave.
        ends = [fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10) for fd in (commands_read, replies_write)]
        os.close(commands_read)
        os.close(replies_write)
        args = ["--headless=new", "--remote-debugging-pipe", "--no-first-run", "--disable-gpu",
                "--disable-extensions", "--hide-scrollbars", "--window-size=1280,1000",
                f"--user-data-dir={os.path.join(work, 'profile')}", "about:blank"]
        if os.geteuid() == 0:
            args.insert(0, "--no-sandbox")  # Chromium refuses to run as root inside its sandbox
        self.log_path = os.path.join(work, "chromium.log")
        self.log = open(self.log_path, "w", encoding="utf-8")
        # bash moves the two ends onto fds 3 and 4 and execs the browser (same process).
        move = f'exec "$@" 3<&{ends[0]} 4>&{ends[1]} {ends[0]}<&- {ends[1]}>&-'
        try:
            self.process = subprocess.Popen(["/bin/bash", "-c", move, "chromium", CHROMIUM, *args],
                                            pass_fds=ends, stdin=subprocess.DEVNULL, stdout=self.log,
                                            stderr=subprocess.STDOUT, start_new_session=True)
        finally:
            for fd in ends:
                os.close(fd)
        self.buffer = b""
        self.events = []   # every event, in order; callers look at those after a mark
        self.answers = {}  # replies by command id, until their command collects them
        self.next_id = 0

    def log_tail(self):
        self.log.flush()
        with open(self.log_path, encoding="utf-8", errors="replace") as f:
            return f.read()[-600:].strip()

    def _read_message(self, deadline):
        while b"\0" not in self.buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError
            ready, _, _ = select.select([self.replies], [], [], left)
            if ready:
                chunk = os.read(self.replies, 1 << 20)
                if not chunk:
                    raise DevToolsError(f"Chromium closed its pipe (exit {self.process.poll()}): {self.log_tail()}")
                self.buffer += chunk
        message, self.buffer = self.buffer.split(b"\0", 1)
        message = json.loads(message)
        if "id" in message:
            self.answers[message["id"]] = message
        else:
            self.events.append(message)

    def send(self, method, params=None, session=None, timeout=30):
        self.next_id += 1
        ident = self.next_id
        message = {"id": ident, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        data = json.dumps(message).encode() + b"\0"
        while data:
            data = data[os.write(self.commands, data):]
        deadline = time.monotonic() + timeout
        while ident not in self.answers:
            try:
                self._read_message(deadline)
            except TimeoutError:
                raise DevToolsError(f"{method}: no reply in {timeout} s") from None
        answer = self.answers.pop(ident)
        if "error" in answer:
            raise DevToolsError(f"{method}: {answer['error'].get('message')} {answer['error'].get('data', '')}")
        return answer.get("result", {})

    def wait_event(self, matches, since, timeout):
        """The first event from index `since` on for which matches(event) holds."""
        deadline = time.monotonic() + timeout
        seen = since
        while True:
            for event in self.events[seen:]:
                if matches(event):
                    return event
            seen = len(self.events)
            try:
                self._read_message(deadline)
            except TimeoutError:
                return None

    def close(self):
        if self.process.poll() is None:
            try:
                self.send("Browser.close", timeout=5)
                self.process.wait(timeout=10)
            except (DevToolsError, OSError, subprocess.TimeoutExpired):
                pass
        if self.process.poll() is None or group_members(self.process.pid):
            try:
                os.killpg(self.process.pid, signal.SIGKILL)  # the browser and its helper processes
            except ProcessLookupError:
                pass
            self.process.wait()
        for fd in (self.commands, self.replies):
            os.close(fd)
        self.log.close()


class Tab:
    """One page of the browser, attached with flatten: true, so its commands carry its session."""

    def __init__(self, browser):
        self.browser = browser
        target = browser.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        self.session = browser.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        for method in ("Page.enable", "Network.enable"):
            self.send(method)
        self.send("Emulation.setDeviceMetricsOverride", {"width": 1280, "height": 1000,
                                                         "deviceScaleFactor": 1, "mobile": False})

    def send(self, method, params=None, timeout=30):
        return self.browser.send(method, params, self.session, timeout)

    def evaluate(self, expression, timeout=30):
        result = self.send("Runtime.evaluate", {"expression": expression, "returnByValue": True,
                                                "awaitPromise": True}, timeout)
        if "exceptionDetails" in result:
            details = result["exceptionDetails"]
            raise DevToolsError(f"script failed: {details.get('exception', {}).get('description') or details.get('text')}")
        return result["result"].get("value")

    def mark(self):
        return len(self.browser.events)

    def ours(self, event, method):
        return event.get("sessionId") == self.session and event.get("method") == method

    def wait_load(self, since, timeout=RUN_SECONDS, start=None):
        """Waits for the page's next load event after the mark `since`: (the HTTP status of the
        document that loaded or None, the seconds since `start`, by default since now); raises
        DevToolsError on a timeout."""
        start = time.monotonic() if start is None else start
        if self.browser.wait_event(lambda e: self.ours(e, "Page.loadEventFired"), since, timeout) is None:
            raise DevToolsError(f"no load event in {timeout} s")
        documents = [e["params"]["response"] for e in self.browser.events[since:]
                     if self.ours(e, "Network.responseReceived") and e["params"].get("type") == "Document"]
        return (documents[-1]["status"] if documents else None), time.monotonic() - start

    def navigate(self, url, timeout=RUN_SECONDS):
        since, start = self.mark(), time.monotonic()
        # The reply comes once the answer starts to arrive, after the run: it may take as long.
        reply = self.send("Page.navigate", {"url": url}, timeout)
        if reply.get("errorText"):
            raise DevToolsError(f"navigating to {url}: {reply['errorText']}")
        return self.wait_load(since, timeout, start)

    def requests(self, since=0):
        return [e["params"]["request"]["url"] for e in self.browser.events[since:]
                if self.ours(e, "Network.requestWillBeSent")]


# What the browser made of a page: its form, results, headline table, images (each decoded, then
# drawn into a canvas: the share of its pixels not white or clear) and error box.
PAGE_SCRIPT = """(async () => {
""" + INKED_SHARE_JS + """
  const text = el => el ? el.textContent.replace(/\\s+/g, ' ').trim() : null;
  const form = document.getElementById('levers');
  const fields = {};
  if (form)
    for (const el of form.elements)
      if (el.name)
        fields[el.name] = {tag: el.tagName.toLowerCase(), type: el.type, value: el.value,
                           min: el.getAttribute('min'), max: el.getAttribute('max'),
                           options: el.tagName === 'SELECT' ? Array.from(el.options, o => o.value) : null};
  const run = document.getElementById('run');
  const results = document.getElementById('results');
  const table = results ? results.querySelector('table.headline') : null;
  const rows = table ? Array.from(table.rows).filter(tr => tr.querySelector('td'))
                         .map(tr => Array.from(tr.cells, text)) : [];
  const images = Array.from(document.images);
  const inked = [];
  for (const img of images) {
    try { await img.decode(); inked.push(img.naturalWidth > 0 ? inkedShare(img) : -1); }
    catch (e) { inked.push(-1); }
  }
  const error = document.getElementById('error');
  return {
    url: location.href,
    form: form ? {method: form.getAttribute('method'), action: form.getAttribute('action'), fields} : null,
    run: run ? {tag: run.tagName.toLowerCase(), type: run.getAttribute('type'), inForm: run.form === form} : null,
    results: results ? {tag: results.tagName.toLowerCase(), classes: Array.from(results.classList),
                        h2: text(results.querySelector('h2')), table: table !== null} : null,
    rows,
    images: images.map(img => ({src: img.src, alt: img.alt, inResults: results !== null && results.contains(img)})),
    inked,
    error: error ? {tag: error.tagName.toLowerCase(), classes: Array.from(error.classList),
                    role: error.getAttribute('role'), text: text(error)} : null,
    fetched: performance.getEntriesByType('resource').map(e => e.name),
    html: document.documentElement.outerHTML,
  };
})()"""


def numbers(text):
    return re.findall(r"[-+−]?\d[\d,]*(?:\.\d+)?(?:[eE][-+]?\d+)?", text or "")


def digest(src):
    return hashlib.sha256(src.encode()).hexdigest()[:12]


def group_members(pgid):
    """Processes still in the process group `pgid` (the server or browser and their children)."""
    members = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", encoding="utf-8", errors="replace") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[2]) == pgid and fields[0] != "Z":
                members.append(int(entry))
    return members


class ElementText(html.parser.HTMLParser):
    """The text of the element with a given id and its attributes, from a page's source."""
    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}

    def __init__(self, ident):
        super().__init__()
        self.ident, self.depth, self.attrs, self.parts = ident, 0, None, []

    def handle_starttag(self, tag, attrs):
        if self.depth:
            self.depth += tag not in self.VOID
        elif dict(attrs).get("id") == self.ident and self.attrs is None:
            self.attrs, self.depth = dict(attrs), 1
            self.attrs["tag"] = tag

    def handle_endtag(self, tag):
        if self.depth:
            self.depth -= 1

    def handle_data(self, data):
        if self.depth:
            self.parts.append(data)

    @classmethod
    def find(cls, page, ident):
        parser = cls(ident)
        parser.feed(page)
        return parser.attrs, " ".join(" ".join(parser.parts).split())


def http(method, url, timeout=RUN_SECONDS):
    """(status, headers, body) of one request; an HTTP error is an answer like any other."""
    request = urllib.request.Request(url, method=method, data=b"" if method == "POST" else None)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.headers, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers, exc.read().decode("utf-8", "replace")
    except OSError as exc:  # refused, reset, timed out: no answer (URLError is an OSError)
        return None, {}, f"no answer: {exc}"


def static_checks(name, page):
    external = re.findall(r"""(?:src|href|action)\s*=\s*["']?\s*((?:https?:)?//[^"'\s>]*)""", page, re.I)
    check(not external, f"{name}: the page refers to addresses outside it: {external[:3]}")
    check(not re.search(r"<script[^>]*\ssrc\s*=|<link[^>]+stylesheet|@import|url\(\s*['\"]?(?:https?:)?//", page, re.I),
          f"{name}: the page loads a script, a style sheet or another resource")


def check_form(name, info, stems):
    """The form of the contract: its fields, their kinds and choices."""
    form = info["form"]
    if not check(form is not None, f"{name}: no <form id=\"levers\">"):
        return
    check((form["method"] or "").lower() == "get" and form["action"] == "/",
          f"{name}: the form has method={form['method']!r} action={form['action']!r} (expected get, /)")
    fields = form["fields"]
    missing = [f for f in FIELDS if f not in fields]
    check(not missing, f"{name}: the form lacks the fields {missing} (it has {sorted(fields)})")
    selects = {"scenario": {"one_trust", *stems}, "fines_to": {"", "withheld", "reinvested", "pooled"},
               "cost_control": {"", "on", "off"}, "protect_performance": {"", "on", "off"}}
    for field, expected in selects.items():
        if field in fields and check(fields[field]["tag"] == "select", f"{name}: {field} is a {fields[field]['tag']}, not a select"):
            check(set(fields[field]["options"]) == expected,
                  f"{name}: {field} offers {fields[field]['options']} (expected {sorted(expected)})")
    if "point" in fields and check(fields["point"]["tag"] == "select", f"{name}: point is not a select"):
        check("" in fields["point"]["options"], f"{name}: point has no \"\" (baseline) choice: {fields['point']['options']}")
    for field in ["fines_scale", "beds_pct", "staff_pct", "demand_pct", "vacancies_pct", "agency_pct", "replications"]:
        if field in fields:
            check(fields[field]["tag"] == "input", f"{name}: {field} is a {fields[field]['tag']}, not an input")
    if "fines_scale" in fields:
        check(fields["fines_scale"]["type"] == "number", f"{name}: fines_scale is type={fields['fines_scale']['type']}, not number")
    run = info["run"]
    check(run is not None and run["tag"] == "button" and run["type"] == "submit" and run["inForm"],
          f"{name}: no <button id=\"run\" type=\"submit\"> in the form: {run}")


def check_results(name, info):
    """The results section: its heading, the headline table (metric, baseline, changed, paired
    difference with interval) and images, every one decoded and drawn. Returns the rows and the
    images' hashes."""
    results = info["results"]
    if not check(results is not None, f"{name}: no results section (id=\"results\")"):
        return [], []
    check(results["tag"] == "section" and "results" in results["classes"],
          f"{name}: #results is <{results['tag']} class={results['classes']}>, not <section class=\"results\">")
    check(bool(results["h2"]), f"{name}: the results section has no <h2> heading")
    rows = info["rows"]
    if check(results["table"], f"{name}: the results have no <table class=\"headline\">"):
        check(len(rows) >= 3, f"{name}: the headline table has {len(rows)} rows: {rows}")
        for row in rows:
            if not check(len(row) == 4, f"{name}: a headline row has {len(row)} cells, not 4: {row}"):
                continue
            check(numbers(row[1]) and numbers(row[2]),
                  f"{name}: the row {row[0]!r} has no number in its baseline or changed cell: {row}")
            check(len(numbers(row[3])) >= 2, f"{name}: the row {row[0]!r} has no difference with an interval: {row[3]!r}")
        check(len({row[0] for row in rows}) == len(rows), f"{name}: a headline metric appears twice: {[r[0] for r in rows]}")
    images = [(img, share) for img, share in zip(info["images"], info["inked"]) if img["inResults"]]
    check(images, f"{name}: the results have no images")
    not_png = [img["alt"] or img["src"][:40] for img, _ in images if not img["src"].startswith("data:image/png;base64,")]
    check(not not_png, f"{name}: images not inline PNG: {not_png}")
    # A chart that did not decode reads -1; one that decoded only in part is mostly blank.
    broken = [img["alt"] or img["src"][:40] for img, share in images if share < 0.005]
    drawn = [share for _, share in images if share >= 0]
    least = f"{100 * min(drawn):.1f}%" if drawn else "n/a"
    print(f"{name}: {len(rows)} headline rows; {len(drawn)} of {len(images)} images decoded, "
          f"the least drawn on {least} of its pixels", flush=True)
    check(not broken, f"{name}: {len(broken)} of {len(images)} images did not load or decode whole: {broken}")
    return rows, [digest(img["src"]) for img, _ in images]


def check_offline(name, info, tab, since, origin):
    static_checks(name, info["html"])
    # The page itself and the favicon the browser asks its server for are the only requests.
    fetched = [u for u in info["fetched"] if u != origin + "favicon.ico"]
    check(not fetched, f"{name}: the page fetched {fetched[:3]}")
    others = [u for u in tab.requests(since) if not u.startswith("data:") and u.split("?")[0] not in
              (origin, origin + "favicon.ico")]
    check(not others, f"{name}: the browser requested {others[:3]}")


def check_error_page(name, status, page, parameter, expected_status=400, mentions=()):
    attrs, text = ElementText.find(page, "error")
    if not check(status == expected_status, f"{name}: status {status} (expected {expected_status}): {page[:200]!r}"):
        return
    check('id="levers"' in page or "id='levers'" in page or "id=levers" in page, f"{name}: the 400 page has no form")
    if not check(attrs is not None, f"{name}: the 400 page has no #error"):
        return
    check(attrs["tag"] == "div" and "error" in (attrs.get("class") or "").split() and attrs.get("role") == "alert",
          f"{name}: #error is <{attrs['tag']} class={attrs.get('class')!r} role={attrs.get('role')!r}>, "
          "not <div class=\"error\" role=\"alert\">")
    missing = [word for word in (parameter, *mentions) if word not in text]
    check(not missing, f"{name}: #error does not mention {missing}: {text!r}")
    print(f"{name}: {status}, {text!r}", flush=True)


def start_server(binary, cwd, tmp, work):
    env = dict(os.environ, TMPDIR=tmp)
    out = open(os.path.join(work, "server.stdout"), "w+b")
    err = open(os.path.join(work, "server.stderr"), "w+b")
    server = subprocess.Popen([binary, "serve", "--port", "0", "--max-replications", str(MAX_REPLICATIONS)],
                              cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=err,
                              start_new_session=True)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        out.seek(0)
        printed = out.read()
        if b"\n" in printed:
            return server, out, err, printed.split(b"\n", 1)[0].decode("utf-8", "replace")
        if server.poll() is not None:
            break
        time.sleep(0.1)
    err.seek(0)
    return server, out, err, None


def tail(f):
    f.seek(0)
    return f.read().decode("utf-8", "replace")[-600:].strip()


def browse(binary, source, work, stems):
    cwd, tmp = os.path.join(work, "cwd"), os.path.join(work, "tmp")
    os.makedirs(cwd)
    os.makedirs(tmp)
    server = browser = None
    try:
        with Stage("start the server"):
            server, out, err, line = start_server(binary, cwd, tmp, work)
            if line is None:
                fail(f"breachsim serve printed no address line within 30 s (exit {server.poll()}): {tail(err)}")
                return
            match = ADDRESS_LINE.fullmatch(line)
            if not check(match is not None, f"the first line is {line!r}, not 'breachsim: serving "
                                            "http://127.0.0.1:PORT/ (Ctrl-C stops)'"):
                return
            origin = match.group(1)
            print(f"serving at {origin}", flush=True)
            folders = os.listdir(tmp)
            check(len(folders) == 1 and folders[0].startswith("breachsim-serve-")
                  and os.path.isdir(os.path.join(tmp, folders[0])),
                  f"TMPDIR holds {folders} while serving (expected one folder breachsim-serve-*)")

        with Stage("start Chromium"):
            browser = Browser(work)
            tab = Tab(browser)

        with Stage("GET /"):
            since = tab.mark()
            status, seconds = tab.navigate(origin)
            bare = tab.evaluate(PAGE_SCRIPT)
            check(status == 200, f"GET /: status {status}")
            check_form("GET /", bare, stems)
            check(bare["results"] is None, "GET /: a results section on the bare page")
            check(not bare["error"], f"GET /: an error on the bare page: {bare['error']}")
            fields = (bare["form"] or {}).get("fields", {})
            for field, default in (("fines_scale", 1), ("beds_pct", 0), ("staff_pct", 0), ("demand_pct", 0)):
                if field in fields:
                    value = fields[field]["value"]
                    check(re.fullmatch(r"[-+]?\d+(\.\d*)?", value) and float(value) == default,
                          f"GET /: {field} shows {value!r} (default {default})")
            check_offline("GET /", bare, tab, since, origin)

        with Stage("run one_trust, 6 replications"):
            since = tab.mark()
            status, seconds = tab.navigate(origin + "?scenario=one_trust&replications=6")
            print(f"loaded in {seconds:.1f} s", flush=True)
            first = tab.evaluate(PAGE_SCRIPT)
            check(status == 200, f"first run: status {status}")
            check_form("first run", first, stems)
            rows1, images1 = check_results("first run", first)
            fields = (first["form"] or {}).get("fields", {})
            for field, value in (("scenario", "one_trust"), ("replications", "6")):
                check(fields.get(field, {}).get("value") == value,
                      f"first run: the form shows {field}={fields.get(field, {}).get('value')!r}, not the request's {value!r}")
            # Nothing changed: the changed scenario is the baseline, run on the same patients.
            same = [row for row in rows1 if len(row) == 4 and row[1] != row[2]]
            check(not same, f"first run: with every lever at its default the changed column differs from "
                            f"the baseline in {len(same)} rows, e.g. {same[:1]}")
            check_offline("first run", first, tab, since, origin)
            folders = os.listdir(tmp)
            check(len(folders) == 1 and folders[0].startswith("breachsim-serve-"),
                  f"TMPDIR holds {folders} after a run (expected its one folder breachsim-serve-*)")
            check(not os.listdir(cwd), f"the server wrote into its working directory: {os.listdir(cwd)}")

        with Stage("type beds_pct=-15, click #run"):
            kind = tab.evaluate("""(() => {
              const f = document.querySelector('#levers [name=beds_pct]');
              f.scrollIntoView({block: 'center'}); f.focus();
              if (f.type === 'number' || f.type === 'text') f.value = '';
              return f.type; })()""")
            if kind in ("number", "text"):
                tab.send("Input.insertText", {"text": "-15"})  # as typed from the keyboard
            else:  # a slider or the like: set it and tell the page, as dragging it would
                tab.evaluate("""(() => { const f = document.querySelector('#levers [name=beds_pct]');
                  f.value = '-15'; f.dispatchEvent(new Event('input', {bubbles: true}));
                  f.dispatchEvent(new Event('change', {bubbles: true})); })()""")
            typed = tab.evaluate("document.querySelector('#levers [name=beds_pct]').value")
            check(typed == "-15", f"beds_pct reads {typed!r} after typing -15 into it")
            box = tab.evaluate("""(() => { const b = document.getElementById('run');
              b.scrollIntoView({block: 'center'}); const r = b.getBoundingClientRect();
              return {x: r.left + r.width / 2, y: r.top + r.height / 2}; })()""")
            since, start = tab.mark(), time.monotonic()
            for kind in ("mouseMoved", "mousePressed", "mouseReleased"):
                tab.send("Input.dispatchMouseEvent", {"type": kind, "x": box["x"], "y": box["y"],
                                                      "button": "left", "clickCount": 1})
            status, seconds = tab.wait_load(since, start=start)
            print(f"loaded in {seconds:.1f} s", flush=True)
            second = tab.evaluate(PAGE_SCRIPT)
            check(status == 200, f"after #run: status {status}")
            query = urllib.parse.parse_qs(urllib.parse.urlsplit(second["url"]).query, keep_blank_values=True)
            check(query.get("beds_pct") == ["-15"] and query.get("scenario") == ["one_trust"]
                  and query.get("replications") == ["6"],
                  f"after #run the address is {second['url']} (expected scenario=one_trust, beds_pct=-15, replications=6)")
            fields = (second["form"] or {}).get("fields", {})
            check(fields.get("beds_pct", {}).get("value") == "-15",
                  f"after #run beds_pct shows {fields.get('beds_pct', {}).get('value')!r}, not -15")
            rows2, images2 = check_results("after #run", second)
            check([r[0] for r in rows2] == [r[0] for r in rows1],
                  f"after #run the headline metrics are {[r[0] for r in rows2]}, were {[r[0] for r in rows1]}")
            if rows1 and rows2 and all(len(r) == 4 for r in rows1 + rows2):
                base1, base2 = [r[1] for r in rows1], [r[1] for r in rows2]
                check(base1 == base2, f"after #run the baseline column changed (same patients, same baseline): "
                                      f"{base1} -> {base2}")
                changed = [r[0] for r, s in zip(rows1, rows2) if r[2] != s[2]]
                check(changed, f"beds -15% changed no headline metric: {rows2}")
                print(f"beds -15% changed {len(changed)} of {len(rows2)} headline metrics: {changed}", flush=True)
            differ = len(set(images2) - set(images1))
            check(images1 and images2 and differ > 0, f"beds -15% changed no image ({len(images2)} images)")
            print(f"{differ} of {len(images2)} images differ from the first page's", flush=True)
            check_offline("after #run", second, tab, since, origin)
            metrics = tab.send("Page.getLayoutMetrics")
            size = metrics.get("cssContentSize") or metrics["contentSize"]
            shot = tab.send("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True,
                            "clip": {"x": 0, "y": 0, "width": min(size["width"], 1280),
                                     "height": min(size["height"], 8000), "scale": 1}}, timeout=60)
            shot_path = os.path.join(work, "serve_page.png")
            with open(shot_path, "wb") as f:
                f.write(base64.b64decode(shot["data"]))
            check_screenshot("after #run", shot_path)

        with Stage("bad input in the browser"):
            status, seconds = tab.navigate(origin + "?scenario=one_trust&beds_pct=99")
            info = tab.evaluate(PAGE_SCRIPT)
            check_error_page("beds_pct=99 (browser)", status, info["html"], "beds_pct", mentions=("-30", "30"))
            check(info["form"] is not None and info["results"] is None,
                  "beds_pct=99 (browser): the page lacks the form or shows results")

        with Stage("bad requests (urllib)"):
            cases = [("an unknown parameter", "?scenario=one_trust&bogus=1", "bogus", ()),
                     ("an unknown scenario", "?scenario=no_such_scenario", "scenario", ("one_trust",)),
                     ("a non-number", "?scenario=one_trust&fines_scale=abc", "fines_scale", ("10",)),
                     ("a number out of range", "?scenario=one_trust&agency_pct=101", "agency_pct", ("100",)),
                     ("replications above the cap", f"?scenario=one_trust&replications={MAX_REPLICATIONS + 1}",
                      "replications", (str(MAX_REPLICATIONS),)),
                     ("an unknown point", "?scenario=one_trust&point=no_such_point", "point", ())]
            for name, query, parameter, mentions in cases:
                status, headers, page = http("GET", origin + query)
                check_error_page(f"{name} ({query})", status, page, parameter, mentions=mentions)
            status, headers, page = http("POST", origin)
            check(status == 405, f"POST /: status {status} (expected 405)")
            if status == 405 and not headers.get("Allow"):
                print("note: the 405 answer has no Allow header (RFC 9110 asks for one)", flush=True)
            status, headers, page = http("GET", origin + "nope")
            check(status == 404, f"GET /nope: status {status} (expected 404)")
            print("POST / and GET /nope answered", flush=True)

        with Stage("SIGTERM"):
            browser.close()
            browser = None
            server.send_signal(signal.SIGTERM)
            try:
                code = server.wait(timeout=10)
                check(code == 0, f"after SIGTERM the server exited {code} (expected 0): {tail(err)}")
            except subprocess.TimeoutExpired:
                fail("the server was still running 10 s after SIGTERM")
                return
            left = group_members(server.pid)
            check(not left, f"processes of the server left running after it exited: {left}")
            check(not os.listdir(tmp), f"the server left in TMPDIR: {os.listdir(tmp)}")
            check(not os.listdir(cwd), f"the server left in its working directory: {os.listdir(cwd)}")
            out.seek(0)
            lines = out.read().decode("utf-8", "replace").splitlines()
            check(len(lines) == 1, f"the server printed {len(lines)} lines on stdout, not one: {lines[:4]}")
    except DevToolsError as exc:
        fail(f"the browser: {exc}")
    except OSError as exc:
        fail(f"{exc}")
    finally:
        if browser is not None:
            browser.close()
        if server is not None:
            if server.poll() is None or group_members(server.pid):
                try:
                    os.killpg(server.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                server.wait()


def main():
    started = browser_test_start(__doc__)
    if isinstance(started, int):
        return started
    binary, source, work = started
    start = time.monotonic()
    stems = sorted(os.path.splitext(name)[0] for name in os.listdir(os.path.join(source, "configs", "stories"))
                   if name.endswith(".yaml"))
    browse(binary, source, work, stems)
    print(f"{len(failures)} failure(s) in {time.monotonic() - start:.0f} s")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
