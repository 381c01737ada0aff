# SPDX-License-Identifier: MIT
# Checks scripts/breachsim_results.R; run by tests/test_results_reader_r.sh, which writes WORK_DIR:
#
#   Rscript tests/test_results_reader.R SOURCE_DIR RESULT_FILE WORK_DIR
#
# 1. Opening: the result file opens; a missing file, a non-HDF5 file, another filetype and a
#    newer format_version are refused with their messages.
# 2. Every metric's tidy tables have finished (point, replication) tasks x trusts x months rows
#    (no trusts for the national ones), the Python reader's columns, and R integers for int64 metrics.
# 3. Cell by cell, the tidy tables of an int64 and a float64 metric, a national series, and the
#    trusts, months and national_run tables equal the Python reader's CSVs (floats to 2 units in
#    the last place: R's CSV parser need not round as Python's printer did).
# 4. The /summary tables have the columns results/FORMAT.md lists.
# 5. A complete file gives no warning; a copy with the last replication unfinished warns (how
#    many of how many, and `breachsim run --resume`) and drops exactly those rows, or gives them
#    as NA with unfinished = "na", the other rows unchanged.
# 6. A synthetic file with dimensions 2 x 3 x 4 x 5 whose values encode their indices: every row
#    holds its own indices (so hdf5r's reversed dimensions are put back, and a length-1 dimension
#    is not needed to tell them apart), scheme fines interleave in /schemes order, unfinished
#    tasks that are not whole replications drop, the first-round levy follows the baseline's
#    tasks, and UTF-8 trust names come back as UTF-8.
# Exit codes: 0 passed, 1 a check failed (each failure printed).

args <- commandArgs(trailingOnly = TRUE)
if (length(args) != 3) {
  cat("usage: Rscript tests/test_results_reader.R SOURCE_DIR RESULT_FILE WORK_DIR\n")
  quit(status = 2)
}
source_dir <- args[1]
result <- args[2]
work <- args[3]
source(file.path(source_dir, "scripts", "breachsim_results.R"))

failures <- character(0)
check <- function(ok, message) {
  if (!isTRUE(ok)) failures <<- c(failures, message)
  isTRUE(ok)
}
# Runs one group of checks; an error inside it is a failure of that group, not the end.
section <- function(name, code) {
  invisible(tryCatch(code, error = function(e) check(FALSE, sprintf("%s: error: %s", name, conditionMessage(e)))))
}
work_file <- function(name) file.path(work, name)
error_of <- function(expr) tryCatch({ expr; "" }, error = conditionMessage)
# The value and the warnings of expr.
with_warnings <- function(expr) {
  warnings <- character(0)
  value <- withCallingHandlers(expr, warning = function(w) {
    warnings <<- c(warnings, conditionMessage(w))
    invokeRestart("muffleWarning")
  })
  list(value = value, warnings = warnings)
}
no_warnings <- function(expr, what) {
  out <- with_warnings(expr)
  check(length(out$warnings) == 0, sprintf("%s: unexpected warning: %s", what, paste(out$warnings, collapse = "; ")))
  out$value
}

# Column by column: identical strings and integers, floats within 2 units in the last place.
same_column <- function(a, b) {
  if (is.character(a) || is.character(b)) return(identical(as.character(a), as.character(b)))
  a <- as.numeric(a)
  b <- as.numeric(b)
  if (!identical(is.na(a), is.na(b))) return(FALSE)
  ok <- !is.na(a)
  all(a[ok] == b[ok] | abs(a[ok] - b[ok]) <= 2 * .Machine$double.eps * pmax(abs(a[ok]), abs(b[ok])))
}
same_frame <- function(frame, expected, what) {
  if (!check(identical(names(frame), names(expected)),
             sprintf("%s: columns %s, expected %s", what, paste(names(frame), collapse = ","),
                     paste(names(expected), collapse = ",")))) return(FALSE)
  if (!check(nrow(frame) == nrow(expected), sprintf("%s: %d rows, expected %d", what, nrow(frame), nrow(expected)))) {
    return(FALSE)
  }
  for (name in names(frame)) {
    check(same_column(frame[[name]], expected[[name]]), sprintf("%s: column %s differs", what, name))
  }
  TRUE
}
read_python_csv <- function(name) {
  read.csv(work_file(name), stringsAsFactors = FALSE, encoding = "UTF-8", check.names = FALSE,
           na.strings = "")
}

