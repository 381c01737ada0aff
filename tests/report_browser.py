#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""The HTML report as a reader meets it: rendered by a real browser, with its plots, offline.

    /usr/bin/python3 tests/report_browser.py BREACHSIM_BINARY SOURCE_DIR WORK_DIR

Makes four small result files with the binary (a complete three-point sweep, one shard of it, which
holds half the tasks, a run with the 2025/26 league tables, and a small Morris sensitivity study),
builds the report of each, and opens each page in headless Chromium (one run a page: --dump-dom and
--screenshot). A script injected into a copy of the page checks every image and writes what it
found into the DOM: each must have loaded (complete, naturalWidth > 0) and, drawn into a canvas,
cover some of its pixels (a truncated PNG still has a width, but decodes to a blank). The page must
ask for nothing over the network (no http(s) address in any src or href, no resource fetched), the
expected section headings must be there (the study's sensitivity section with its two charts drawn, and
none of the sections that compare points, which would list its design rows), the incomplete file's
banner must be there and the complete files' absent, and the screenshot (1280x4000) must not be
blank (many distinct colours). Then the exit codes: a missing file 2, an existing --out without
--force 2 (the page untouched), --force 0, a file that is not a result 2, and no .partial left
behind. The screenshots stay in WORK_DIR.

Exit codes: 0 every check passed; 1 a check failed (each failure printed); 2 bad usage;
77 skipped: Chromium is missing and scripts/setup.sh may not install it (not root, no sudo).
"""

import glob
import html
import json
import os
import re
import subprocess
import sys
import time

from test_support import CHROMIUM, INKED_SHARE_JS, check, check_screenshot, browser_test_start, failures

PYTHON = "/usr/bin/python3"
BASE_HEADINGS = ["Scenario and provenance", "Model description (STRESS-DES)", "Headline outcomes",
                 "National trends", "Trusts", "Cumulative deficit at the end", "Plans delivered"]
SWEEP_HEADINGS = BASE_HEADINGS + ["Paired differences from the baseline", "The deficit multiplier of fines",
                                  "Sensitivity: tornado chart"]
STUDY_HEADING = "Sensitivity: which assumptions decide the answer"
# A study's points are design rows: the sections that compare points one by one are left out.
STUDY_ABSENT = ["Paired differences from the baseline", "Paired differences from the reference points",
                "The deficit multiplier of fines", "Sensitivity: tornado chart"]
STUDY_CHART_ALT = "sensitivity of each output to the study's assumptions"
STUDY_CONVERGENCE_ALT = "the sensitivity indices as the design grows"
# Two factors, four trajectories: 12 design rows, each with and without fines for the multiplier;
# the indices from the first 2 trajectories and from all 4 make the convergence chart.
STUDY_SECTION = """sensitivity:
  method: morris
  trajectories: 4
  factors:
    - {path: defaults.management.cost_control.agency_factor, low: 0.2, high: 0.8}
    - {path: defaults.beds.general_acute_beds, low: 700, high: 760}
  outputs: [multiplier, ed_breaches_4h]
"""
# Counts what the browser made of the page and writes it into the DOM, which --dump-dom prints.
CHECK_SCRIPT = "<script>\n" + INKED_SHARE_JS + """
// The load event waits for every image; drawImage then decodes each one at once, so nothing here
// races the browser's own (asynchronous) decoding, which virtual time does not wait for.
window.addEventListener('load', function () {
  var images = Array.prototype.slice.call(document.images);
  var out = document.createElement('pre');
  out.id = 'report-check';
  out.textContent = JSON.stringify({images: images.length,
    inked: images.map(function (img) { return img.complete && img.naturalWidth > 0 ? inkedShare(img) : -1; }),
    alts: images.map(function (img) { return img.alt; }),
    svgs: document.querySelectorAll('svg').length,
    fetched: performance.getEntriesByType('resource').map(function (e) { return e.name; }),
    headings: Array.prototype.map.call(document.querySelectorAll('h2'), function (h) { return h.textContent; }),
    banner: document.getElementById('incomplete') !== null});
  document.body.appendChild(out);
});
</script>
"""


def report_command(binary, source, h5, out, *extra):
    """The command that builds a report, as a user runs it (it runs scripts/breachsim_report.py)."""
    return [binary, "report", h5, "--out", out, *extra]


def run(command, timeout=300):
    """(the finished process, seconds); a command that cannot start or times out is a process
    with exit code -1 whose stderr says why, so the caller's check reports it."""
    start = time.monotonic()
    try:
        p = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
    except (OSError, subprocess.TimeoutExpired) as exc:
        p = subprocess.CompletedProcess(command, -1, "", f"{command[0]}: {exc}")
    return p, time.monotonic() - start


