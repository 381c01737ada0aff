# SPDX-License-Identifier: MIT
"""What the Python tests share: a list of failures with check() and fail(), and for the browser
tests, Chromium (installed when missing), the script that measures how much of each image the
browser drew, and the screenshot check. Imported from the test's own folder:

    from test_support import check, fail, failures
"""

import os
import shutil
import subprocess
import sys

CHROMIUM = "/usr/bin/chromium"

# A JavaScript function: the share of a decoded image's pixels that are drawn (not white or
# clear), measured by drawing it into a canvas. A truncated PNG still has a width, but decodes
# to a blank, so `complete && naturalWidth > 0` alone would pass it.
INKED_SHARE_JS = """function inkedShare(img) {
  var canvas = document.createElement('canvas');
  canvas.width = img.naturalWidth; canvas.height = img.naturalHeight;
  var context = canvas.getContext('2d');
  context.drawImage(img, 0, 0);
  var d = context.getImageData(0, 0, canvas.width, canvas.height).data, inked = 0;
  for (var i = 0; i < d.length; i += 4)
    if (d[i + 3] > 0 && (d[i] < 245 || d[i + 1] < 245 || d[i + 2] < 245)) inked++;
  return inked / (d.length / 4);
}"""

failures = []


def fail(message):
    failures.append(message)
    print("FAIL: " + message, flush=True)


def check(condition, message):
    if not condition:
        fail(message)
    return condition


def ensure_chromium(source):
    """None when Chromium is there (installed now if it was missing), else the test's exit code:
    77 (skipped) where scripts/setup.sh may not install it, 1 if it failed to."""
    if os.access(CHROMIUM, os.X_OK):
        return None
    # Installed by the browser tests rather than by scripts/setup.sh: only they need it.
    print("chromium missing; installing it (scripts/setup.sh --packages-only chromium)", flush=True)
    status = subprocess.run(["bash", os.path.join(source, "scripts", "setup.sh"), "--packages-only", "chromium"]).returncode
    if status == 2:
        print(f"SKIP: {CHROMIUM} is not installed and scripts/setup.sh may not install it here (not root, no sudo)")
        return 77
    if status != 0 or not os.access(CHROMIUM, os.X_OK):
        print(f"FAIL: scripts/setup.sh could not install chromium (exit {status}, see build/setup-apt-*.log)")
        return 1
    return None


def check_screenshot(name, shot):
    """The screenshot is not blank: a blank or text-only page has a few hundred colours at most;
    plots bring thousands."""
    import matplotlib.image  # Debian's python3-matplotlib, as the report itself needs
    import numpy as np
    if not check(os.path.exists(shot), f"{name}: no screenshot {shot}"):
        return
    pixels = (matplotlib.image.imread(shot)[..., :3] * 255).round().astype(np.uint32)
    codes = (pixels[..., 0] << 16) | (pixels[..., 1] << 8) | pixels[..., 2]
    colours = len(np.unique(codes))
    inked = float(np.mean(codes != 0xFFFFFF))
    check(colours >= 1000 and inked >= 0.05,
          f"{name}: the screenshot looks blank ({colours} colours, {100 * inked:.1f}% not white): {shot}")
    print(f"screenshot {shot} ({pixels.shape[1]}x{pixels.shape[0]}, {colours} colours, "
          f"{100 * inked:.0f}% not white)", flush=True)


def browser_test_start(doc):
    """The arguments of a browser test (BREACHSIM_BINARY SOURCE_DIR WORK_DIR) as absolute paths,
    with Chromium present and WORK_DIR emptied; or the exit code to end with (2 bad usage, or
    ensure_chromium's)."""
    if len(sys.argv) != 4:
        print(doc)
        return 2
    binary, source, work = (os.path.abspath(a) for a in sys.argv[1:4])
    missing = ensure_chromium(source)
    if missing is not None:
        return missing
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    return binary, source, work
