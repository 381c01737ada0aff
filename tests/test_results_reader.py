#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Checks scripts/breachsim_results.py against a real result file.

    /usr/bin/python3 tests/test_results_reader.py FILE.h5 [MORE.h5 ...]

The CTest harness produces FILE.h5 with `breachsim run` and calls this; further files (an
interrupted run's, a shard's, one with footprints) get the same checks by hand. It checks that
every metric's tidy tables have points x replications x trusts x months rows (x months for the
national ones), in the documented order, with the values h5py reads from the raw arrays (NaN
for unfinished tasks, and no UnfinishedTasksWarning and the stored dtype when every task
finished);
that the national series of every metric aggregated by "sum" is the sum over trusts; that
the fine schemes (/schemes, /outcomes/scheme_fines) read back in the config's order with
h5py's values and, summed over schemes, give the "fines" metric of every finished task; that
/summary/plan_delivery holds, per point, trust and financial year, the probabilities
recomputed from the trust-month outcomes at the year's last reported month; that the
first-round levy reads back with the baseline's own fines at the baseline point and the
multiplier table has its documented columns; that copies
without schemes read as empty tables; and that the reader refuses a copy of the file
with another filetype or a newer format_version, both as a library and on the command line.
It checks that the command-line overview fits a screen (at most 45 lines of at most 100
characters, even with very long names) and the listings it points to work; that on a copy of
FILE.h5 with tasks marked unfinished in /progress every tidy table leaves their rows out (or
gives NaN with unfinished="nan") and warns how many are unfinished and what completes them;
and, with python3-xarray, that to_xarray gives the raw arrays with named dimensions and
coordinates, on the file and on copies with HDF5 dimension scales attached, and that where
the file carries scales xarray.open_dataset (h5netcdf) names the dimensions and coordinates.

