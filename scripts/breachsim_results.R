# SPDX-License-Identifier: MIT
# Reads breachsim result files (HDF5, format versions 1 and 2; results/FORMAT.md) into tidy
# base-R data frames. Needs only the hdf5r package (Debian: r-cran-hdf5r). The R twin of
# scripts/breachsim_results.py: the same tables with the same columns, indices 0-based as in
# the file.
#
#   source("scripts/breachsim_results.R")
#   res <- breachsim_open("results/default.h5")    # checks filetype and format_version
#   breachsim_attrs(res)$git_commit                 # root attributes (provenance), a named list
#   breachsim_table(res, "trusts")                  # trusts, months, metrics, points, schemes, footprints
#   df <- breachsim_trust_month(res, "ed_breaches_4h")  # point, replication, trust, month, start_date, value
#   aggregate(value ~ point + trust, df, sum)
#   breachsim_national_month(res, "fines")          # point, replication, month, start_date, value
#   breachsim_summary(res)                          # /summary/national_run; also "paired_differences",
#                                                   # "multiplier", "plan_delivery", "footprints"...
#   breachsim_progress(res)                         # point, replication, complete
#   breachsim_scheme_fines(res, "ed_4h")            # ... start_date, scheme, value
#   breachsim_first_round_levy(res)                 # point, replication, value
#   breachsim_close(res)
#
# Unfinished tasks. A task (point, replication) holds results only where /progress is 1; the
# slots of the others are placeholder zeros. The tidy readers never return them as values: by
# default they drop those rows with a warning() saying how many tasks are unfinished, and with
# unfinished = "na" they keep the rows with value NA.
#
# Dimension order. The file's arrays are C order ([point][replication][trust][month], the last
# index fastest); hdf5r hands them to R, which is column-major, with the dimensions reversed
# (month x trust x replication x point). The same bytes read the same way: R's first index is
# the file's last. So as.vector() of what hdf5r returns is already the file's C order, which
# is the tidy row order, and the index columns come from the reversed dims (.bs_grid).

breachsim_format_version <- 2L # the newest format version this reader understands
.bs_filetype <- "breachsim-results"

.bs_need_hdf5r <- function() {
  if (!requireNamespace("hdf5r", quietly = TRUE)) {
    stop("breachsim_results.R needs the R package hdf5r: apt-get install r-cran-hdf5r ",
         "(Debian/Ubuntu) or install.packages(\"hdf5r\")", call. = FALSE)
  }
}

# 64-bit integers as R integers where they fit, doubles where those hold them exactly: never
# bit64's integer64, which most of base R does not understand.
.bs_read <- function(obj) obj$read(flags = hdf5r::h5const$H5TOR_CONV_INT64_NOLOSS)

# The file's strings are UTF-8 (FORMAT.md); mark them so, whatever the session's locale.
.bs_utf8 <- function(x) {
  if (is.character(x)) Encoding(x) <- "UTF-8"
  if (is.data.frame(x)) x[] <- lapply(x, .bs_utf8)
  x
}

.bs_stop <- function(res, ...) stop(res$path, ": ", ..., call. = FALSE)

# -- opening ---------------------------------------------------------------------------------

breachsim_open <- function(path) {
  .bs_need_hdf5r()
  path <- path.expand(path)
  if (!file.exists(path) || dir.exists(path)) stop(path, ": no such file", call. = FALSE)
  if (!isTRUE(hdf5r::is.h5file(path))) stop(path, ": not an HDF5 file", call. = FALSE)
  file <- tryCatch(hdf5r::H5File$new(path, mode = "r"), error = function(e) {
    stop(path, ": cannot be opened (", conditionMessage(e), ")", call. = FALSE)
  })
  res <- structure(list(path = path, file = file, format_version = NA_integer_),
                   class = "breachsim_results")
  version <- tryCatch(.bs_check_version(res), error = function(e) {
    file$close_all()
    stop(e)
  })
  res$format_version <- version
  res
}

.bs_attr <- function(res, name) {
  if (!res$file$attr_exists(name)) return(NULL)
  .bs_utf8(.bs_read(res$file$attr_open(name)))
}

# The checks of FORMAT.md "Versioning": the right filetype, a version this reader knows.
.bs_check_version <- function(res) {
  filetype <- .bs_attr(res, "filetype")
  if (!identical(filetype, .bs_filetype)) {
    .bs_stop(res, "not a breachsim result file (filetype ",
             if (is.null(filetype)) "missing" else sprintf("'%s'", filetype),
             ", expected '", .bs_filetype, "')")
  }
  version <- .bs_attr(res, "format_version")
  if (!is.numeric(version) || length(version) != 1 || is.na(version) || version != round(version)) {
    .bs_stop(res, "format_version attribute missing or not an integer")
  }
  if (version > breachsim_format_version) {
    .bs_stop(res, "format_version ", version, " is newer than this reader knows (",
             breachsim_format_version, "); use the breachsim_results.R of the breachsim that wrote it")
  }
  if (version < 1) .bs_stop(res, "invalid format_version ", version)
  as.integer(version)
}