def make_results(binary, source, work):
    """sweep.h5 (three points: no fine, 120, 240 a breach), shard.h5 (shard 1 of 2 of the same run),
    league.h5 (the league tables over two quarters) and study.h5 (a Morris study of one trust)."""
    with open(os.path.join(source, "tests", "data", "small.yaml"), encoding="utf-8") as f:
        small = f.read()
    sweep_config = os.path.join(work, "sweep.yaml")
    with open(sweep_config, "w", encoding="utf-8") as f:
        f.write(small.replace("name: small", "name: report_sweep").replace("replications: 6", "replications: 3")
                + "sweep:\n  - {path: schemes.ed_4h.rate_gbp, values: [0, 120, 240], "
                  "labels: [no fine, fine 120, fine 240]}\n")
    small_config = os.path.join(source, "tests", "data", "small.yaml")
    study_config = os.path.join(work, "study.yaml")
    with open(os.path.join(source, "configs", "teaching", "one_trust.yaml"), encoding="utf-8") as f:
        one_trust = f.read()
    with open(study_config, "w", encoding="utf-8") as f:
        f.write(one_trust + STUDY_SECTION)
    runs = {
        "sweep": [sweep_config],
        "shard": [sweep_config, "--shard", "1/2"],
        "league": [small_config, "--set", "scenario.months=6", "--replications", "3",
                   "--set", "regimes=[{preset: league_tables_2025_26}]"],
        "study": [study_config, "--set", "scenario.months=3", "--replications", "2"],
    }
    files = {}
    for name, args in runs.items():
        files[name] = os.path.join(work, name + ".h5")
        p, seconds = run([binary, "run", *args, "--threads", "2", "--quiet", "--out", files[name]])
        print(f"made {name}.h5 in {seconds:.1f} s", flush=True)
        if p.returncode != 0:
            raise SystemExit(f"FAIL: breachsim run {' '.join(args)} exited {p.returncode}: {p.stderr.strip()}")
    return files


def static_checks(name, page_path, expected):
    with open(page_path, encoding="utf-8") as f:
        page = f.read()
    external = re.findall(r"""(?:src|href)\s*=\s*["']?\s*((?:https?:)?//[^"'\s>]*)""", page, re.I)
    check(not external, f"{name}: the page refers to addresses outside it: {external[:3]}")
    check(not re.search(r"<script|<link[^>]+stylesheet|@import|url\(\s*['\"]?https?:", page, re.I),
          f"{name}: the page has a script, a linked style sheet or an imported resource")
    for heading in expected:
        check(f"<h2>{html.escape(heading)}</h2>" in page, f"{name}: no section '{heading}' in the page")


def browse(name, page_path, work):
    """Opens a copy of the page with the check script in Chromium: (what the script counted,
    the screenshot's path)."""
    with open(page_path, encoding="utf-8") as f:
        page = f.read()
    probe = os.path.join(work, name + ".check.html")
    with open(probe, "w", encoding="utf-8") as f:
        f.write(page.replace("</body>", CHECK_SCRIPT + "</body>"))
    shot = os.path.join(work, name + ".png")
    command = [CHROMIUM, "--headless=new", "--disable-gpu", "--hide-scrollbars", "--no-first-run",
               "--disable-extensions", f"--user-data-dir={os.path.join(work, 'chromium-profile')}",
               "--virtual-time-budget=10000", "--window-size=1280,4000", f"--screenshot={shot}", "--dump-dom",
               "file://" + os.path.abspath(probe)]
    if os.geteuid() == 0:
        command.insert(1, "--no-sandbox")  # Chromium refuses to run as root inside its sandbox
    p, seconds = run(command, timeout=180)
    print(f"chromium rendered {name}.html in {seconds:.1f} s", flush=True)
    found = re.search(r'<pre id="report-check">(.*?)</pre>', p.stdout, re.S)
    if not check(found is not None, f"{name}: Chromium printed no check result (exit {p.returncode}): "
                                    f"{p.stderr.strip()[-300:]}"):
        return None, shot
    return json.loads(html.unescape(found.group(1))), shot


