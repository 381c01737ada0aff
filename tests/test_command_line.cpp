// SPDX-License-Identifier: MIT
// The command line's --task option and the rerun command a broken invariant's report gives
// (cli/command_line.hpp); the rest of the command line is tested from outside, by
// cli_end_to_end.sh.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "cli/command_line.hpp"

using namespace breachsim;

namespace {

cli::CommandLine parse(std::vector<std::string> words) {
  words.insert(words.begin(), "breachsim");
  std::vector<const char*> argv;
  for (const std::string& w : words) argv.push_back(w.c_str());
  return cli::parse_command_line(static_cast<int>(argv.size()), argv.data());
}

}  // namespace

TEST_CASE("the task option reads POINT:REPLICATION and keeps the arguments for the rerun", "[cli]") {
  const cli::CommandLine cl = parse({"run", "configs/default.yaml", "--task", "1:17"});
  REQUIRE(cl.run.task);
  CHECK(cl.run.task->first == 1);
  CHECK(cl.run.task->second == 17);
  CHECK(cl.run.arguments == std::vector<std::string>{"breachsim", "run", "configs/default.yaml", "--task", "1:17"});
  CHECK_FALSE(parse({"run", "c.yaml"}).run.task);
  for (const char* bad : {"1", "1:", ":2", "a:b", "1:2:3", "-1:2", "1:2x"})
    CHECK_THROWS_AS(parse({"run", "c.yaml", "--task", bad}), cli::UsageError);
  CHECK_THROWS_WITH(parse({"run", "c.yaml", "--task", "0:1", "--resume"}), Catch::Contains("give one"));
}

TEST_CASE("the rerun command is the same run narrowed to the task, into its own file", "[cli]") {
  const std::vector<std::string> args{"build/cli/breachsim", "run", "configs/default.yaml", "--replications", "40",
                                      "--out=results/mine.h5", "--force", "--threads", "2"};
  CHECK(cli::rerun_command(args, "results/mine.h5", false, 1, 17) ==
        "build/cli/breachsim run configs/default.yaml --replications 40 --threads 2 --task 1:17 "
        "--out results/mine.task-1-17.h5 --force");
  // A rerun's own report reruns it into the same file.
  const std::vector<std::string> again{"breachsim", "run", "c.yaml", "--task", "1:17", "--out", "r/c.task-1-17.h5",
                                       "--force"};
  CHECK(cli::rerun_command(again, "r/c.task-1-17.h5", true, 1, 17) ==
        "breachsim run c.yaml --task 1:17 --out r/c.task-1-17.h5 --force");
  // Words the shell would split or expand are quoted, quotes inside too.
  const std::vector<std::string> quoted{"breachsim", "run", "my configs/x.yaml", "--set", "trusts[0].name=St Mary's",
                                        "--resume"};
  CHECK(cli::rerun_command(quoted, "results/x", false, 0, 0) ==
        "breachsim run 'my configs/x.yaml' --set 'trusts[0].name=St Mary'\\''s' --task 0:0 --out results/x.task-0-0 "
        "--force");
}