breachsim_close <- function(res) {
  if (res$file$is_valid) res$file$close_all()
  invisible(NULL)
}

print.breachsim_results <- function(x, ...) {
  cat(sprintf("<breachsim results '%s' format %d%s>\n", x$path, x$format_version,
              if (x$file$is_valid) "" else ", closed"))
  invisible(x)
}

# -- metadata --------------------------------------------------------------------------------

# The root attributes (provenance) as a named list of plain R values.
breachsim_attrs <- function(res) {
  names <- hdf5r::h5attr_names(res$file)
  stats::setNames(lapply(names, function(name) .bs_attr(res, name)), names)
}

# The YAML config the run used (FORMAT.md, /config).
breachsim_config <- function(res) .bs_utf8(.bs_read(.bs_object(res, "config")))

.bs_exists <- function(res, path) {
  # HDF5's link test fails, instead of answering FALSE, when a group on the way is missing.
  parts <- strsplit(path, "/", fixed = TRUE)[[1]]
  for (i in seq_along(parts)) {
    if (!res$file$exists(paste(parts[seq_len(i)], collapse = "/"))) return(FALSE)
  }
  TRUE
}

.bs_object <- function(res, path) {
  if (!.bs_exists(res, path)) .bs_stop(res, "no dataset '/", path, "'")
  res$file[[path]]
}

.bs_names_in <- function(res, group) {
  if (!.bs_exists(res, group)) return(character(0))
  sort(res$file[[group]]$ls()$name)
}

# Columns of the tables a file may lack (written before schemes and footprints existed).
.bs_empty_tables <- list(
  schemes = data.frame(index = integer(0), name = character(0), type = character(0),
                       destination = character(0)),
  footprints = data.frame(footprint = integer(0), name = character(0), member_kind = character(0),
                          member_index = integer(0), member = character(0)))

# An empty table with the columns of its compound type: hdf5r cannot read zero rows (e.g.
# /summary/multiplier of a run without a sweep, /footprints of a config without footprints).
.bs_empty_table <- function(type) {
  empty <- list(H5T_INTEGER = integer(0), H5T_FLOAT = numeric(0), H5T_STRING = character(0))
  columns <- lapply(as.character(type$get_cpd_classes()), function(k) empty[[k]])
  as.data.frame(stats::setNames(columns, type$get_cpd_labels()), stringsAsFactors = FALSE)
}

.bs_read_table <- function(res, path) {
  obj <- .bs_object(res, path)
  type <- obj$get_type()
  if (!inherits(type, "H5T_COMPOUND") || length(obj$dims) != 1) .bs_stop(res, "/", path, " is not a table")
  if (obj$dims == 0) return(.bs_empty_table(type))
  x <- .bs_utf8(.bs_read(obj))
  rownames(x) <- NULL
  x
}

# A table of FORMAT.md "Tables" as a data frame (string columns character, int64 integer).
breachsim_table <- function(res, table = c("trusts", "months", "metrics", "points", "schemes",
                                           "footprints")) {
  table <- match.arg(table)
  if (!.bs_exists(res, table) && !is.null(.bs_empty_tables[[table]])) {
    return(.bs_empty_tables[[table]])
  }
  .bs_read_table(res, table)
}

breachsim_summary_tables <- function(res) .bs_names_in(res, "summary")

# A table under /summary (default national_run) as a data frame.
breachsim_summary <- function(res, table = "national_run") {
  if (!(table %in% breachsim_summary_tables(res))) {
    known <- paste(breachsim_summary_tables(res), collapse = ", ")
    .bs_stop(res, "no table '", table, "' in /summary (known: ", if (nzchar(known)) known else "none", ")")
  }
  .bs_read_table(res, paste0("summary/", table))
}

breachsim_metric_names <- function(res, level = c("trust_month", "national_month")) {
  .bs_names_in(res, paste0("outcomes/", match.arg(level)))
}

# -- arrays ----------------------------------------------------------------------------------

# A dataset's values in the file's C order and its dimensions in the file's order. The
# dimensions come from the dataset, not from what read() returns: hdf5r reverses them (see
# the top of this file) and drops those of length 1, such as the point of a run without a sweep.
.bs_array <- function(res, path) {
  obj <- .bs_object(res, path)
  list(values = as.vector(.bs_read(obj)), dims = rev(obj$dims))
}