def check_render(name, result, expected, incomplete):
    check(result["images"] + result["svgs"] >= 3, f"{name}: only {result['images'] + result['svgs']} plots")
    # A plot that did not decode reads -1; one that decoded only in part (a truncated PNG) is mostly
    # blank, where a whole plot draws on a few percent of its pixels at least.
    broken = [alt for alt, share in zip(result["alts"], result["inked"]) if share < 0.005]
    drawn = [share for share in result["inked"] if share >= 0]
    least = f"{100 * min(drawn):.1f}%" if drawn else "n/a"
    print(f"{name}: {len(drawn)} of {result['images']} images loaded, the least drawn on {least} of its pixels",
          flush=True)
    check(not broken, f"{name}: {len(broken)} of {result['images']} images did not load or decode whole: {broken}")
    check(not result["fetched"], f"{name}: the page fetched {result['fetched'][:3]}")
    missing = [h for h in expected if h not in result["headings"]]
    check(not missing, f"{name}: the rendered page lacks the sections {missing}")
    check(result["banner"] == incomplete,
          f"{name}: the incomplete-results banner is {'absent' if incomplete else 'present'}")


def check_study(name, page_path, result):
    """The study's page: its sensitivity and convergence charts drawn, and no section that compares points."""
    with open(page_path, encoding="utf-8") as f:
        page = f.read()
    present = [h for h in STUDY_ABSENT if f"<h2>{html.escape(h)}</h2>" in page or h in result["headings"]]
    check(not present, f"{name}: a study's page has the sections that list its design rows: {present}")
    for alt in (STUDY_CHART_ALT, STUDY_CONVERGENCE_ALT):
        drawn = [share for a, share in zip(result["alts"], result["inked"]) if a == alt]
        check(len(drawn) == 1 and drawn[0] >= 0.005, f"{name}: the chart '{alt}' is not drawn (inked {drawn})")


def check_exit_codes(binary, source, work, h5):
    p, _ = run(report_command(binary, source, os.path.join(work, "missing.h5"), os.path.join(work, "x.html")))
    check(p.returncode == 2 and "missing.h5" in p.stderr,
          f"a missing file: exit {p.returncode} (expected 2), message {p.stderr.strip()!r}")
    check(not os.path.exists(os.path.join(work, "x.html")), "a missing file left a page behind")
    page = os.path.join(work, "existing.html")
    with open(page, "w", encoding="utf-8") as f:
        f.write("keep me")
    p, _ = run(report_command(binary, source, h5, page))
    check(p.returncode == 2 and "existing.html" in p.stderr and "--force" in p.stderr,
          f"an existing --out without --force: exit {p.returncode} (expected 2), message {p.stderr.strip()!r}")
    with open(page, encoding="utf-8") as f:
        check(f.read() == "keep me", "an existing --out without --force was written over")
    p, _ = run(report_command(binary, source, h5, page, "--force"))
    check(p.returncode == 0 and os.path.getsize(page) > 1000,
          f"--force: exit {p.returncode} (expected 0, a page written): {p.stderr.strip()}")
    p, _ = run(report_command(binary, source, os.path.join(work, "sweep.yaml"), os.path.join(work, "y.html")))
    check(p.returncode == 2, f"a file that is not a result: exit {p.returncode} (expected 2): {p.stderr.strip()}")
    leftovers = glob.glob(os.path.join(work, "*.partial"))
    check(not leftovers, f"partial pages left behind: {leftovers}")


def main():
    started = browser_test_start(__doc__)
    if isinstance(started, int):
        return started
    binary, source, work = started
    start = time.monotonic()
    files = make_results(binary, source, work)
    cases = [("sweep", SWEEP_HEADINGS, False), ("shard", SWEEP_HEADINGS, True),
             ("league", BASE_HEADINGS + ["League tables"], False),
             ("study", BASE_HEADINGS + [STUDY_HEADING], False)]
    for name, expected, incomplete in cases:
        page = os.path.join(work, name + ".html")
        p, seconds = run(report_command(binary, source, files[name], page))
        print(f"report of {name}.h5 in {seconds:.1f} s", flush=True)
        if not check(p.returncode == 0 and os.path.exists(page),
                     f"{name}: the report exited {p.returncode}: {p.stderr.strip()}"):
            continue
        static_checks(name, page, expected)
        result, shot = browse(name, page, work)
        if result is not None:
            check_render(name, result, expected, incomplete)
            if name == "study":
                check_study(name, page, result)
        check_screenshot(name, shot)
    check_exit_codes(binary, source, work, files["shard"])
    print(f"{len(failures)} failure(s) in {time.monotonic() - start:.0f} s")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