tidy_columns <- c("point", "replication", "trust", "month", "start_date", "value")
national_columns <- c("point", "replication", "month", "start_date", "value")

# -- 1. opening ------------------------------------------------------------------------------
section("open", {
  res <- breachsim_open(result)
  attrs <- breachsim_attrs(res)
  check(identical(attrs$filetype, "breachsim-results"), "open: filetype attribute")
  check(res$format_version == attrs$format_version, "open: format_version")
  breachsim_close(res)
  refusals <- list(
    list(file.path(work, "no_such.h5"), "no such file"),
    list(work_file("trusts.csv"), "not an HDF5 file"),
    list(work_file("other_filetype.h5"), "not a breachsim result file .*something-else"),
    list(work_file("newer.h5"), "format_version [0-9]+ is newer than this reader knows"))
  for (r in refusals) {
    message <- error_of(breachsim_open(r[[1]]))
    check(grepl(r[[2]], message), sprintf("open %s: expected an error matching '%s', got '%s'", r[[1]], r[[2]], message))
  }
})

res <- breachsim_open(result)
attrs <- breachsim_attrs(res)
trusts <- breachsim_table(res, "trusts")
months <- breachsim_table(res, "months")
metrics <- breachsim_table(res, "metrics")
progress <- breachsim_progress(res)
n_points <- nrow(breachsim_table(res, "points"))
n_finished <- sum(progress$complete) # tasks: (point, replication) pairs

# -- 2. every metric: rows, columns, types ---------------------------------------------------
section("all metrics", {
  check(identical(names(progress), c("point", "replication", "complete")), "progress: columns")
  check(nrow(progress) == n_points * attrs$replications, "progress: points x replications rows")
  for (i in seq_len(nrow(metrics))) {
    name <- metrics$name[i]
    int64 <- metrics$dtype[i] == "int64"
    if (name %in% breachsim_metric_names(res, "trust_month")) {
      df <- no_warnings(breachsim_trust_month(res, name), name)
      check(identical(names(df), tidy_columns), sprintf("trust_month %s: columns", name))
      check(nrow(df) == n_finished * nrow(trusts) * nrow(months),
            sprintf("trust_month %s: %d rows, expected finished (point, replication) x trusts x months = %d",
                    name, nrow(df), n_finished * nrow(trusts) * nrow(months)))
      check(!int64 || is.integer(df$value) || all(df$value == round(df$value)),
            sprintf("trust_month %s: int64 metric read as non-integers", name))
    }
    if (name %in% breachsim_metric_names(res, "national_month")) {
      df <- no_warnings(breachsim_national_month(res, name), name)
      check(identical(names(df), national_columns), sprintf("national_month %s: columns", name))
      check(nrow(df) == n_finished * nrow(months), sprintf("national_month %s: rows", name))
    }
  }
})

# -- 3. against the Python reader ------------------------------------------------------------
section("python csv", {
  check(metrics$dtype[metrics$name == "ed_breaches_4h"] == "int64", "ed_breaches_4h is no longer int64: pick another")
  check(metrics$dtype[metrics$name == "surplus"] == "float64", "surplus is no longer float64: pick another")
  int_metric <- breachsim_trust_month(res, "ed_breaches_4h")
  check(is.integer(int_metric$value), "trust_month ed_breaches_4h: value is not an R integer")
  same_frame(int_metric, read_python_csv("int_metric.csv"), "trust_month ed_breaches_4h vs Python")
  same_frame(breachsim_trust_month(res, "surplus"), read_python_csv("float_metric.csv"), "trust_month surplus vs Python")
  same_frame(breachsim_national_month(res, "fines"), read_python_csv("national.csv"), "national_month fines vs Python")
  same_frame(trusts, read_python_csv("trusts.csv"), "trusts table vs Python")
  same_frame(months, read_python_csv("months.csv"), "months table vs Python")
  same_frame(breachsim_summary(res), read_python_csv("national_run.csv"), "summary national_run vs Python")
  check(identical(unique(int_metric$trust), trusts$name), "trust_month: trust names not those of /trusts in order")
  check(identical(unique(int_metric$start_date), months$start_date), "trust_month: start dates not those of /months")
  check(months$start_date[1] == attrs$first_month, "months: first start_date is not the first_month attribute")
})