# Any dataset as an R array with the file's dimension order, e.g.
# breachsim_array(res, "outcomes/trust_month/fines")[point + 1, replication + 1, trust + 1, month + 1].
breachsim_array <- function(res, path) {
  a <- .bs_array(res, path)
  if (length(a$dims) < 2) return(a$values)
  aperm(array(a$values, dim = rev(a$dims))) # R's dims reversed, then the axes put back in file order
}

# 0-based index columns, one per dimension, in C order (the last dimension fastest).
.bs_grid <- function(dims, names) {
  n <- prod(dims)
  columns <- lapply(seq_along(dims), function(k) {
    faster <- prod(dims[-seq_len(k)])
    rep_len(rep(seq_len(dims[k]) - 1L, each = faster), n)
  })
  as.data.frame(stats::setNames(columns, names))
}

# -- progress and unfinished tasks -----------------------------------------------------------

.bs_progress_array <- function(res) {
  a <- .bs_array(res, "progress")
  if (length(a$dims) != 2) .bs_stop(res, "/progress has ", length(a$dims), " dimensions, expected 2")
  a
}

# Which tasks had finished when the file was written: point, replication, complete (logical; the Python reader's columns).
breachsim_progress <- function(res) {
  a <- .bs_progress_array(res)
  cbind(.bs_grid(a$dims, c("point", "replication")), complete = a$values == 1)
}

# What completes the unfinished tasks of this file, for the warning.
.bs_remedy <- function(res) {
  shard <- .bs_attr(res, "shard")
  if (is.null(shard)) return("`breachsim run --resume` completes them.")
  sprintf(paste("This is the file of shard %s, which holds only its own tasks: `breachsim merge`",
                "joins the shards' files (`breachsim run --resume` completes an interrupted shard)."),
          shard)
}

# Drops (or sets to NA) the rows of `frame` whose task is not finished, with a warning: their
# slots hold placeholder zeros, never results. `finished`: a logical per row; `n_bad` of
# `n_tasks` `tasks` (a phrase) are unfinished.
.bs_unfinished <- function(res, frame, finished, unfinished, n_bad, n_tasks, tasks, what) {
  if (n_bad == 0) return(frame)
  done <- if (unfinished == "drop") {
    sprintf("their rows of %s are dropped (unfinished = \"na\" keeps them, as NA)", what)
  } else {
    sprintf("their values in %s are NA", what)
  }
  warning(sprintf("%s: %d of %d %s are unfinished: %s. %s", res$path, n_bad, n_tasks, tasks,
                  done, .bs_remedy(res)), call. = FALSE)
  if (unfinished == "na") {
    frame$value[!finished] <- NA
    return(frame)
  }
  frame <- frame[finished, , drop = FALSE]
  rownames(frame) <- NULL
  frame
}

# Applies .bs_unfinished to a tidy frame with point and replication columns.
.bs_mask_tasks <- function(res, frame, unfinished, what) {
  p <- .bs_progress_array(res)
  done <- p$values == 1
  finished <- done[frame$point * p$dims[2] + frame$replication + 1]
  .bs_unfinished(res, frame, finished, unfinished, sum(!done), length(done),
                 "tasks (point, replication)", what)
}

# -- tidy outcomes ---------------------------------------------------------------------------

.bs_outcome <- function(res, level, metric, n_dims) {
  path <- paste0("outcomes/", level, "/", metric)
  if (!.bs_exists(res, path)) {
    known <- paste(.bs_names_in(res, paste0("outcomes/", level)), collapse = ", ")
    .bs_stop(res, "no '", metric, "' in /outcomes/", level, " (known: ",
             if (nzchar(known)) known else "none; a file of output.detail: national has no trust detail", ")")
  }
  a <- .bs_array(res, path)
  if (length(a$dims) != n_dims) {
    .bs_stop(res, "/", path, " has ", length(a$dims), " dimensions, expected ", n_dims)
  }
  a
}

.bs_trust_names <- function(res, n_trusts, what) {
  names <- breachsim_table(res, "trusts")$name
  if (length(names) != n_trusts) {
    .bs_stop(res, "/trusts has ", length(names), " rows but ", what, " has ", n_trusts, " trusts")
  }
  names
}

.bs_start_dates <- function(res, n_months) {
  months <- breachsim_table(res, "months")
  if (nrow(months) != n_months) {
    .bs_stop(res, "/months has ", nrow(months), " rows but outcomes have ", n_months, " months")
  }
  months
}

