// SPDX-License-Identifier: MIT
#include "models/run/merge.hpp"

#include <algorithm>
#include <chrono>
#include <map>

#include "models/run/layout.hpp"
#include "sim/result_file.hpp"
#include "sim/utf8.hpp"

namespace breachsim::models {

namespace {

std::string text_attribute(const sim::ResultReader& in, const char* name) {
  return std::get<std::string>(in.attribute(layout::root, name));
}
std::int64_t number_attribute(const sim::ResultReader& in, const char* name) {
  return std::get<std::int64_t>(in.attribute(layout::root, name));
}

// The tasks [first, last) of the run's replication-major numbering that `shard` ran.
struct TaskRange {
  std::size_t first = 0, last = 0;
};
TaskRange tasks_of(const Shard& shard, std::size_t tasks) {
  return {shard_begin(shard.index, shard.count, tasks), shard_begin(shard.index + 1, shard.count, tasks)};
}

// The command that completes an unfinished shard: the one that wrote it, resumed.
std::string completing_command(const std::string& command_line) {
  std::string command;
  std::size_t at = 0;
  while (at < command_line.size()) {
    const std::size_t end = std::min(command_line.find(' ', at), command_line.size());
    const std::string word = command_line.substr(at, end - at);
    if (!word.empty() && word != "--force" && word != "--resume") command += (command.empty() ? "" : " ") + word;
    at = end + 1;
  }
  return command + " --resume";
}

// Whether each shard ran exactly its own tasks, all of them; one problem per shard at most.
void check_tasks(const ShardFile& f, std::vector<std::string>& problems) {
  const std::size_t P = f.points, R = f.replications;
  std::size_t own = 0, unfinished = 0, foreign = 0;
  for (std::size_t p = 0; p < P; ++p)
    for (std::size_t r = 0; r < R; ++r) {
      const bool mine = shard_of(p, r, P, R, f.shard->count) == f.shard->index;
      const bool done = f.done[p * R + r] != 0;
      own += mine ? 1 : 0;
      unfinished += mine && !done ? 1 : 0;
      foreign += !mine && done ? 1 : 0;
    }
  if (foreign > 0)
    problems.push_back(f.path + " (shard " + f.shard_text + ") holds " + std::to_string(foreign) +
                       " tasks of other shards: it was not written by run --shard " + f.shard_text + " alone");
  else if (unfinished > 0)
    problems.push_back(f.path + " (shard " + f.shard_text + ") has " + std::to_string(unfinished) + " of its " +
                       std::to_string(own) + " tasks unfinished; complete it with: " +
                       completing_command(f.command_line));
}

// A clause when `f` differs from `first` in what makes them one run.
void check_same_run(const ShardFile& first, const ShardFile& f, std::vector<std::string>& problems) {
  std::vector<std::string> differences;
  auto differ = [&](bool different, const std::string& what, const std::string& a, const std::string& b) {
    if (different) differences.push_back(what + " " + b + " against " + a);
  };
  differ(f.config_sha256 != first.config_sha256, "config SHA-256", first.config_sha256.substr(0, 12),
         f.config_sha256.substr(0, 12));
  differ(f.seed != first.seed, "seed", std::to_string(first.seed), std::to_string(f.seed));
  differ(f.replications != first.replications, "replications", std::to_string(first.replications),
         std::to_string(f.replications));
  differ(f.points != first.points, "points", std::to_string(first.points), std::to_string(f.points));
  differ(f.format_version != first.format_version, "format version", std::to_string(first.format_version),
         std::to_string(f.format_version));
  differ(f.version != first.version || f.git_commit != first.git_commit, "program",
         first.version + " (" + first.git_commit + ")", f.version + " (" + f.git_commit + ")");
  if (differences.empty()) return;
  std::string text;
  for (const auto& d : differences) text += (text.empty() ? "" : ", ") + d;
  problems.push_back(f.path + " is not of the run of " + first.path + ": " + text +
                     "; every shard must be run with the same config, options and program");
}

// What one dataset's copy moved: chunks as stored, and values decoded and encoded again.
struct Copied {
  std::uint64_t raw_chunks = 0, raw_values = 0, values = 0;
};

// Copies the tasks of `range` in the block points [p0, p1) x replications [r0, r1) of one
// [point][replication][...] dataset by value: read, then written point by point.
void copy_values(const sim::ResultReader& in, sim::ResultFile& out, const std::string& path,
                 const std::vector<std::uint64_t>& dims, const TaskRange& range, std::size_t p0, std::size_t p1,
                 std::size_t r0, std::size_t r1, Copied& copied) {
  const std::size_t P = dims[0], n = r1 - r0;
  std::uint64_t rest = 1;
  for (std::size_t i = 2; i < dims.size(); ++i) rest *= dims[i];
  std::vector<std::uint64_t> offset(dims.size(), 0), count(dims);
  offset[0] = p0;
  count[0] = p1 - p0;
  offset[1] = r0;
  count[1] = n;
  const std::vector<double> values = in.read_slab(path, offset, count);
  for (std::size_t p = p0; p < p1; ++p) {
    // The replications r in [r0, r1) whose task r P + p lies in the range: contiguous.
    std::size_t a = r0, b = r1;
    while (a < b && a * P + p < range.first) ++a;
    while (b > a && (b - 1) * P + p >= range.last) --b;
    if (a == b) continue;
    std::vector<std::uint64_t> at(dims.size(), 0), size(dims);
    at[0] = p;
    at[1] = a;
    size[0] = 1;
    size[1] = b - a;
    out.write_slab(path, at, size, values.data() + ((p - p0) * n + (a - r0)) * rest);
    copied.values += (b - a) * rest;
  }
}

// Copies the tasks of `range` (one shard's) of one [point][replication][...] outcome dataset,
// chunk by chunk: a chunk all of whose tasks are the shard's is copied as stored, compressed
// (no decoding, no encoding: the merge then runs at the speed of the disk); the few chunks a
// shard shares with its neighbours, at its two ends, by value.
Copied copy_outcome(const sim::ResultReader& in, sim::ResultFile& out, const std::string& path, const TaskRange& range,
                    const Shard& shard) {
  const std::vector<std::uint64_t> dims = in.dims(path);
  const std::size_t P = dims[0], R = dims[1];
  const std::vector<std::uint64_t> chunk = in.chunk_dims(path);
  const std::size_t points_per_chunk = chunk.empty() ? P : std::max<std::uint64_t>(1, chunk[0]);
  const std::size_t block = chunk.empty() ? R : std::max<std::uint64_t>(1, chunk[1]);
  const std::size_t r_first = range.first / P, r_last = (range.last - 1) / P;  // inclusive
  Copied copied;
  std::vector<unsigned char> bytes;
  for (std::size_t start = r_first - r_first % block; start <= r_last; start += block) {
    const std::size_t r1 = std::min(start + block, R);
    for (std::size_t p0 = 0; p0 < P; p0 += points_per_chunk) {
      const std::size_t p1 = std::min(p0 + points_per_chunk, P);
      // Tasks are numbered replication-major, so the chunk's tasks all lie between these two.
      const bool whole = shard_of(p0, start, P, R, shard.count) == shard.index &&
                         shard_of(p1 - 1, r1 - 1, P, R, shard.count) == shard.index;
      std::vector<std::uint64_t> offset(dims.size(), 0);
      offset[0] = p0;
      offset[1] = start;
      std::uint32_t filters = 0;
      if (!chunk.empty() && whole && in.read_chunk(path, offset, bytes, filters)) {
        out.write_chunk(path, offset, filters, bytes);
        ++copied.raw_chunks;
        std::uint64_t values = (p1 - p0) * (r1 - start);
        for (std::size_t i = 2; i < dims.size(); ++i) values *= dims[i];
        copied.raw_values += values;
      } else {
        copy_values(in, out, path, dims, range, p0, p1, std::max(start, r_first), std::min(r1, r_last + 1), copied);
      }
    }
  }
  return copied;
}

// Every [point][replication][...] outcome dataset: the members of /outcomes' groups.
std::vector<std::string> task_datasets(const sim::ResultReader& in) {
  std::vector<std::string> paths;
  for (const std::string& name : in.list(layout::outcomes)) {
    const std::string path = std::string(layout::outcomes) + "/" + name;
    if (path == layout::first_round_levy ||
        std::find(std::begin(layout::dimension_names), std::end(layout::dimension_names), name) !=
            std::end(layout::dimension_names))
      continue;
    for (const std::string& member : in.list(path)) paths.push_back(path + "/" + member);
  }
  return paths;
}

}  // namespace

ShardFile read_shard_file(const std::string& path) {
  // Every chunk is read here, in a child process: merge copies most chunks as they are stored,
  // and a damaged one must stop it here, not reach the merged file.
  const sim::ResultReader in(path, sim::ResultReader::Inspection::chunks);
  if (!in.exists(layout::outcomes) || !in.has_attribute(layout::root, "filetype") ||
      text_attribute(in, "filetype") != "breachsim-results")
    throw sim::OutputError(path + ": not a breachsim result file");
  ShardFile f;
  f.path = path;
  if (in.has_attribute(layout::root, "shard")) {
    f.shard_text = text_attribute(in, "shard");
    std::string ignored;
    f.shard = parse_shard(f.shard_text, ignored);
  }
  f.config_sha256 = text_attribute(in, "config_sha256");
  f.version = text_attribute(in, "breachsim_version");
  f.git_commit = text_attribute(in, "git_commit");
  f.command_line = text_attribute(in, "command_line");
  f.seed = static_cast<std::uint64_t>(number_attribute(in, "seed"));
  f.format_version = number_attribute(in, "format_version");
  const std::vector<std::uint64_t> dims = in.dims(layout::progress);
  f.points = dims.at(0);
  f.replications = dims.at(1);
  for (const std::int64_t d : in.read_int64s(layout::progress)) f.done.push_back(d == 1 ? 1 : 0);
  return f;
}

std::vector<std::string> shard_problems(const std::vector<ShardFile>& shards) {
  std::vector<std::string> problems;
  std::vector<const ShardFile*> valid;
  for (const ShardFile& f : shards) {
    if (f.shard_text.empty())
      problems.push_back(f.path + " is not a shard's file (no root attribute `shard`): merge puts together the files "
                                  "of `breachsim run --shard K/N`");
    else if (!f.shard)
      problems.push_back(f.path + ": its shard '" + f.shard_text + "' is not K/N");
    else
      valid.push_back(&f);
  }
  if (valid.empty()) return problems;
  const ShardFile& first = *valid.front();
  const std::size_t count = first.shard->count;
  std::map<std::size_t, const ShardFile*> by_index;
  for (const ShardFile* f : valid) {
    if (f->shard->count != count) {
      problems.push_back(f->path + " is shard " + f->shard_text + " and " + first.path + " shard " + first.shard_text +
                         ": shards of different splits");
      continue;
    }
    const auto [at, fresh] = by_index.emplace(f->shard->index, f);
    if (!fresh) problems.push_back("shard " + f->shard_text + " is given twice: " + at->second->path + " and " + f->path);
    check_same_run(first, *f, problems);
    check_tasks(*f, problems);
  }
  std::string missing;
  std::size_t absent = 0;
  for (std::size_t k = 0; k < count; ++k)
    if (!by_index.count(k)) {
      if (++absent <= 10) missing += (missing.empty() ? "" : ", ") + Shard{k, count}.text();
    }
  if (absent > 0)
    problems.push_back(std::to_string(absent) + " of the " + std::to_string(count) + " shards " +
                       (absent == 1 ? "is" : "are") + " missing: " + missing + (absent > 10 ? ", ..." : "") +
                       "; give the files of every shard");
  return problems;
}

MergeTotals merge_shards(std::vector<ShardFile> shards, const std::string& out, bool overwrite,
                         const std::string& command_line) {
  const auto start = std::chrono::steady_clock::now();
  std::sort(shards.begin(), shards.end(),
            [](const ShardFile& a, const ShardFile& b) { return a.shard->index < b.shard->index; });
  const std::size_t P = shards.front().points, R = shards.front().replications, tasks = P * R;
  MergeTotals totals;
  auto file = sim::ResultFile::create(out, overwrite);
  file.discard_unless_committed();
  file.copy_layout(shards.front().path, {"summary"}, {"outcomes", "progress"});
  file.remove_attribute(layout::root, "shard");
  file.set_attribute(layout::root, "merged_shards", static_cast<std::int64_t>(shards.size()));
  file.set_attribute(layout::root, "command_line", sim::escape_invalid_utf8(command_line));
  file.set_attribute(layout::root, "created_utc", utc_now());
  file.start_streaming();
  std::vector<double> levy;  // [point][replication], each from the shard that ran its reference's task
  for (const ShardFile& f : shards) {
    const sim::ResultReader in(f.path, sim::ResultReader::Inspection::none);  // read_shard_file inspected it
    const TaskRange range = tasks_of(*f.shard, tasks);
    for (const std::string& path : task_datasets(in)) {
      const Copied copied = copy_outcome(in, file, path, range, *f.shard);
      totals.raw_chunks += copied.raw_chunks;
      totals.values_copied += copied.raw_values + copied.values;
      totals.values_recoded += copied.values;
    }
    const std::vector<double> column = in.read_doubles(layout::first_round_levy);
    if (levy.empty()) levy = column;
    const std::vector<std::size_t> references = point_references(in);
    for (std::size_t p = 0; p < P; ++p)
      for (std::size_t r = 0; r < R; ++r)
        if (shard_of(references.at(p), r, P, R, f.shard->count) == f.shard->index) levy[p * R + r] = column[p * R + r];
  }
  file.write_slab(layout::first_round_levy, {0, 0}, {P, R}, levy.data());
  // As a run marks a task: after a flush that followed its data.
  file.flush();
  const std::vector<std::int8_t> complete(tasks, 1);
  file.write_slab(layout::progress, {0, 0}, {P, R}, complete.data());
  file.finish_streaming();
  totals.saved = read_saved_run(sim::ResultFile::partial_path(out));
  write_final_objects(file, totals.saved.runs);
  file.commit();
  totals.tasks = tasks;
  totals.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return totals;
}

}  // namespace breachsim::models
