# SPDX-License-Identifier: MIT
"""Checks a breachsim results file the way a Python user would meet it: through h5py.

Usage: /usr/bin/python3 tests/h5py_check.py FILE.h5

Exit status: 0 when the file follows the contract of results/FORMAT.md,
1 when it does not (every problem is printed), 77 when h5py is not installed (CTest's
conventional "skipped" code, so machines without h5py do not report a failure).
"""

import sys

FILETYPE = "breachsim-results"
FORMAT_VERSION = 2


def as_text(value):
    # h5py returns variable-length UTF-8 strings as str for attributes but as bytes inside
    # datasets and compound members; accept both so the check is about content, not h5py.
    return value.decode("utf-8") if isinstance(value, bytes) else value


def check(h5py, path):
    problems = []
    try:
        f = h5py.File(path, "r")
    except OSError as err:
        return [f"cannot open {path}: {err}"], 0, 0, 0

    with f:
        filetype = as_text(f.attrs.get("filetype"))
        if filetype != FILETYPE:
            problems.append(f"/ @filetype is {filetype!r}, expected {FILETYPE!r}")
        version = f.attrs.get("format_version")
        if version is None or int(version) != FORMAT_VERSION:
            problems.append(f"/ @format_version is {version!r}, expected {FORMAT_VERSION}")

        config = f.get("config")
        if not isinstance(config, h5py.Dataset) or h5py.check_string_dtype(config.dtype) is None:
            problems.append("/config is missing or not a string dataset")
        elif not isinstance(as_text(config[()]), str):
            problems.append("/config does not read back as a single string")

        tables = {}
        for name in ("trusts", "metrics"):
            ds = f.get(name)
            if not isinstance(ds, h5py.Dataset) or ds.dtype.names is None:
                problems.append(f"/{name} is missing or not a compound (table) dataset")
                continue
            table = ds[()]  # a numpy structured array, one field per column
            if table.dtype.names != ds.dtype.names or table.ndim != 1:
                problems.append(f"/{name} does not read as a one-dimensional structured array")
                continue
            tables[name] = table
        trusts = len(tables["trusts"]) if "trusts" in tables else None
        metrics = len(tables["metrics"]) if "metrics" in tables else 0
        schemes = check_schemes(h5py, f, trusts, problems)

        for group_name, rank in (("trust_month", 4), ("national_month", 3)):
            group = f.get(f"outcomes/{group_name}")
            if not isinstance(group, h5py.Group):
                problems.append(f"/outcomes/{group_name} is missing or not a group")
                continue
            for name, ds in sorted(group.items()):
                where = f"/outcomes/{group_name}/{name}"
                if not isinstance(ds, h5py.Dataset):
                    problems.append(f"{where} is not a dataset")
                    continue
                if ds.ndim != rank:
                    problems.append(f"{where} has {ds.ndim} dimensions, expected {rank}")
                if "unit" not in ds.attrs:
                    problems.append(f"{where} has no unit attribute")
                if rank == 4 and ds.ndim == 4 and trusts is not None and ds.shape[2] != trusts:
                    problems.append(f"{where} has {ds.shape[2]} trusts, /trusts has {trusts}")
                if ds.size > 0:
                    # One element is enough to prove the chunk's filters decode here.
                    ds[(0,) * ds.ndim]

        check_first_round_levy(h5py, f, problems)
        check_dimension_scales(h5py, f, problems)
        check_xarray(path, problems)

    return problems, metrics, trusts or 0, schemes


def check_dimension_scales(h5py, f, problems):
    """Every outcome dataset (FORMAT.md, "Outcome arrays") has each dimension named by the
    attached scale /outcomes/<name> of its `dimensions` attribute, the labelled ones equal to
    the tables' names and dates, the others the indices."""
    labels = {"trust": [as_text(n) for n in f["trusts"]["name"]],
              "month": [as_text(d) for d in f["months"]["start_date"]]}
    datasets = []
    f["outcomes"].visititems(lambda name, obj: datasets.append((name, obj))
                             if isinstance(obj, h5py.Dataset) and "dimensions" in obj.attrs else None)
    if len(datasets) < 2:
        problems.append(f"/outcomes holds {len(datasets)} outcome datasets with dimensions")
    for name, ds in datasets:
        dims = as_text(ds.attrs["dimensions"]).split(",")
        for i, dim in enumerate(dims):
            scales = list(ds.dims[i].keys()) if i < ds.ndim else []
            if scales != [dim]:
                problems.append(f"/outcomes/{name}: dimension {i} has scales {scales}, expected [{dim!r}]")
                continue
            values = ds.dims[i][0][()]
            if values.shape != (ds.shape[i],):
                problems.append(f"/outcomes/{name}: the {dim} scale has shape {values.shape}, not ({ds.shape[i]},)")
            elif dim in labels and [as_text(v) for v in values] != labels[dim]:
                problems.append(f"/outcomes/{name}: the {dim} scale's labels differ from the tables'")
            elif dim in ("point", "replication") and list(values) != list(range(ds.shape[i])):
                problems.append(f"/outcomes/{name}: the {dim} scale is not the indices 0..{ds.shape[i] - 1}")


