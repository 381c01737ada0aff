// SPDX-License-Identifier: MIT
#pragma once
#include <string>

#include "models/run/run_control.hpp"
#include "models/run/run_file.hpp"

// A run over MPI ranks (built with -DBREACHSIM_WITH_MPI=ON, started by mpirun): every rank
// reads the config and plans the run; rank 0 alone opens and writes the file, as one process
// does, and hands the tasks out one at a time to the other ranks as they finish (dynamic
// farming: a slow task holds up no one), which simulate them with their threads and send
// back the outcome. The outcomes are those of the run in one process.
namespace breachsim::models::mpi {

// MPI for the program's lifetime: initialised by the first call, finalised at exit.
// A program started without mpirun is rank 0 of 1.
struct World {
  int rank = 0, size = 1;
};
World world(int& argc, char**& argv);

// Rank 0's farm: hands the tasks to ranks 1 to size-1.
class Farm final : public TaskFarm {
 public:
  void run(const RunSpec& spec, const std::vector<std::pair<std::size_t, std::size_t>>& todo,
           const std::function<bool()>& stopping,
           const std::function<void(std::size_t, ReplicationOutcome&&)>& deliver) override;
};

// Ranks other than 0: simulate the tasks rank 0 sends until it says stop. A task that throws
// is reported to rank 0, which ends the run with its message and sends this rank no more.
// Without a run (this rank could not plan it: `cannot` says why), every task is answered
// with `cannot`; either way the rank waits for rank 0's stop, so that no rank is left waiting.
void serve(const PlannedRun* run, const std::string& cannot = "");

// Rank 0, on every way out of a run: tells each rank still waiting for a task to stop, so that
// none is left waiting for ever (also when rank 0 fails before the first task). Idempotent.
void release_workers();

}  // namespace breachsim::models::mpi
