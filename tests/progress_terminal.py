#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""The progress bar as a terminal shows it: breachsim run in a pseudo-terminal of a set width.

Checks that every redraw of the bar fits the width (nothing reaches the last column, where a
terminal would wrap it), at 80 and at 40 columns; that a run of one long task shows progress
inside that task (the months simulated) before it ends; and that Ctrl-C is acknowledged at
once, after which no bar is drawn, with exit code 130.

usage: progress_terminal.py BREACHSIM_EXE SOURCE_DIR WORK_DIR
Exit codes: 0 all checks passed, 1 a check failed.
"""

import fcntl
import os
import pty
import re
import select
import signal
import struct
import sys
import termios

exe, source, work = sys.argv[1:4]
os.makedirs(work, exist_ok=True)
os.chdir(source)
failures = []

# One trust for ten years, one task on one thread: a second or two in which a task runs alone.
ONE_LONG_TASK = ["configs/teaching/one_trust.yaml", "--replications", "1", "--threads", "1",
                 "--set", "scenario.months=120", "--force"]


def run_in_terminal(args, columns, interrupt=False):
    """Runs breachsim in a pseudo-terminal `columns` wide; its output and exit code. With
    `interrupt`, SIGINT once the bar has been drawn."""
    pid, fd = pty.fork()
    if pid == 0:
        os.execv(exe, [exe, "run"] + args)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 24, columns, 0, 0))
    output, sent = b"", False
    while True:
        ready, _, _ = select.select([fd], [], [], 0.1)
        if not ready:
            continue
        try:
            data = os.read(fd, 65536)
        except OSError:  # the child has gone: Linux ends a pty's reads with EIO
            break
        if not data:
            break
        output += data
        if interrupt and not sent and b"\r[" in output:
            os.kill(pid, signal.SIGINT)
            sent = True
    _, status = os.waitpid(pid, 0)
    os.close(fd)
    return output.decode(errors="replace"), os.waitstatus_to_exitcode(status)


def redraws(text):
    """What the bar wrote over its line: the pieces of text between carriage returns that are
    a bar ("[===>  ]  40% ..."), a percentage alone, or the spaces that clear it. (Lines
    written whole end in \\r\\n on a pty, so the pieces include them too.)"""
    pieces = re.split(r"\r", text)[1:]
    return [p for p in pieces if p and (re.match(r"^(\[|\s*\d+%)", p) or not p.strip(" "))]


def check(condition, message):
    if not condition:
        failures.append(message)


for columns in (80, 40):
    text, code = run_in_terminal(ONE_LONG_TASK + ["--out", f"{work}/bar_{columns}.h5"], columns)
    check(code == 0, f"{columns} columns: exit {code}: {text[-500:]!r}")
    bars = redraws(text)
    check(any(b.startswith("[") for b in bars), f"{columns} columns: no bar drawn: {text[:500]!r}")
    for b in bars:
        check(len(b) <= columns - 1, f"{columns} columns: a redraw {len(b)} wide: {b!r}")
    # Progress inside the one task: a percentage strictly between 0 and 100 before it ends.
    inside = [b for b in bars if re.search(r"\b([1-9]|[1-9][0-9])% 0/1 tasks", b)]
    check(inside, f"{columns} columns: no progress shown inside the running task: {bars!r}")
    if columns == 80:
        check(any(re.search(r"\d+/123 months, [0-9.]+ M events/s", b) for b in bars),
              f"80 columns: the bar lacks its months and events: {bars!r}")

text, code = run_in_terminal(["configs/teaching/one_trust.yaml", "--replications", "6", "--threads", "1",
                              "--set", "scenario.months=60", "--force", "--out", f"{work}/interrupted.h5"],
                             80, interrupt=True)
check(code == 130, f"Ctrl-C: exit {code}, expected 130: {text[-500:]!r}")
notice = text.find("breachsim: interrupted (SIGINT): finishing the tasks in flight, then saving the finished ones")
check(notice >= 0, f"Ctrl-C was not acknowledged: {text!r}")
if notice >= 0:
    check("\r[" not in text[notice:], f"the bar was drawn after Ctrl-C: {text[notice:]!r}")
check(re.search(r"stopped by signal 2: [0-9]+ of 6 tasks are in", text), f"no final stop message: {text!r}")

for failure in failures:
    print("FAIL:", failure)
if failures:
    sys.exit(1)
print("progress in a terminal: all checks passed")