# Index columns of a [point][replication][trust][month] array with names and dates filled in.
.bs_trust_month_columns <- function(res, dims, what) {
  grid <- .bs_grid(dims, c("point", "replication", "trust", "month"))
  months <- .bs_start_dates(res, dims[4])
  data.frame(point = grid$point, replication = grid$replication,
             trust = .bs_trust_names(res, dims[3], what)[grid$trust + 1],
             month = months$index[grid$month + 1], start_date = months$start_date[grid$month + 1])
}

# /outcomes/trust_month/<metric> as one row per finished (point, replication, trust, month),
# in that order: point, replication, trust (name), month (index), start_date, value.
breachsim_trust_month <- function(res, metric, unfinished = c("drop", "na")) {
  unfinished <- match.arg(unfinished)
  a <- .bs_outcome(res, "trust_month", metric, 4)
  frame <- .bs_trust_month_columns(res, a$dims, metric)
  frame$value <- a$values
  .bs_mask_tasks(res, frame, unfinished, sprintf("trust_month/%s", metric))
}

# /outcomes/national_month/<metric>: point, replication, month, start_date, value.
breachsim_national_month <- function(res, metric, unfinished = c("drop", "na")) {
  unfinished <- match.arg(unfinished)
  a <- .bs_outcome(res, "national_month", metric, 3)
  grid <- .bs_grid(a$dims, c("point", "replication", "month"))
  months <- .bs_start_dates(res, a$dims[3])
  frame <- data.frame(point = grid$point, replication = grid$replication,
                      month = months$index[grid$month + 1],
                      start_date = months$start_date[grid$month + 1], value = a$values)
  .bs_mask_tasks(res, frame, unfinished, sprintf("national_month/%s", metric))
}

.bs_scheme_arrays <- function(res, names) {
  arrays <- lapply(names, function(name) .bs_outcome(res, "scheme_fines", name, 4))
  for (a in arrays) {
    if (!identical(a$dims, arrays[[1]]$dims)) .bs_stop(res, "/outcomes/scheme_fines arrays differ in shape")
  }
  arrays
}

# /outcomes/scheme_fines: one row per finished (point, replication, trust, month, scheme), the
# schemes in /schemes order and fastest, as the Python reader: point, replication, trust,
# month, start_date, scheme, value (GBP). `schemes`: names to keep (default all).
breachsim_scheme_fines <- function(res, schemes = NULL, unfinished = c("drop", "na")) {
  unfinished <- match.arg(unfinished)
  names <- breachsim_table(res, "schemes")$name
  unknown <- setdiff(schemes, names)
  if (length(unknown)) {
    .bs_stop(res, "no scheme '", unknown[1], "' in /schemes (known: ",
             if (length(names)) paste(names, collapse = ", ") else "none", ")")
  }
  if (!is.null(schemes)) names <- names[names %in% schemes]
  if (!length(names)) {
    return(data.frame(point = integer(0), replication = integer(0), trust = character(0),
                      month = integer(0), start_date = character(0), scheme = character(0),
                      value = numeric(0)))
  }
  arrays <- .bs_scheme_arrays(res, names)
  cells <- .bs_trust_month_columns(res, arrays[[1]]$dims, "/outcomes/scheme_fines")
  # Scheme fastest: row i of the cells is repeated once per scheme.
  frame <- cells[rep(seq_len(nrow(cells)), each = length(names)), , drop = FALSE]
  frame$scheme <- rep_len(names, nrow(frame))
  frame$value <- as.vector(t(do.call(cbind, lapply(arrays, `[[`, "values"))))
  rownames(frame) <- NULL
  .bs_mask_tasks(res, frame, unfinished, "scheme_fines")
}

# /outcomes/first_round_levy: point, replication, value (GBP the point's sanctions levied on the
# baseline point's breaches of that replication). The baseline's task of each replication
# computes the whole replication's row, so a row is known once that task has finished,
# whatever the point's own task did (FORMAT.md). Empty for format 1 files, which lack it.
breachsim_first_round_levy <- function(res, unfinished = c("drop", "na")) {
  unfinished <- match.arg(unfinished)
  if (!.bs_exists(res, "outcomes/first_round_levy")) {
    return(data.frame(point = integer(0), replication = integer(0), value = numeric(0)))
  }
  a <- .bs_array(res, "outcomes/first_round_levy")
  frame <- cbind(.bs_grid(a$dims, c("point", "replication")), value = a$values)
  p <- .bs_progress_array(res)
  baseline <- .bs_attr(res, "baseline_point")
  if (is.null(baseline)) baseline <- 0L
  baseline_done <- p$values[baseline * p$dims[2] + seq_len(p$dims[2])] == 1
  .bs_unfinished(res, frame, baseline_done[frame$replication + 1], unfinished,
                 sum(!baseline_done), length(baseline_done),
                 sprintf("tasks of the baseline point %d", baseline), "first_round_levy")
}