Exit codes: 0 all checks passed ("reader-check OK ..."), 1 a check failed, 2 bad usage,
77 h5py/numpy/pandas not importable ("reader-check SKIP: ...", CTest's SKIP_RETURN_CODE).
"""

import importlib.util
import os
import shutil
import subprocess
import sys
import tempfile
import traceback
import warnings

try:
    import yaml  # optional: cross-checks /schemes against the schemes map of /config
except ImportError:
    yaml = None

HERE = os.path.dirname(os.path.abspath(__file__))
READER = os.path.join(HERE, os.pardir, "scripts", "breachsim_results.py")

try:
    import numpy as np
    import h5py
    import pandas as pd
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


def blanked(raw, complete):
    """What the reader must give for `raw` ([point][replication]...): NaN in unfinished tasks'
    slots (float64), the stored array itself when every task finished."""
    if complete.all():
        return raw
    out = raw.astype(np.float64)
    out[~complete] = np.nan
    return out


def mode_for(complete):
    """The reader's default ("drop") keeps the whole grid only when every task finished; the
    grid checks need it whole, so an incomplete file is read with unfinished="nan"."""
    return "drop" if complete.all() else "nan"


def check_metric(res, raw_file, name, dtype, aggregation, sizes, trust_names, month_dates, complete):
    n_points, n_reps, n_trusts, n_months = sizes
    tm_path = f"outcomes/trust_month/{name}"
    nm_path = f"outcomes/national_month/{name}"
    has_tm, has_nm = tm_path in raw_file, nm_path in raw_file
    if not check(has_tm or has_nm, f"{name}: in /metrics but in neither /outcomes group"):
        return

    mode = mode_for(complete)
    if has_tm:
        raw = raw_file[tm_path][()]
        frame = res.trust_month(name, unfinished=mode)
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
            want = blanked(raw, complete)
            check(same_values(frame["value"].to_numpy(), want.ravel()),
                  f"{name}: trust_month values differ from h5py's")
            check(frame["value"].dtype == want.dtype, f"{name}: trust_month values are {frame['value'].dtype}, "
                                                      f"expected {want.dtype}")
            p, r, t, m = (i.ravel() for i in np.indices(raw.shape))
            check(np.array_equal(frame["point"].to_numpy(), p) and np.array_equal(frame["replication"].to_numpy(), r),
                  f"{name}: trust_month point/replication columns out of order")
            check(list(frame["trust"]) == list(trust_names[t]), f"{name}: trust names out of order")
            check(np.array_equal(frame["month"].to_numpy(), m), f"{name}: month column out of order")
            check(list(frame["start_date"]) == list(month_dates[m]), f"{name}: start_date column out of order")

    if has_nm:
        raw_n = raw_file[nm_path][()]
        frame_n = res.national_month(name, unfinished=mode)
        expected_rows = n_points * n_reps * n_months
        check(raw_n.shape == (n_points, n_reps, n_months),
              f"{nm_path}: shape {raw_n.shape}, expected {(n_points, n_reps, n_months)}")
        check(len(frame_n) == expected_rows, f"{name}: national_month has {len(frame_n)} rows, expected {expected_rows}")
        check(list(frame_n.columns) == ["point", "replication", "month", "start_date", "value"],
              f"{name}: national_month columns {list(frame_n.columns)}")
        check(raw_n.dtype.name == dtype, f"{nm_path}: dtype {raw_n.dtype.name}, catalogue says {dtype}")
        if len(frame_n) == raw_n.size:
            want = blanked(raw_n, complete)
            check(same_values(frame_n["value"].to_numpy(), want.ravel()),
                  f"{name}: national_month values differ from h5py's")
            check(frame_n["value"].dtype == want.dtype, f"{name}: national_month values are {frame_n['value'].dtype}")
            if complete.all():  # nothing to blank: unfinished="nan" keeps the stored type too
                kept = res.national_month(name, unfinished="nan")["value"]
                check(kept.dtype == raw_n.dtype, f"{name}: national_month(unfinished='nan') values are {kept.dtype}")

    if has_tm and has_nm and aggregation == "sum" and raw.shape[:2] == raw_n.shape[:2] == complete.shape:
        # Only finished tasks hold results; the others keep the fill value.
        total, national = raw[complete].sum(axis=1), raw_n[complete]
        if raw.dtype.kind in "iu":
            ok = np.array_equal(total, national)
        else:
            # The simulator may add trusts in another order than numpy does: allow rounding.
            ok = np.allclose(total, national, rtol=1e-9, atol=1e-9 * max(1.0, float(np.abs(national).max(initial=0))))
        check(ok, f"{name}: national_month is not the sum over trusts (aggregation 'sum')")


SCHEMES_COLUMNS = ["index", "name", "type", "destination"]
SCHEME_FINES_COLUMNS = ["point", "replication", "trust", "month", "start_date", "scheme", "value"]


PLAN_DELIVERY_COLUMNS = ["point", "trust", "financial_year", "months", "replications",
                         "control_total_met_probability", "cip_in_full_probability", "cip_delivered_share_mean"]


def check_plan_delivery(res, raw_file, points, trust_names, months, complete):
    """/summary/plan_delivery against the trust-month outcomes at each financial year's last
    reported month, over the complete replications; absent without trust detail."""
    has_trusts = "outcomes/trust_month/control_total_met" in raw_file
    if not has_trusts:
        check("plan_delivery" not in res.summary_tables(), "/summary/plan_delivery written without trust detail")
        return 0
    if not check("plan_delivery" in res.summary_tables(), "/summary/plan_delivery missing from a file with trust detail"):
        return 0
    frame = res.summary("plan_delivery")
    check(list(frame.columns) == PLAN_DELIVERY_COLUMNS, f"/summary/plan_delivery columns {list(frame.columns)}")
    years = list(dict.fromkeys(months["financial_year"]))  # in calendar order
    last = {y: int(months.index[months["financial_year"] == y][-1]) for y in years}
    count = {y: int((months["financial_year"] == y).sum()) for y in years}
    met_raw = raw_file["outcomes/trust_month/control_total_met"][()]
    cip_raw = raw_file["outcomes/trust_month/cip_delivered_share"][()]
    expected = []
    for p, point_name in enumerate(points["name"]):
        done = complete[p]
        for t, trust in enumerate(trust_names):
            for y in years:
                met, cip = met_raw[p, done, t, last[y]], cip_raw[p, done, t, last[y]]
                expected.append((point_name, trust, y, count[y], int(done.sum()), met.mean(), (cip >= 1.0).mean(), cip.mean()))
    if not check(len(frame) == len(expected), f"/summary/plan_delivery has {len(frame)} rows, expected {len(expected)}"):
        return 0
    for row, want in zip(frame.itertuples(index=False), expected):
        got = tuple(row)
        check(got[:5] == want[:5], f"/summary/plan_delivery row {got[:5]}, expected {want[:5]}")
        check(np.allclose(got[5:], want[5:], rtol=1e-12, atol=0.0),
              f"/summary/plan_delivery {got[:3]}: {got[5:]}, recomputed {want[5:]}")
    return len(frame)


def check_schemes(res, raw_file, sizes, trust_names, month_dates, complete):
    """Returns (schemes, schemes that levied anything in a finished task)."""
    n_points, n_reps, n_trusts, n_months = sizes
    schemes = res.schemes()
    if not check(list(schemes.columns)[:4] == SCHEMES_COLUMNS, f"/schemes columns {list(schemes.columns)}"):
        return 0, 0
    names = list(schemes["name"])
    check(np.array_equal(schemes["index"].to_numpy(), np.arange(len(schemes))), "/schemes index is not 0, 1, ...")
    check(len(set(names)) == len(names), f"/schemes names repeat: {names}")
    check(all(isinstance(v, str) for c in SCHEMES_COLUMNS[1:] for v in schemes[c]), "/schemes strings not decoded")
    raw_table = raw_file["schemes"][()]
    check([v.decode() if isinstance(v, bytes) else v for v in raw_table["name"]] == names,
          "/schemes names differ from h5py's")
    if "outcomes/trust_month" not in raw_file:  # output.detail: national keeps no fines by trust or scheme
        check("outcomes/scheme_fines" not in raw_file, "/outcomes/scheme_fines in a file without trust detail")
        try:
            res.scheme_fines()
            check(not names, "scheme_fines read a file without trust detail")
        except KeyError as exc:
            check("trust detail" in str(exc), f"scheme_fines without trust detail refused with {exc!r}")
        return len(names), 0
    group = raw_file.get("outcomes/scheme_fines")
    stored = sorted(k for k, v in group.items() if not h5py.h5ds.is_scale(v.id)) if group is not None else []
    check(stored == sorted(names), f"/outcomes/scheme_fines holds {stored}, /schemes lists {names}")
    if yaml is not None:
        config = yaml.safe_load(res.config()) or {}
        configured = config.get("schemes") or {}
        check(names == list(configured), f"/schemes names {names}, config schemes {list(configured)} (in order)")
        for name, kind, destination in zip(names, schemes["type"], schemes["destination"]):
            entry = configured.get(name) or {}
            if len(res.points()) > 1:  # a sweep's /config is as read: a key left out took its default
                entry = {"type": kind, "destination": destination, **entry}
            check((kind, destination) == (entry.get("type"), entry.get("destination")),
                  f"/schemes {name}: type/destination {kind}/{destination}, config "
                  f"{entry.get('type')}/{entry.get('destination')}")

    mode = mode_for(complete)
    frame = res.scheme_fines(unfinished=mode)
    S = len(names)
    check(list(frame.columns) == SCHEME_FINES_COLUMNS, f"scheme_fines columns {list(frame.columns)}")
    expected_rows = n_points * n_reps * n_trusts * n_months * S
    if not check(len(frame) == expected_rows, f"scheme_fines has {len(frame)} rows, expected {expected_rows}"):
        return S, 0
    check(frame["value"].dtype == np.float64, f"scheme_fines value dtype {frame['value'].dtype}")
    levied = 0
    if S:
        raw = np.stack([raw_file[f"outcomes/scheme_fines/{name}"][()] for name in names], axis=-1)
        check(raw.shape == (n_points, n_reps, n_trusts, n_months, S),
              f"scheme_fines arrays have shape {raw.shape[:4]}, expected {sizes}")
        if raw.size == len(frame):
            check(same_values(frame["value"].to_numpy(), blanked(raw, complete).ravel()),
                  "scheme_fines values differ from h5py's")
            p, r, t, m, k = (i.ravel() for i in np.indices(raw.shape))
            check(np.array_equal(frame["point"].to_numpy(), p) and np.array_equal(frame["replication"].to_numpy(), r),
                  "scheme_fines point/replication columns out of order")
            check(list(frame["trust"]) == list(trust_names[t]), "scheme_fines trust names out of order")
            check(np.array_equal(frame["month"].to_numpy(), m), "scheme_fines month column out of order")
            check(list(frame["start_date"]) == list(month_dates[m]), "scheme_fines start_date column out of order")
            check(list(frame["scheme"]) == list(np.array(names, dtype=object)[k]),
                  "scheme_fines scheme column not in /schemes order")
        if raw.shape[:2] == complete.shape:
            done = raw[complete]
            check(np.isfinite(done).all() and (done >= 0).all(), "scheme_fines: a negative or non-finite fine")
            levied = int((done > 0).any(axis=(0, 1, 2)).sum())

        # A subset is the same rows of the whole table, in /schemes order whatever order was asked.
        subset = list(reversed(names[:2]))
        part = res.scheme_fines(subset, unfinished=mode)
        whole = frame[frame["scheme"].isin(subset)].reset_index(drop=True)
        check(part.equals(whole), f"scheme_fines({subset}) differs from those rows of scheme_fines()")
        check(res.scheme_fines(names[-1], unfinished=mode).equals(
                  frame[frame["scheme"] == names[-1]].reset_index(drop=True)),
              f"scheme_fines({names[-1]!r}) differs from those rows of scheme_fines()")
    empty = res.scheme_fines([])
    check(list(empty.columns) == SCHEME_FINES_COLUMNS and len(empty) == 0, "scheme_fines([]) is not an empty table")
    try:
        res.scheme_fines(["no such scheme"])
        check(False, "scheme_fines accepted an unknown scheme")
    except KeyError as exc:
        check("no such scheme" in str(exc), f"unknown scheme refused with {exc!r}")

    # Summed over schemes, the finished tasks' fines are the "fines" metric: settlement
    # scales each scheme by the overall caps before adding it up.
    if "outcomes/trust_month/fines" in raw_file:
        keys = ["point", "replication", "trust", "month"]
        fines = res.trust_month("fines")
        done = pd.DataFrame({"point": np.indices(complete.shape)[0].ravel(),
                             "replication": np.indices(complete.shape)[1].ravel(), "complete": complete.ravel()})
        fines = fines.merge(done, on=["point", "replication"], how="left")
        fines = fines[fines["complete"].fillna(False).astype(bool)]
        if S:
            summed = frame.groupby(keys, sort=False)["value"].sum().rename("schemes").reset_index()
            both = fines.merge(summed, on=keys, how="left")
            check(len(both) == len(fines) and both["schemes"].notna().all(),
                  "scheme_fines lacks some (point, replication, trust, month) of trust_month")
            a, b = both["schemes"].to_numpy(dtype=float), both["value"].to_numpy(dtype=float)
            bad = ~np.isclose(a, b, rtol=1e-6, atol=1e-6)
            check(not bad.any(), f"sum over schemes differs from fines in {int(bad.sum())} trust-months, e.g. "
                                 f"{both[bad].head(3).to_dict('records')}")
        else:
            check((fines["value"] == 0).all(), "fines levied in a file without schemes")
    return S, levied


def rewrite_schemes(path, copy, table, group):
    """A copy of path whose /schemes has the rows `table` keeps ("none" or "all") and whose
    /outcomes/scheme_fines is absent, empty or as written ("absent", "empty", "keep")."""
    shutil.copyfile(path, copy)
    with h5py.File(copy, "r+") as f:
        if table == "none":
            dtype = f["schemes"].dtype
            del f["schemes"]
            f.create_dataset("schemes", shape=(0,), dtype=dtype)
        elif table == "missing":
            del f["schemes"]
        if group in ("absent", "empty") and "outcomes/scheme_fines" in f:
            del f["outcomes/scheme_fines"]
        if group == "empty":
            f.create_group("outcomes/scheme_fines")


MULTIPLIER_COLUMNS = (["point"] + [f"{part}{end}" for part in ["first_round_fines", "induced_fines", "lost_income",
                                                                  "cost_change", "interest", "returned", "delta_deficit"]
                                    for end in ["", "_low", "_high"]]
                      + ["multiplier", "multiplier_low", "multiplier_high", "replications", "share_deepened",
                         "differs_in"])


def check_first_round(res, raw_file, points, complete):
    """/outcomes/first_round_levy: one value per point and replication, written by the baseline's
    tasks, whose own sanctions on their own breaches are exactly their fines; /summary/multiplier:
    one row per point but the baseline. Returns the number of levies read."""
    levy = res.first_round_levy(unfinished="nan")
    fines = raw_file["outcomes/national_month/fines"][()].sum(axis=-1)  # [point][replication], month order
    baseline = int(res.attrs()["baseline_point"])
    n_points, n_reps = complete.shape
    if not check(list(levy.columns) == ["point", "replication", "value"] and len(levy) == n_points * n_reps,
                 f"first_round_levy() has columns {list(levy.columns)} and {len(levy)} rows"):
        return 0
    values = levy["value"].to_numpy().reshape(n_points, n_reps)
    for r in range(n_reps):
        if complete[baseline, r]:
            check(not np.isnan(values[:, r]).any(), f"first_round_levy of replication {r} not written")
            check(values[baseline, r] == fines[baseline, r],
                  f"replication {r}: the baseline's levy {values[baseline, r]} is not its fines {fines[baseline, r]}")
        else:
            check(np.isnan(values[:, r]).all(), f"first_round_levy of unfinished replication {r} is not NaN")
    table = res.summary("multiplier")
    check(list(table.columns) == MULTIPLIER_COLUMNS, f"/summary/multiplier columns {list(table.columns)}")
    check(list(table["point"]) == [p for p in range(len(points)) if p != baseline],
          f"/summary/multiplier rows for points {list(table['point'])}")
    check("deficit_multiplier" not in res.summary_tables(), "/summary/deficit_multiplier still written")
    return int(complete[baseline].sum()) * n_points


def check_without_schemes(path, n_schemes):
    with tempfile.TemporaryDirectory(prefix="reader-check-") as tmp:
        for table, group in [("none", "absent"), ("none", "empty"), ("missing", "absent")]:
            copy = os.path.join(tmp, f"{table}-{group}.h5")
            rewrite_schemes(path, copy, table, group)
            label = f"/schemes {table}, /outcomes/scheme_fines {group}"
            with br.open_results(copy) as res:
                schemes, fines = res.schemes(), res.scheme_fines()
                check(list(schemes.columns) == SCHEMES_COLUMNS and len(schemes) == 0,
                      f"{label}: schemes() is {list(schemes.columns)} with {len(schemes)} rows")
                check(list(fines.columns) == SCHEME_FINES_COLUMNS and len(fines) == 0,
                      f"{label}: scheme_fines() is {list(fines.columns)} with {len(fines)} rows")
                check(str(schemes["index"].dtype) == "int64" and str(fines["value"].dtype) == "float64"
                      and str(fines["month"].dtype) == "int64", f"{label}: empty tables have the wrong dtypes")
            cli = subprocess.run([sys.executable, READER, copy], capture_output=True, text=True)
            check(cli.returncode == 0, f"command line overview with {label}: exit {cli.returncode}: {cli.stderr.strip()}")
        if n_schemes:
            # A scheme listed in /schemes without its dataset is a broken file, not an empty one.
            copy = os.path.join(tmp, "dataset-missing.h5")
            rewrite_schemes(path, copy, "keep", "empty")
            with br.open_results(copy) as res:
                try:
                    res.scheme_fines()
                    check(False, "scheme_fines accepted a file whose /outcomes/scheme_fines lacks a listed scheme")
                except br.ResultsFormatError as exc:
                    check("/schemes lists" in str(exc), f"missing scheme dataset refused with {exc!r}")


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


SCREEN_LINES, SCREEN_WIDTH = 45, 100  # the overview fits one screen (issue 16)
HEADLINE_SHOWN = ["ed_breaches_4h", "fines", "surplus", "cumulative_deficit"]


def run_reader(*args):
    return subprocess.run([sys.executable, READER, *args], capture_output=True, text=True)


def check_screen(label, text, max_lines=SCREEN_LINES):
    """At most max_lines lines (None: any number) of at most SCREEN_WIDTH characters."""
    rows = text.splitlines()
    check(max_lines is None or len(rows) <= max_lines,
          f"{label}: {len(rows)} lines, more than the {max_lines} expected")
    wide = [row for row in rows if len(row) > SCREEN_WIDTH]
    check(not wide, f"{label}: {len(wide)} lines wider than {SCREEN_WIDTH} characters, the first "
                    f"{len(wide[0]) if wide else 0} long: {wide[0][:120] if wide else ''!r}...")


def lengthen_names(path, copy, name):
    """A copy of path whose command line, scenario name, points and trusts are named `name`
    (made unique), as a long sweep label or a command with many --set options would be."""
    shutil.copyfile(path, copy)
    with h5py.File(copy, "r+") as f:
        f.attrs["command_line"] = name
        f.attrs["scenario_name"] = name
        for table in ("points", "trusts"):
            rows, dtype = f[table][()], f[table].dtype
            rows["name"] = [f"{name} {i}".encode() for i in range(len(rows))]
            del f[table]
            f.create_dataset(table, data=rows, dtype=dtype)


def check_overview(path, tmp):
    """The overview on one screen: provenance, points by name, what the file holds with the flags
    that list it, the finished tasks and the headline; never a config's text."""
    with br.open_results(path) as res:
        done, metrics, trusts = res.finished(), res.metrics(), res.trusts()
        headline = "national_run" in res.summary_tables()
    out = run_reader(path)
    if not check(out.returncode == 0, f"command line overview: exit {out.returncode}: {out.stderr.strip()}"):
        return
    check_screen("overview", out.stdout)
    text = out.stdout
    check("schema_version" not in text, "the overview prints a config's text")
    check(f"{int(done.sum())} of {done.size} finished" in text, "the overview does not count the finished tasks")
    check(f"{len(metrics)} metrics" in text and f"{len(trusts)} trust" in text,
          "the overview does not count the metrics and trusts")
    for flag in ("--metrics", "--points", "--trusts", "--metric NAME", "breachsim summary"):
        check(flag in text, f"the overview does not say what {flag} shows")
    if headline:
        rows = {line.split()[0] for line in text.splitlines() if line.startswith("  ") and line.split()}
        check(all(m in rows for m in HEADLINE_SHOWN), f"the overview's headline lacks one of {HEADLINE_SHOWN}")

    copy = os.path.join(tmp, "long-names.h5")
    long_name = "a sweep label far longer than any screen " * 12
    lengthen_names(path, copy, long_name)
    out = run_reader(copy)
    check(out.returncode == 0, f"overview with long names: exit {out.returncode}: {out.stderr.strip()}")
    check_screen("overview with long names", out.stdout)
    check("…" in out.stdout, "the overview cuts long names without an ellipsis")
    for flag, count in [("--metrics", len(metrics)), ("--trusts", len(trusts)), ("--points", None)]:
        out = run_reader(copy, flag)
        check(out.returncode == 0, f"{flag}: exit {out.returncode}: {out.stderr.strip()}")
        check_screen(flag, out.stdout, max_lines=None)
        lines = len(out.stdout.splitlines())
        check(count is None or lines == count, f"{flag} lists {lines} lines, expected one per item ({count})")
    out = run_reader(copy, "--attrs")
    check(out.returncode == 0 and long_name.strip() in out.stdout, "--attrs does not print the command line in full")


def unfinished_copy(path, copy, shard=None):
    """A copy of path whose last task (the last replication of the last point) is unfinished in
    /progress, its slots left as they were: the reader must go by /progress alone. Returns
    the copy's finished tasks."""
    shutil.copyfile(path, copy)
    with h5py.File(copy, "r+") as f:
        progress = f["progress"][()]
        progress[-1, -1] = 0
        f["progress"][...] = progress
        if shard:
            f.attrs["shard"] = shard
    return progress == 1


def read_warning(read, label, n_bad, n_total, remedy, expected=True, **options):
    """read(**options), checking that it warns once (if `expected`, else never) that n_bad of
    n_total tasks are unfinished."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = read(**options)
    found = [str(w.message) for w in caught if issubclass(w.category, br.UnfinishedTasksWarning)]
    if check(len(found) == int(expected), f"{label} {options}: {len(found)} UnfinishedTasksWarnings, "
                                          f"expected {int(expected)}") and found:
        check(f"{n_bad} of {n_total} tasks" in found[0] and remedy in found[0],
              f"{label} {options}: the warning says {found[0]!r}, not '{n_bad} of {n_total} tasks' and {remedy!r}")
    return result


def tidy_readers(res, raw_file, done):
    """(label, reader, raw array [point][replication]..., the tasks whose slots hold results)."""
    baseline = int(res.attrs()["baseline_point"])
    readers = [(f"trust_month({m!r})", lambda m=m, **o: res.trust_month(m, **o), f"outcomes/trust_month/{m}")
               for m in ("fines", "ed_breaches_4h")]
    readers += [(f"national_month({m!r})", lambda m=m, **o: res.national_month(m, **o), f"outcomes/national_month/{m}")
                for m in ("fines", "ed_breaches_4h")]
    readers += [(f"footprint_month({s!r})", lambda s=s, **o: res.footprint_month(s, **o),
                 f"outcomes/footprint_month/{s}") for s in ("outturn_to_date", "plan_to_date")]
    found = [(label, read, raw_file[where][()], done) for label, read, where in readers if where in raw_file]
    schemes = list(res.schemes()["name"])
    if schemes and "outcomes/scheme_fines" in raw_file:
        stacked = np.stack([raw_file[f"outcomes/scheme_fines/{name}"][()] for name in schemes], axis=-1)
        found.append(("scheme_fines()", res.scheme_fines, stacked, done))
    if "outcomes/first_round_levy" in raw_file:  # written by the baseline's task of each replication
        found.append(("first_round_levy()", res.first_round_levy, raw_file["outcomes/first_round_levy"][()],
                      np.broadcast_to(done[baseline], done.shape)))
    return found


def check_unfinished(path, tmp):
    """On a copy with a task unfinished, every tidy table leaves its rows out (by default) or gives
    them NaN, warning how many tasks are unfinished and what completes them."""
    copy = os.path.join(tmp, "unfinished.h5")
    done = unfinished_copy(path, copy)
    n_bad, n_total = int((~done).sum()), done.size
    with br.open_results(copy) as res, h5py.File(copy, "r") as raw_file:
        remedy = "breachsim merge" if "shard" in raw_file.attrs else "--resume"
        readers = tidy_readers(res, raw_file, done)
        for label, read, raw, task_done in readers:
            # A levy whose baseline task finished is whole, whichever point's task it belongs to.
            dropped = read_warning(read, label, n_bad, n_total, remedy, not task_done.all())
            check(same_values(dropped["value"].to_numpy(), raw[task_done].ravel())
                  and dropped["value"].dtype == raw.dtype,
                  f"{label}: {len(dropped)} rows of {dropped['value'].dtype}, expected the finished tasks' "
                  f"{int(task_done.sum())} x {raw[0, 0].size} of {raw.dtype}")
            pairs = set(zip(dropped["point"], dropped["replication"]))
            check(all(task_done[p, r] for p, r in pairs), f"{label}: rows of unfinished tasks returned")
            kept = read_warning(read, label, n_bad, n_total, remedy, not task_done.all(), unfinished="nan")
            check(same_values(kept["value"].to_numpy(), blanked(raw, task_done).ravel()),
                  f"{label}, unfinished='nan': not NaN exactly in the unfinished tasks' {raw[0, 0].size} rows")
        if importlib.util.find_spec("xarray") is not None:
            ds = read_warning(res.to_xarray, "to_xarray", n_bad, n_total, remedy, level="national_month",
                              metrics=["fines", "ed_breaches_4h"])
            for name in ("fines", "ed_breaches_4h"):
                check(same_values(ds[name].values, blanked(raw_file[f"outcomes/national_month/{name}"][()], done)),
                      f"to_xarray('national_month')[{name!r}]: not NaN exactly in the unfinished tasks")
        try:
            res.national_month("fines", unfinished="zero")
            check(False, "national_month accepted unfinished='zero'")
        except ValueError as exc:
            check("drop" in str(exc), f"unfinished='zero' refused with {exc!r}")
    out = run_reader(copy, "--metric", "fines")
    check(out.returncode == 0 and f"{n_bad} of {n_total} tasks" in out.stderr and remedy in out.stderr,
          f"--metric on an unfinished file: exit {out.returncode}, stderr {out.stderr.strip()!r}")
    out = run_reader(copy)
    check(f"{int(done.sum())} of {n_total} finished" in out.stdout and remedy in out.stdout,
          "the overview of an unfinished file does not say so, nor what completes it")

    shard = os.path.join(tmp, "shard.h5")
    unfinished_copy(path, shard, shard="1/2")
    with br.open_results(shard) as res:  # a shard's file is completed by merging, not resuming
        read_warning(res.national_month, "a shard's national_month", n_bad, n_total, "breachsim merge",
                     metric="fines")
    return f"{len(readers)} tidy tables drop or blank {n_bad} unfinished of {n_total} tasks"


LEVEL_DIMS = {"trust_month": ("point", "replication", "trust", "month"),
              "national_month": ("point", "replication", "month"),
              "scheme_fines": ("point", "replication", "trust", "month"),
              "footprint_month": ("point", "replication", "footprint", "month")}


def with_scales(path, copy, linked):
    """A copy of path with HDF5 dimension scales: one per dimension in /outcomes (point and
    replication indices, trust and footprint names, month start dates YYYY-MM-DD), attached to
    every outcome array and, if `linked`, hard-linked into each group of arrays too."""
    shutil.copyfile(path, copy)
    with h5py.File(copy, "r+") as f:
        out = f["outcomes"]
        levels = [level for level in LEVEL_DIMS if level in out]
        names = {"trust": f["trusts"]["name"], "month": f["months"]["start_date"],
                 "footprint": list(dict.fromkeys(f["footprints"]["name"])) if "footprints" in f else []}
        scales = {}
        for dim in sorted({d for level in levels for d in LEVEL_DIMS[level]} | {"point", "replication"}):
            if dim in ("point", "replication"):
                data, dtype = np.arange(f["progress"].shape[dim == "replication"], dtype=np.int64), None
            else:
                data, dtype = [v.decode() if isinstance(v, bytes) else v for v in names[dim]], h5py.string_dtype()
            scales[dim] = out.create_dataset(dim, data=data, dtype=dtype)
            scales[dim].make_scale(dim)
        arrays = [(out["first_round_levy"], ("point", "replication"))] if "first_round_levy" in out else []
        for level in levels:
            arrays += [(out[level][name], LEVEL_DIMS[level]) for name in list(out[level])]
            for dim in LEVEL_DIMS[level] if linked else ():
                out[level][dim] = scales[dim]  # a hard link: the same scale under a second name
        for dataset, dims in arrays:
            for axis, dim in enumerate(dims):
                dataset.dims[axis].attach_scale(scales[dim])


def check_dataset(level, ds, res, raw_file, complete):
    """to_xarray(level) against the raw arrays, the tables and /progress."""
    for name in res.metric_names(level):
        raw = raw_file[f"outcomes/{level}/{name}"]
        var, want = ds[name], blanked(raw[()], complete)
        check(var.dims == LEVEL_DIMS[level], f"to_xarray({level!r})[{name!r}] has dimensions {var.dims}")
        check(same_values(var.values, want) and var.dtype == want.dtype,
              f"to_xarray({level!r})[{name!r}] differs from h5py's array (NaN for unfinished tasks)")
        unit = raw.attrs.get("unit")
        unit = unit.decode() if isinstance(unit, bytes) else unit
        check(var.attrs.get("unit") == unit and var.attrs.get("units") == unit,
              f"to_xarray({level!r})[{name!r}] has unit {var.attrs.get('unit')!r}, the file {unit!r}")
    points, months = res.points(), res.months()
    coords = {"point": np.arange(complete.shape[0]), "point_name": list(points["name"]),
              "replication": np.arange(complete.shape[1]), "finished": complete,
              "month": pd.to_datetime(months["start_date"]).to_numpy(),
              "financial_year": list(months["financial_year"])}
    if "trust" in LEVEL_DIMS[level]:
        coords["trust"] = list(res.trusts()["name"])
    if "footprint" in LEVEL_DIMS[level]:
        coords["footprint"] = list(dict.fromkeys(res.footprints()["name"]))
    for coord, want in coords.items():
        got = ds.coords[coord].values if coord in ds.coords else None
        check(got is not None and list(np.ravel(got)) == list(np.ravel(want)),
              f"to_xarray({level!r}): coordinate {coord} is {got!r}, expected {want!r}")


def check_open_dataset(path, mine):
    """xarray's own reading (h5netcdf) of a file with dimension scales names the dimensions as
    to_xarray does; where the scales are in (or linked into) the group, it gives the same
    coordinates too: h5netcdf 1.1 takes coordinates from the opened group's own variables only,
    so scales in /outcomes alone name the dimensions of /outcomes/<level> but label nothing."""
    import xarray
    with h5py.File(path, "r") as f:
        local = {level: [dim for dim in LEVEL_DIMS[level] if dim in f[f"outcomes/{level}"]] for level in mine}
    for level, ours in mine.items():
        with xarray.open_dataset(path, engine="h5netcdf", group=f"outcomes/{level}") as theirs:
            name = next(iter(ours.data_vars))
            check(theirs[name].dims == ours[name].dims,
                  f"{path}: xarray.open_dataset names /outcomes/{level}/{name}'s dimensions {theirs[name].dims}")
            for dim in local[level]:
                got = theirs.coords[dim].values if dim in theirs.coords else None
                want = ours.coords[dim].values
                if dim == "month" and got is not None:
                    got = pd.to_datetime(got).to_numpy()  # YYYY-MM-DD strings, or dates xarray decoded
                check(got is not None and list(got) == list(want),
                      f"{path}: xarray.open_dataset gives /outcomes/{level} no {dim} coordinate equal to "
                      f"to_xarray's ({'absent' if got is None else list(got)[:3]})")


def check_xarray(path, tmp):
    """to_xarray on the file and, if it has no dimension scales, on copies with them (in /outcomes,
    and linked into each group); xarray.open_dataset on the file's scales or the linked copy's."""
    if importlib.util.find_spec("xarray") is None:  # optional: Debian's python3-xarray
        return "to_xarray unchecked (no python3-xarray)"
    with br.open_results(path) as res, h5py.File(path, "r") as raw_file, warnings.catch_warnings():
        warnings.simplefilter("ignore", br.UnfinishedTasksWarning)  # counted in check_unfinished
        complete = raw_file["progress"][()] == 1
        mine = {level: res.to_xarray(level) for level in LEVEL_DIMS if res.metric_names(level)}
        for level, ds in mine.items():
            check_dataset(level, ds, res, raw_file, complete)
        check(list(res.to_xarray("national_month", "fines").data_vars) == ["fines"], "to_xarray(metrics='fines')")
        try:
            res.to_xarray("national_month", ["no such metric"])
            check(False, "to_xarray accepted an unknown metric")
        except KeyError as exc:
            check("no such metric" in str(exc), f"unknown metric refused with {exc!r}")
        names = {level: res.metric_names(level) for level in mine}
        scaled = "DIMENSION_LIST" in raw_file["outcomes/national_month/fines"].attrs
    copies = {} if scaled else {linked: os.path.join(tmp, f"scales-{'linked' if linked else 'parent'}.h5")
                                for linked in (False, True)}
    for linked, copy in copies.items():
        with_scales(path, copy, linked)
        with br.open_results(copy) as res, warnings.catch_warnings():
            warnings.simplefilter("ignore", br.UnfinishedTasksWarning)
            for level, ds in mine.items():
                check(res.metric_names(level) == names[level], f"dimension scales listed as metrics of {level}")
                check(res.to_xarray(level).assign_attrs(source=path).identical(ds),
                      f"to_xarray({level!r}) differs on a copy with dimension scales")
    if importlib.util.find_spec("h5netcdf") is None:  # optional: Debian's python3-h5netcdf
        return f"to_xarray checked at {len(mine)} levels (no python3-h5netcdf)"
    check_open_dataset(path if scaled else copies[True], mine)  # the linked copy: scales where h5netcdf looks
    if not scaled:
        check_open_dataset(copies[False], mine)  # scales in /outcomes only: named dimensions, no coordinates
    return (f"to_xarray checked at {len(mine)} levels; xarray.open_dataset "
            + ("on the file's own dimension scales" if scaled else "on a copy with scales (the file has none)"))


def check_file(path):
    """Every check of the tables and tidy arrays against h5py; returns the line that sums them up."""
    with br.open_results(path) as res, h5py.File(path, "r") as raw_file, \
            warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
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
        n_schemes, n_levied = check_schemes(res, raw_file, sizes, trust_names, month_dates, complete)
        n_plans = check_plan_delivery(res, raw_file, points, trust_names, months, complete)
        n_levies = check_first_round(res, raw_file, points, complete)
        trust_detail = "outcomes/trust_month" in raw_file
    warned = [w for w in caught if issubclass(w.category, br.UnfinishedTasksWarning)]
    check(bool(warned) == (not complete.all()),
          f"{len(warned)} UnfinishedTasksWarnings reading a file with {int((~complete).sum())} unfinished tasks")

    check_without_schemes(path, n_schemes if trust_detail else 0)  # national detail: no scheme datasets to miss
    check_refusals(path)
    return (f"{len(metrics)} metrics, {sizes[0]} points x {sizes[1]} replications x {sizes[2]} trusts x "
            f"{sizes[3]} months ({int(complete.sum())} tasks finished), {n_schemes} fine schemes ({n_levied} "
            f"levied fines), {n_plans} plan delivery rows, {n_levies} first-round levies")


def main(argv):
    if len(argv) < 2:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    paths = argv[1:]
    for path in paths:
        if not os.path.isfile(path):
            print(f"reader-check FAIL: {path}: no such file")
            return 1

    lines = []
    for path in paths:
        with tempfile.TemporaryDirectory(prefix="reader-check-") as tmp:
            summary = check_file(path)
            check_overview(path, tmp)
            notes = [check_unfinished(path, tmp), check_xarray(path, tmp)]
        lines.append(f"reader-check OK {path}: {summary}; " + "; ".join(notes))

    if failures:
        for message in failures:
            print(f"reader-check FAIL: {message}")
        return 1
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv))
    except Exception:  # a reader bug must fail the test, not look like a skip or a usage error
        traceback.print_exc()
        print("reader-check FAIL: unexpected exception (above)")
        sys.exit(1)
