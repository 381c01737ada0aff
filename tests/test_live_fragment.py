#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Checks scripts/breachsim_live.py, the comparison fragment of `breachsim serve`.

    /usr/bin/python3 tests/test_live_fragment.py BREACHSIM_BINARY WORK_DIR

Makes small result files with the binary from configs/teaching/one_trust.yaml (6 replications):
a baseline, a changed run (fewer beds), one with 4 replications and one with 6 months. Then:

- baseline vs changed (with a --changes text full of HTML): exit 0, nothing on stdout or
  stderr, no .partial left; the fragment is one <section class="results" id="results"> and no
  page (no html, head, body, style or script element), its <h2> names the replications and the
  changes (escaped); the headline table has a row for each of its metrics the files hold, in
  order, and each row's baseline mean, changed mean and paired difference (mean and 95% t
  interval, from the cell's data-* attributes and its text) equal what this test computes itself
  with h5py from /outcomes/national_month, /progress and /metrics (summed over months, averaged
  or the last month's as over_months says); rows whose interval excludes 0 have class up or
  down, the others neither; every <img> is a PNG that decodes (base64, signature, and with
  matplotlib or PIL to a picture of some size that is not one colour); one <p class="note">.
- a file against itself: every difference exactly 0, no row marked.
- a missing file, files with different replication counts, different months, a file that is not
  a result: exit 1, one line `breachsim_live: ...` on stderr, no traceback, nothing on stdout,
  an existing FRAGMENT untouched.

It prints the wall time of the script on the baseline vs changed pair.

Exit codes: 0 every check passed; 1 a check failed (each printed); 2 bad usage; 77 skipped:
/usr/bin/python3 lacks matplotlib, h5py, numpy or pandas.
"""

import base64
import html.parser
import io
import math
import os
import subprocess
import sys
import time

from test_support import check, fail, failures

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCRIPT = os.path.join(ROOT, "scripts", "breachsim_live.py")
CONFIG = os.path.join(ROOT, "configs", "teaching", "one_trust.yaml")
PYTHON = "/usr/bin/python3"
REPLICATIONS = 6
# Two-sided 95% Student t critical values from the distribution (mpmath, 20 digits), by degrees of freedom.
T975 = {5: 2.5705818356363155}
TABLE_METRICS = ["ed_breaches_4h", "ed_trolley_waits_12h", "rtt_over_18w", "rtt_over_52w", "fines",
                 "cumulative_deficit"]
CHANGES = 'beds -8% <script>alert("x")</script> & fines x3'
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

def skip_if_unusable():
    probe = subprocess.run([PYTHON, "-c", "import matplotlib, h5py, numpy, pandas"], capture_output=True, text=True) \
        if os.path.exists(PYTHON) else None
    if probe is None or probe.returncode != 0:
        print(f"live-fragment SKIP: {PYTHON} lacks matplotlib, h5py, numpy or pandas")
        sys.exit(77)
    try:
        import h5py  # noqa: F401
        import numpy  # noqa: F401
    except ImportError as exc:
        print(f"live-fragment SKIP: {sys.executable}: {exc}")
        sys.exit(77)


# -- the fragment, parsed ------------------------------------------------------------------------

class Fragment(html.parser.HTMLParser):
    """What the checks need: the tags seen, sections, h2 texts, the headline table's rows (class,
    cell texts, the difference span's data-* attributes), images and note paragraphs."""

    def __init__(self, text):
        super().__init__(convert_charrefs=True)
        self.tags, self.sections, self.h2, self.rows, self.images, self.notes = set(), [], [], [], [], []
        self.fan_images = 0
        self._in_h2 = self._in_note = self._in_headline = False
        self._fan_depth = 0
        self._row = self._cell = None
        self.feed(text)
        self.close()

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.add(tag)
        classes = (a.get("class") or "").split()
        if tag == "section":
            self.sections.append(a)
        elif tag == "h2":
            self._in_h2 = True
            self.h2.append("")
        elif tag == "p" and "note" in classes:
            self._in_note = True
            self.notes.append("")
        elif tag == "table" and "headline" in classes:
            self._in_headline = True
        elif tag == "tr" and self._in_headline:
            self._row = {"class": classes, "cells": [], "data": {}, "header": False}
        elif tag in ("td", "th") and self._row is not None:
            self._row["header"] |= tag == "th"
            self._cell = ""
        elif tag == "span" and self._row is not None and "data-mean" in a:
            self._row["data"] = {k[5:]: a[k] for k in ("data-mean", "data-low", "data-high")}
        elif tag == "img":
            self.images.append(a.get("src", ""))
            self.fan_images += self._fan_depth > 0
        if tag == "div" and ("fan" in classes or self._fan_depth):
            self._fan_depth += 1

    def handle_endtag(self, tag):
        if tag == "h2":
            self._in_h2 = False
        elif tag == "p":
            self._in_note = False
        elif tag == "table":
            self._in_headline = False
        elif tag in ("td", "th") and self._row is not None and self._cell is not None:
            self._row["cells"].append(self._cell.strip())
            self._cell = None
        elif tag == "tr" and self._row is not None:
            if not self._row["header"]:
                self.rows.append(self._row)
            self._row = None
        elif tag == "div" and self._fan_depth:
            self._fan_depth -= 1

    def handle_data(self, data):
        if self._in_h2:
            self.h2[-1] += data
        if self._in_note:
            self.notes[-1] += data
        if self._cell is not None:
            self._cell += data


# -- what the fragment should say, from the files ------------------------------------------------

def independent(base_path, changed_path):
    """{metric: (baseline mean, changed mean, difference mean, low, high, unit)} from h5py alone."""
    import h5py
    import numpy as np
    out = {}
    with h5py.File(base_path, "r") as b, h5py.File(changed_path, "r") as c:
        catalogue = {row["name"].decode(): row for row in b["metrics"][()]}
        done = (b["progress"][()][0] == 1) & (c["progress"][()][0] == 1)
        reps = np.flatnonzero(done[:int(b.attrs["replications"])])
        for metric in TABLE_METRICS:
            path = f"outcomes/national_month/{metric}"
            if path not in b or path not in c:
                continue
            rule = catalogue[metric]["over_months"].decode()
            unit = catalogue[metric]["unit"].decode()

            def whole_run(f):
                series = f[path][()][0][reps].astype(float)  # [replication][month]
                return series.sum(axis=1) if rule == "sum" else series[:, -1] if rule == "last" \
                    else series.mean(axis=1)
            x, y = whole_run(b), whole_run(c)
            d = y - x
            n = d.size
            mean = d.mean()
            half = T975[n - 1] * d.std(ddof=1) / math.sqrt(n)
            out[metric] = (x.mean(), y.mean(), mean, mean - half, mean + half, unit)
    return out


def close(a, b, rel=1e-9):
    return a == b or abs(a - b) <= rel * max(abs(a), abs(b))


# -- running things ------------------------------------------------------------------------------

def simulate(binary, out, replications, *extra):
    command = [binary, "run", CONFIG, "--out", out, "--force", "--quiet", "--replications", str(replications),
               *extra]
    result = subprocess.run(command, capture_output=True, text=True, timeout=600)
    if result.returncode != 0:
        print(f"live-fragment: {' '.join(command)} failed ({result.returncode}): {result.stderr.strip()}")
        sys.exit(1)


def live(*args):
    start = time.monotonic()
    result = subprocess.run([PYTHON, SCRIPT, *args], capture_output=True, text=True, timeout=300)
    return result, time.monotonic() - start


def check_png(src, where):
    prefix = "data:image/png;base64,"
    if not check(src.startswith(prefix), f"{where}: src is not an inline PNG ({src[:40]!r})"):
        return
    try:
        data = base64.b64decode(src[len(prefix):], validate=True)
    except ValueError as exc:
        fail(f"{where}: base64 does not decode: {exc}")
        return
    if not check(data.startswith(PNG_SIGNATURE), f"{where}: no PNG signature"):
        return
    try:
        import matplotlib.image
        pixels = matplotlib.image.imread(io.BytesIO(data), format="png")
    except ImportError:
        try:
            import numpy as np
            from PIL import Image
            pixels = np.asarray(Image.open(io.BytesIO(data)).convert("RGB"), dtype=float) / 255
        except ImportError:
            return
    except Exception as exc:  # a truncated or damaged PNG
        fail(f"{where}: the PNG does not decode: {type(exc).__name__}: {exc}")
        return
    height, width = pixels.shape[:2]
    check(width >= 400 and height >= 100, f"{where}: the picture is only {width}x{height}")
    check(float(pixels[..., :3].std()) > 0.01, f"{where}: the picture is (nearly) one colour")


def check_comparison(frag_path, base_path, changed_path, changes, identical=False):
    text = open(frag_path, encoding="utf-8").read()
    frag = Fragment(text)
    what = os.path.basename(frag_path)
    check(text.lstrip().startswith("<section") and text.rstrip().endswith("</section>"),
          f"{what}: not one section from start to end")
    for tag in ("html", "head", "body", "style", "script"):
        check(tag not in frag.tags, f"{what}: has a <{tag}> element")
    check(len(frag.sections) == 1 and frag.sections[0].get("class") == "results"
          and frag.sections[0].get("id") == "results",
          f'{what}: expected one <section class="results" id="results">, found {frag.sections}')
    heading = f"Baseline and changed, {REPLICATIONS} replications on the same patients"
    check(len(frag.h2) == 1 and frag.h2[0].startswith(heading), f"{what}: <h2> is {frag.h2}, expected {heading!r}...")
    if changes:
        check(frag.h2 and changes in frag.h2[0], f"{what}: the <h2> does not name the changes {changes!r}")
        check("<script>alert" not in text and "&lt;script&gt;alert" in text, f"{what}: --changes is not escaped")
    check(len(frag.notes) == 1 and "replication" in frag.notes[0] and "95%" in frag.notes[0],
          f"{what}: expected one <p class=\"note\"> on the comparison, found {frag.notes}")
    expected = independent(base_path, changed_path)
    names = [row["cells"][0].split(" ")[0] if row["cells"] else "" for row in frag.rows]
    check(names == [m for m in TABLE_METRICS if m in expected],
          f"{what}: table rows {names}, expected {list(expected)}")
    check("cumulative_deficit" in expected, f"{what}: the files have no cumulative_deficit")
    sys.path.insert(0, os.path.join(ROOT, "scripts"))
    import breachsim_report as report
    for row, metric in zip(frag.rows, names):
        if metric not in expected or not check(len(row["cells"]) == 4 and row["data"], f"{what}: row {row} incomplete"):
            continue
        base_mean, changed_mean, mean, low, high, unit = expected[metric]
        got = {k: float(v) for k, v in row["data"].items()}
        if identical:
            check(got == {"mean": 0.0, "low": 0.0, "high": 0.0},
                  f"{what}: {metric}: a file against itself differs by {got}, not exactly 0")
        check(close(got["mean"], mean), f"{what}: {metric}: paired difference {got['mean']!r}, h5py gives {mean!r}")
        check(close(got["low"], low, 1e-8) and close(got["high"], high, 1e-8),
              f"{what}: {metric}: interval [{got['low']!r}, {got['high']!r}], h5py gives [{low!r}, {high!r}]")
        shown = report.interval_text(mean, low, high, unit, signed=True)
        check(row["cells"][3] == shown,
              f"{what}: {metric}: difference shown as {row['cells'][3]!r}, expected {shown!r}")
        check(row["cells"][1] == report.format_value(base_mean, unit)
              and row["cells"][2] == report.format_value(changed_mean, unit),
              f"{what}: {metric}: means shown {row['cells'][1:3]}, h5py gives {base_mean!r}, {changed_mean!r}")
        mark = "up" if low > 0 else "down" if high < 0 else ""
        marks = [c for c in row["class"] if c in ("up", "down")]
        check(marks == ([mark] if mark else []), f"{what}: {metric}: row marked {marks}, interval [{low}, {high}]")
        if metric == "cumulative_deficit":
            print(f"live-fragment: {what}: cumulative_deficit paired difference {got['mean']!r} "
                  f"(h5py: {mean!r}), shown {row['cells'][3]}")
    check(len(frag.images) >= 2, f"{what}: {len(frag.images)} images, expected the fan charts and the deficit chart")
    check(frag.fan_images >= 1, f'{what}: no image inside <div class="fan">')
    for i, src in enumerate(frag.images):
        check_png(src, f"{what}: image {i + 1}")
    return frag


def check_failure(name, args, out, must_mention):
    with open(out, "w") as f:
        f.write("previous")
    result, _ = live(*args, "--out", out)
    lines = result.stderr.splitlines()
    check(result.returncode == 1, f"{name}: exit {result.returncode}, expected 1 (stderr: {result.stderr!r})")
    check(len(lines) == 1 and lines[0].startswith("breachsim_live: ") and "Traceback" not in result.stderr,
          f"{name}: stderr is not one line 'breachsim_live: ...': {result.stderr!r}")
    check(must_mention in result.stderr, f"{name}: the message does not mention {must_mention!r}: {result.stderr!r}")
    check(result.stdout == "", f"{name}: printed on stdout: {result.stdout!r}")
    check(open(out).read() == "previous", f"{name}: the existing fragment was changed")
    check(not os.path.exists(out + ".partial"), f"{name}: left {out}.partial")
    os.unlink(out)


def main(argv):
    if len(argv) != 3:
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    binary, work = os.path.abspath(argv[1]), os.path.abspath(argv[2])
    skip_if_unusable()
    os.makedirs(work, exist_ok=True)
    base, changed = os.path.join(work, "base.h5"), os.path.join(work, "changed.h5")
    fewer, shorter = os.path.join(work, "replications4.h5"), os.path.join(work, "months6.h5")
    simulate(binary, base, REPLICATIONS)
    simulate(binary, changed, REPLICATIONS, "--set", "defaults.beds.general_acute_beds=680")
    simulate(binary, fewer, 4)
    simulate(binary, shorter, REPLICATIONS, "--set", "scenario.months=6")

    frag = os.path.join(work, "fragment.html")
    result, seconds = live(base, changed, "--out", frag, "--changes", CHANGES)
    print(f"live-fragment: baseline vs changed ({REPLICATIONS} replications, 1 trust, 12 months): "
          f"{seconds:.2f} s wall")
    if check(result.returncode == 0, f"baseline vs changed: exit {result.returncode}: {result.stderr.strip()}"):
        check(result.stdout == "" and result.stderr == "",
              f"baseline vs changed: printed stdout {result.stdout!r}, stderr {result.stderr!r}")
        check(not os.path.exists(frag + ".partial"), "baseline vs changed: left a .partial")
        parsed = check_comparison(frag, base, changed, CHANGES)
        check(any(row["class"] for row in parsed.rows), "baseline vs changed: 80 fewer beds moved no metric")

    same = os.path.join(work, "same.html")
    result, _ = live(base, base, "--out", same)
    if check(result.returncode == 0, f"a file against itself: exit {result.returncode}: {result.stderr.strip()}"):
        check_comparison(same, base, base, "", identical=True)

    out = os.path.join(work, "failed.html")
    missing = os.path.join(work, "no-such-file.h5")
    check_failure("missing file", [base, missing], out, missing)
    check_failure("different replication counts", [base, fewer], out, "replication")
    check_failure("different months", [base, shorter], out, "months")
    check_failure("not a result file", [base, SCRIPT], out, SCRIPT)

    if failures:
        print(f"live-fragment: {len(failures)} check(s) failed")
        return 1
    print("live-fragment OK")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
