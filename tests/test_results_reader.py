#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Checks scripts/breachsim_results.py against a real result file.

    /usr/bin/python3 tests/test_results_reader.py FILE.h5

The CTest harness produces FILE.h5 with `breachsim run` and calls this. It checks that every
metric's tidy tables have points x replications x trusts x months rows (x months for the
national ones), in the documented order, with the values h5py reads from the raw arrays;
that the national series of every metric aggregated by "sum" is the sum over trusts; and
that the reader refuses a copy of the file with another filetype or a newer format_version,
both as a library and on the command line.

Exit codes: 0 all checks passed ("reader-check OK ..."), 1 a check failed, 2 bad usage,
77 h5py/numpy/pandas not importable ("reader-check SKIP: ...", CTest's SKIP_RETURN_CODE).
"""

import os
import shutil
import subprocess
import sys
import tempfile
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
READER = os.path.join(HERE, os.pardir, "scripts", "breachsim_results.py")

try:
    import numpy as np
    import h5py
    import pandas  # noqa: F401  (the reader needs it)
except ImportError as exc:
    print(f"reader-check SKIP: {exc} (Debian: apt-get install python3-h5py python3-pandas; "
          f"run with /usr/bin/python3)")
    sys.exit(77)

sys.path.insert(0, os.path.dirname(os.path.abspath(READER)))
import breachsim_results as br  # noqa: E402

failures = []


def check(condition, message):
    if not condition:
        failures.append(message)
    return condition


def same_values(a, b):
    a, b = np.asarray(a), np.asarray(b)
    if a.shape != b.shape:
        return False
    if a.dtype.kind == "f" or b.dtype.kind == "f":
        return np.array_equal(a, b, equal_nan=True)
    return np.array_equal(a, b)


def check_metric(res, raw_file, name, dtype, aggregation, sizes, trust_names, month_dates, complete):
    n_points, n_reps, n_trusts, n_months = sizes
    tm_path = f"outcomes/trust_month/{name}"
    nm_path = f"outcomes/national_month/{name}"
    has_tm, has_nm = tm_path in raw_file, nm_path in raw_file
    if not check(has_tm or has_nm, f"{name}: in /metrics but in neither /outcomes group"):
        return

    if has_tm:
        raw = raw_file[tm_path][()]
        frame = res.trust_month(name)
        expected_rows = n_points * n_reps * n_trusts * n_months
        check(raw.shape == (n_points, n_reps, n_trusts, n_months),
              f"{tm_path}: shape {raw.shape}, expected {(n_points, n_reps, n_trusts, n_months)}")
        check(len(frame) == expected_rows, f"{name}: trust_month has {len(frame)} rows, expected {expected_rows}")
        check(list(frame.columns) == ["point", "replication", "trust", "month", "start_date", "value"],
              f"{name}: trust_month columns {list(frame.columns)}")
        check(raw.dtype.name == dtype, f"{tm_path}: dtype {raw.dtype.name}, catalogue says {dtype}")
        check(raw_file[tm_path].attrs.get("dimensions") in ("point,replication,trust,month",
                                                            b"point,replication,trust,month"),
              f"{tm_path}: dimensions attribute missing or wrong")
        check("unit" in raw_file[tm_path].attrs, f"{tm_path}: no unit attribute")
        if len(frame) == raw.size:
            check(same_values(frame["value"].to_numpy(), raw.ravel()), f"{name}: trust_month values differ from h5py's")
            p, r, t, m = (i.ravel() for i in np.indices(raw.shape))
            check(np.array_equal(frame["point"].to_numpy(), p) and np.array_equal(frame["replication"].to_numpy(), r),
                  f"{name}: trust_month point/replication columns out of order")
            check(list(frame["trust"]) == list(trust_names[t]), f"{name}: trust names out of order")
            check(np.array_equal(frame["month"].to_numpy(), m), f"{name}: month column out of order")
            check(list(frame["start_date"]) == list(month_dates[m]), f"{name}: start_date column out of order")

    if has_nm:
        raw_n = raw_file[nm_path][()]
        frame_n = res.national_month(name)
        expected_rows = n_points * n_reps * n_months
        check(raw_n.shape == (n_points, n_reps, n_months),
              f"{nm_path}: shape {raw_n.shape}, expected {(n_points, n_reps, n_months)}")
        check(len(frame_n) == expected_rows, f"{name}: national_month has {len(frame_n)} rows, expected {expected_rows}")
        check(list(frame_n.columns) == ["point", "replication", "month", "start_date", "value"],
              f"{name}: national_month columns {list(frame_n.columns)}")
        check(raw_n.dtype.name == dtype, f"{nm_path}: dtype {raw_n.dtype.name}, catalogue says {dtype}")
        if len(frame_n) == raw_n.size:
            check(same_values(frame_n["value"].to_numpy(), raw_n.ravel()), f"{name}: national_month values differ from h5py's")

    if has_tm and has_nm and aggregation == "sum" and raw.shape[:2] == raw_n.shape[:2] == complete.shape:
        # Only finished tasks hold results; the others keep the fill value.
        total, national = raw[complete].sum(axis=1), raw_n[complete]
        if raw.dtype.kind in "iu":
            ok = np.array_equal(total, national)
        else:
            # The simulator may add trusts in another order than numpy does: allow rounding.
            ok = np.allclose(total, national, rtol=1e-9, atol=1e-9 * max(1.0, float(np.abs(national).max(initial=0))))
        check(ok, f"{name}: national_month is not the sum over trusts (aggregation 'sum')")


def check_refusals(path):
    with tempfile.TemporaryDirectory(prefix="reader-check-") as tmp:
        for label, attr, value, fragment in [
                ("filetype", "filetype", "something-else", "not a breachsim result"),
                ("format_version", "format_version", np.int64(br.FORMAT_VERSION + 1), "newer")]:
            copy = os.path.join(tmp, f"{label}.h5")
            shutil.copyfile(path, copy)
            with h5py.File(copy, "r+") as f:
                f.attrs[attr] = value
            try:
                br.open_results(copy).close()
                check(False, f"open_results accepted a copy with {attr}={value}")
            except br.ResultsFormatError as exc:
                check(fragment in str(exc), f"refusal of {attr}={value} says {exc!r}")
            cli = subprocess.run([sys.executable, READER, copy], capture_output=True, text=True)
            check(cli.returncode == 2, f"command line on {attr}={value}: exit {cli.returncode}, expected 2")


def main(argv):
    if len(argv) != 2:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    path = argv[1]
    if not os.path.isfile(path):
        print(f"reader-check FAIL: {path}: no such file")
        return 1

    with br.open_results(path) as res, h5py.File(path, "r") as raw_file:
        attrs = res.attrs()
        for key in ["filetype", "format_version", "breachsim_version", "git_commit", "build",
                    "library_versions", "seed", "replications", "created_utc", "command_line",
                    "config_sha256", "scenario_name", "first_month", "months", "warmup_months"]:
            check(key in attrs, f"root attribute {key!r} missing")
        check(isinstance(res.config(), str) and res.config().strip() != "", "/config is empty")
        points, trusts, months, metrics = res.points(), res.trusts(), res.months(), res.metrics()
        summary = res.summary()
        check("point" in points.columns, "/points has no point column")
        for table, frame, columns in [
                ("trusts", trusts, ["index", "name", "region", "size_class", "ed_arrivals_per_year"]),
                ("months", months, ["index", "start_date", "financial_year", "fy_quarter"]),
                ("metrics", metrics, ["name", "unit", "description", "aggregation", "dtype"]),
                ("summary/national_run", summary, ["point", "metric", "unit", "statistic", "mean", "ci95_low",
                                                   "ci95_high", "median", "q05", "q95", "replications"])]:
            missing = [c for c in columns if c not in frame.columns]
            check(not missing, f"/{table}: columns {missing} missing")
        for table, frame in [("trusts", trusts), ("months", months), ("metrics", metrics)]:
            check(len(frame) > 0, f"/{table} is empty")
            for column in frame.columns:
                if frame[column].dtype == object:
                    check(all(isinstance(v, str) for v in frame[column]), f"/{table}.{column}: not decoded to str")
        check(len(months) == attrs.get("months"), f"/months has {len(months)} rows, attribute months={attrs.get('months')}")

        sizes = (len(points), int(attrs.get("replications", -1)), len(trusts), len(months))
        complete = raw_file["progress"][()] == 1
        check(complete.shape == sizes[:2], f"/progress shape {complete.shape}, expected {sizes[:2]}")
        trust_names = trusts["name"].to_numpy(dtype=object)
        month_dates = months["start_date"].to_numpy(dtype=object)
        check(len(metrics) > 0, "no metrics")
        for name, dtype, aggregation in zip(metrics["name"], metrics["dtype"], metrics["aggregation"]):
            check_metric(res, raw_file, name, dtype, aggregation, sizes, trust_names, month_dates, complete)

    check_refusals(path)
    cli = subprocess.run([sys.executable, READER, path], capture_output=True, text=True)
    check(cli.returncode == 0, f"command line overview: exit {cli.returncode}: {cli.stderr.strip()}")

    if failures:
        for message in failures:
            print(f"reader-check FAIL: {message}")
        return 1
    print(f"reader-check OK {path}: {len(metrics)} metrics, {sizes[0]} points x {sizes[1]} replications "
          f"x {sizes[2]} trusts x {sizes[3]} months")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv))
    except Exception:  # a reader bug must fail the test, not look like a skip or a usage error
        traceback.print_exc()
        print("reader-check FAIL: unexpected exception (above)")
        sys.exit(1)