# -- 4. summary tables -----------------------------------------------------------------------
section("summary", {
  with_ci <- function(names) c(rbind(names, paste0(names, "_low"), paste0(names, "_high")))
  expected <- list(
    national_run = c("point", "metric", "unit", "statistic", "mean", "ci95_low", "ci95_high",
                     "median", "q05", "q95", "replications"),
    paired_differences = c("point", "metric", "unit", "mean", "ci95_low", "ci95_high",
                           "variance_reduction", "replications"),
    multiplier = c("point", with_ci(c("delta_deficit", "first_round_fines", "induced_fines", "lost_income",
                                      "cost_change", "interest", "returned", "multiplier")),
                   "replications", "share_deepened", "differs_in"),
    plan_delivery = c("point", "trust", "financial_year", "months", "replications",
                      "control_total_met_probability", "cip_in_full_probability", "cip_delivered_share_mean"))
  for (table in names(expected)) {
    if (table == "plan_delivery" && !length(breachsim_metric_names(res, "trust_month"))) next
    df <- breachsim_summary(res, table)
    check(setequal(names(df), expected[[table]]) && length(names(df)) == length(expected[[table]]),
          sprintf("summary %s: columns %s", table, paste(names(df), collapse = ",")))
  }
  run <- breachsim_summary(res)
  check(nrow(run) == n_points * nrow(metrics), "summary national_run: one row per point and metric")
  check(is.integer(run$point) && is.character(run$metric) && is.double(run$mean), "summary national_run: column types")
  check(grepl("no table 'nope' in /summary", error_of(breachsim_summary(res, "nope"))), "summary: unknown table message")
  check(grepl("no 'nope' in /outcomes/trust_month", error_of(breachsim_trust_month(res, "nope"))),
        "trust_month: unknown metric message")
})

# -- 5. unfinished tasks ---------------------------------------------------------------------
section("unfinished", {
  n_reps <- attrs$replications
  if (!check(n_reps >= 2 && n_finished == nrow(progress), "unfinished: needs a complete file with 2+ replications")) {
    stop("cannot test")
  }
  last <- n_reps - 1
  n_tasks <- nrow(progress)
  part <- breachsim_open(work_file("incomplete.h5"))
  expected_warning <- sprintf("%d of %d tasks \\(point, replication\\) are unfinished", n_points, n_tasks)
  readers <- list(trust_month = function(r, u) breachsim_trust_month(r, "ed_breaches_4h", u),
                  national_month = function(r, u) breachsim_national_month(r, "fines", u),
                  scheme_fines = function(r, u) breachsim_scheme_fines(r, unfinished = u))
  for (what in names(readers)) {
    full <- no_warnings(readers[[what]](res, "drop"), what)
    dropped <- with_warnings(readers[[what]](part, "drop"))
    check(length(dropped$warnings) == 1 && grepl(expected_warning, dropped$warnings) &&
            grepl("breachsim run --resume", dropped$warnings, fixed = TRUE),
          sprintf("%s: warning '%s', expected one matching '%s' and naming --resume", what,
                  paste(dropped$warnings, collapse = "; "), expected_warning))
    kept <- full[full$replication != last, ]
    rownames(kept) <- NULL
    same_frame(dropped$value, kept, sprintf("%s of the incomplete copy (unfinished tasks dropped)", what))
    as_na <- with_warnings(readers[[what]](part, "na"))
    check(length(as_na$warnings) == 1 && grepl("are NA", as_na$warnings), sprintf("%s: warning with NA", what))
    expected_na <- full
    expected_na$value[full$replication == last] <- NA
    same_frame(as_na$value, expected_na, sprintf("%s of the incomplete copy (unfinished = \"na\")", what))
  }
  levy <- with_warnings(breachsim_first_round_levy(part))
  check(identical(levy$value$replication, rep(seq_len(n_reps - 1) - 1L, n_points)) && length(levy$warnings) == 1,
        "first_round_levy: the replication whose baseline task is unfinished not dropped")
  check(identical(breachsim_progress(part)$complete, progress$replication != last), "progress of the incomplete copy")
  breachsim_close(part)
})