def check_xarray(path, problems):
    """xarray, through h5netcdf, opens the outcome groups with the dimensions named."""
    try:
        import xarray
        import h5netcdf  # noqa: F401  (the engine)
    except ImportError:
        return  # scripts/setup.sh installs both; a machine without them reads through h5py
    with xarray.open_dataset(path, engine="h5netcdf", group="outcomes/national_month") as ds:
        dims = {tuple(v.dims) for v in ds.data_vars.values()}
        if dims != {("point", "replication", "month")}:
            problems.append(f"xarray names the national outcomes' dimensions {sorted(dims)}")


def check_first_round_levy(h5py, f, problems):
    """/outcomes/first_round_levy (FORMAT.md): float64 GBP [point][replication]."""
    ds = f.get("outcomes/first_round_levy")
    if not isinstance(ds, h5py.Dataset):
        problems.append("/outcomes/first_round_levy is missing or not a dataset")
        return
    points, replications = f.get("points"), f.attrs.get("replications")
    if ds.dtype.str != "<f8":
        problems.append(f"/outcomes/first_round_levy is {ds.dtype}, expected little-endian float64")
    if isinstance(points, h5py.Dataset) and replications is not None and ds.shape != (len(points), int(replications)):
        problems.append(f"/outcomes/first_round_levy has shape {ds.shape}, expected [points][replications]")
    if as_text(ds.attrs.get("unit")) != "GBP":
        problems.append(f"/outcomes/first_round_levy has unit {ds.attrs.get('unit')!r}, expected 'GBP'")


SCHEME_COLUMNS = (("index", "int"), ("name", "string"), ("type", "string"), ("destination", "string"))


def check_schemes(h5py, f, trusts, problems):
    """/schemes and /outcomes/scheme_fines (FORMAT.md): one float64 GBP array
    [point][replication][trust][month] per /schemes row, named as in its name column.
    Returns the number of schemes."""
    ds = f.get("schemes")
    if not isinstance(ds, h5py.Dataset) or ds.dtype.names is None or ds.ndim != 1:
        problems.append("/schemes is missing or not a one-dimensional compound (table) dataset")
        return 0
    for column, kind in SCHEME_COLUMNS:
        if column not in ds.dtype.names:
            problems.append(f"/schemes has no {column} column")
            return 0
        dtype = ds.dtype[column]
        if kind == "int" and dtype.str != "<i8":
            problems.append(f"/schemes.{column} is {dtype}, expected little-endian int64")
        if kind == "string" and h5py.check_string_dtype(dtype) is None:
            problems.append(f"/schemes.{column} is {dtype}, expected a string")
    table = ds[()]
    names = [as_text(v) for v in table["name"]]
    if [int(i) for i in table["index"]] != list(range(len(table))):
        problems.append(f"/schemes index column is {list(table['index'])}, expected 0..{len(table) - 1}")
    if len(set(names)) != len(names):
        problems.append(f"/schemes names repeat: {names}")

    points = f.get("points")
    months = f.get("months")
    replications = f.attrs.get("replications")
    expected = None
    if isinstance(points, h5py.Dataset) and isinstance(months, h5py.Dataset) and replications is not None \
            and trusts is not None:
        expected = (len(points), int(replications), trusts, len(months))

    group = f.get("outcomes/scheme_fines")
    if group is None:
        if names:
            problems.append(f"/outcomes/scheme_fines is missing but /schemes lists {names}")
        return len(names)
    if not isinstance(group, h5py.Group):
        problems.append("/outcomes/scheme_fines is not a group")
        return len(names)
    extra = sorted(set(group.keys()) - set(names))
    if extra:
        problems.append(f"/outcomes/scheme_fines holds {extra}, which /schemes does not list")
    for name in names:
        where = f"/outcomes/scheme_fines/{name}"
        data = group.get(name)
        if not isinstance(data, h5py.Dataset):
            problems.append(f"{where} is missing or not a dataset (one per /schemes row)")
            continue
        if data.dtype.str != "<f8":
            problems.append(f"{where} is {data.dtype}, expected little-endian float64")
        if expected is not None and data.shape != expected:
            problems.append(f"{where} has shape {data.shape}, expected [points][replications][trusts][months] "
                            f"= {expected}")
        unit = as_text(data.attrs.get("unit"))
        if unit != "GBP":
            problems.append(f"{where} @unit is {unit!r}, expected 'GBP'")
        dimensions = as_text(data.attrs.get("dimensions"))
        if dimensions != "point,replication,trust,month":
            problems.append(f"{where} @dimensions is {dimensions!r}, expected 'point,replication,trust,month'")
        if data.size > 0:
            data[(0,) * data.ndim]
    return len(names)


def main(argv):
    if len(argv) != 2:
        print("usage: h5py_check.py FILE.h5", file=sys.stderr)
        return 2
    try:
        import h5py
    except ImportError as err:
        print(f"h5py-check SKIP: cannot import h5py ({err})")
        return 77

    problems, metrics, trusts, schemes = check(h5py, argv[1])
    if problems:
        print(f"h5py-check FAILED for {argv[1]}:")
        for problem in problems:
            print(f"  {problem}")
        return 1
    print(f"h5py-check OK: {metrics} metrics, {trusts} trusts, {schemes} fine schemes")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
