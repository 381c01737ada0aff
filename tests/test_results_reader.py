#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Checks scripts/breachsim_results.py against a real result file.

    /usr/bin/python3 tests/test_results_reader.py FILE.h5

The CTest harness produces FILE.h5 with `breachsim run` and calls this. It checks that every
metric's tidy tables have points x replications x trusts x months rows (x months for the
national ones), in the documented order, with the values h5py reads from the raw arrays;
that the national series of every metric aggregated by "sum" is the sum over trusts; that
the fine schemes (/schemes, /outcomes/scheme_fines) read back in the config's order with
h5py's values and, summed over schemes, give the "fines" metric of every finished task; that
/summary/plan_delivery holds, per point, trust and financial year, the probabilities
recomputed from the trust-month outcomes at the year's last reported month; that the
first-round levy reads back with the baseline's own fines at the baseline point and the
multiplier table has its documented columns; that copies
without schemes read as empty tables; and that the reader refuses a copy of the file
with another filetype or a newer format_version, both as a library and on the command line.

Exit codes: 0 all checks passed ("reader-check OK ..."), 1 a check failed, 2 bad usage,
77 h5py/numpy/pandas not importable ("reader-check SKIP: ...", CTest's SKIP_RETURN_CODE).
"""

import os
import shutil
import subprocess
import sys
import tempfile
import traceback

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
    group = raw_file.get("outcomes/scheme_fines")
    stored = sorted(group.keys()) if group is not None else []
    check(stored == sorted(names), f"/outcomes/scheme_fines holds {stored}, /schemes lists {names}")
    if yaml is not None:
        config = yaml.safe_load(res.config()) or {}
        configured = config.get("schemes") or {}
        check(names == list(configured), f"/schemes names {names}, config schemes {list(configured)} (in order)")
        for name, kind, destination in zip(names, schemes["type"], schemes["destination"]):
            entry = configured.get(name) or {}
            check((kind, destination) == (entry.get("type"), entry.get("destination")),
                  f"/schemes {name}: type/destination {kind}/{destination}, config "
                  f"{entry.get('type')}/{entry.get('destination')}")

    frame = res.scheme_fines()
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
            check(same_values(frame["value"].to_numpy(), raw.ravel()), "scheme_fines values differ from h5py's")
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
        part = res.scheme_fines(subset)
        whole = frame[frame["scheme"].isin(subset)].reset_index(drop=True)
        check(part.equals(whole), f"scheme_fines({subset}) differs from those rows of scheme_fines()")
        check(res.scheme_fines(names[-1]).equals(frame[frame["scheme"] == names[-1]].reset_index(drop=True)),
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
    levy = res.first_round_levy()
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
        n_schemes, n_levied = check_schemes(res, raw_file, sizes, trust_names, month_dates, complete)
        n_plans = check_plan_delivery(res, raw_file, points, trust_names, months, complete)
        n_levies = check_first_round(res, raw_file, points, complete)

    check_without_schemes(path, n_schemes)

    check_refusals(path)
    cli = subprocess.run([sys.executable, READER, path], capture_output=True, text=True)
    check(cli.returncode == 0, f"command line overview: exit {cli.returncode}: {cli.stderr.strip()}")

    if failures:
        for message in failures:
            print(f"reader-check FAIL: {message}")
        return 1
    print(f"reader-check OK {path}: {len(metrics)} metrics, {sizes[0]} points x {sizes[1]} replications "
          f"x {sizes[2]} trusts x {sizes[3]} months, {n_schemes} fine schemes ({n_levied} levied fines), "
          f"{n_plans} plan delivery rows, {n_levies} first-round levies")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv))
    except Exception:  # a reader bug must fail the test, not look like a skip or a usage error
        traceback.print_exc()
        print("reader-check FAIL: unexpected exception (above)")
        sys.exit(1)