# -- 6. the synthetic file: dimension order, interleaving, UTF-8 -----------------------------
section("synthetic", {
  syn <- breachsim_open(work_file("synthetic.h5"))
  names_utf8 <- c("H\u00f4pital Saint-\u00c9tienne", "King\u2019s Trust", "\u00dcn\u00efversity \u2014 North", "Plain Trust")
  unfinished <- data.frame(point = c(0L, 1L), replication = c(2L, 0L))
  is_unfinished <- function(df) paste(df$point, df$replication) %in% paste(unfinished$point, unfinished$replication)
  code <- function(df) 1000 * df$point + 100 * df$replication + 10 * (match(df$trust, names_utf8) - 1) + df$month

  syn_trusts <- breachsim_table(syn, "trusts")
  check(identical(syn_trusts$name, names_utf8), "synthetic: UTF-8 trust names differ")
  check(all(Encoding(syn_trusts$name[1:3]) == "UTF-8"), "synthetic: trust names not marked UTF-8")
  arr <- breachsim_array(syn, "outcomes/trust_month/count")
  check(identical(dim(arr), c(2L, 3L, 4L, 5L)), sprintf("synthetic: breachsim_array dims %s, expected 2 3 4 5",
                                                        paste(dim(arr), collapse = " ")))
  check(arr[2, 3, 4, 5] == 1234 && arr[1, 2, 3, 1] == 120, "synthetic: breachsim_array element [p+1, r+1, t+1, m+1]")

  all_rows <- suppressWarnings(breachsim_trust_month(syn, "count", unfinished = "na"))
  check(nrow(all_rows) == 2 * 3 * 4 * 5, "synthetic: trust_month rows with unfinished = \"na\"")
  order_ok <- identical(all_rows$point, rep(0:1, each = 60L)) && identical(all_rows$month, rep(0:4, 24L))
  check(order_ok, "synthetic: rows not in (point, replication, trust, month) order")
  check(identical(is.na(all_rows$value), is_unfinished(all_rows)), "synthetic: NA rows are not the unfinished tasks")
  ok <- !is.na(all_rows$value)
  check(all(all_rows$value[ok] == code(all_rows)[ok]),
        "synthetic: trust_month values not at their indices (dimension order)")
  money <- suppressWarnings(breachsim_trust_month(syn, "money"))
  check(nrow(money) == 4 * 20 && !any(is_unfinished(money)), "synthetic: dropped rows are not exactly the unfinished tasks")
  check(all(money$value == code(money) + 0.25), "synthetic: float trust_month values not at their indices")

  national <- suppressWarnings(breachsim_national_month(syn, "count"))
  check(nrow(national) == 4 * 5 && all(national$value == 100 * national$point + 10 * national$replication + national$month),
        "synthetic: national_month values not at their indices")
  fines <- suppressWarnings(breachsim_scheme_fines(syn))
  check(identical(fines$scheme, rep(c("a", "b"), 80L)), "synthetic: schemes not fastest, in /schemes order")
  check(all(fines$value == code(fines) + ifelse(fines$scheme == "a", 0.125, 0.5)), "synthetic: scheme_fines values")
  only_b <- suppressWarnings(breachsim_scheme_fines(syn, "b"))
  check(nrow(only_b) == 80 && all(only_b$scheme == "b"), "synthetic: scheme_fines(\"b\")")
  check(grepl("no scheme 'c'", error_of(breachsim_scheme_fines(syn, "c"))), "synthetic: unknown scheme message")
  levy <- suppressWarnings(breachsim_first_round_levy(syn))
  check(identical(levy$replication, c(0L, 1L, 0L, 1L)) && all(levy$value == 10 * levy$point + levy$replication + 0.5),
        "synthetic: first_round_levy (rows of replication 2, whose baseline task is unfinished, dropped)")
  syn_progress <- breachsim_progress(syn)
  check(identical(syn_progress$complete, !is_unfinished(syn_progress)), "synthetic: progress")
  breachsim_close(syn)
})

breachsim_close(res)
if (length(failures)) {
  cat(sprintf("r-reader FAIL: %s\n", failures), sep = "")
  cat(sprintf("r-reader: %d check(s) failed\n", length(failures)))
  quit(status = 1)
}
cat(sprintf("r-reader OK: %s (%d finished tasks of %d points x %d replications, %d trusts, %d months) and the synthetic file\n",
            result, n_finished, n_points, attrs$replications, nrow(trusts), nrow(months)))
