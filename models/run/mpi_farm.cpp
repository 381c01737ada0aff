// SPDX-License-Identifier: MIT
#include "models/run/mpi_farm.hpp"

#include <mpi.h>

#include <cstdint>
#include <cstdlib>
#include <stdexcept>
#include <vector>

namespace breachsim::models::mpi {

namespace {

enum Tag : int { task_tag = 1, stop_tag = 2, outcome_tag = 3, failed_tag = 4 };

bool released = false;  // rank 0 has sent every worker its stop

void finalize() {
  int finalized = 0;
  MPI_Finalized(&finalized);
  if (!finalized) MPI_Finalize();
}

// An outcome as one message of doubles: the lengths of its five series, its three balances and
// its events (exact in a double below 2^53), then the series.
std::vector<double> pack(const ReplicationOutcome& o) {
  std::vector<double> m = {static_cast<double>(o.values.size()),
                           static_cast<double>(o.scheme_fines.size()),
                           static_cast<double>(o.first_round_levy.size()),
                           static_cast<double>(o.footprint_outturn.size()),
                           static_cast<double>(o.footprint_plan.size()),
                           o.pool_balance,
                           o.awaiting_return,
                           o.fund_returned_to_centre,
                           static_cast<double>(o.events)};
  for (const auto* series : {&o.values, &o.scheme_fines, &o.first_round_levy, &o.footprint_outturn, &o.footprint_plan})
    m.insert(m.end(), series->begin(), series->end());
  return m;
}

ReplicationOutcome unpack(const std::vector<double>& m) {
  constexpr std::size_t header = 9;
  if (m.size() < header) throw std::runtime_error("MPI: a task's outcome arrived cut short");
  ReplicationOutcome o;
  o.pool_balance = m[5];
  o.awaiting_return = m[6];
  o.fund_returned_to_centre = m[7];
  o.events = static_cast<std::uint64_t>(m[8]);
  std::size_t at = header;
  std::size_t i = 0;
  for (auto* series : {&o.values, &o.scheme_fines, &o.first_round_levy, &o.footprint_outturn, &o.footprint_plan}) {
    const auto n = static_cast<std::size_t>(m[i++]);
    if (at + n > m.size()) throw std::runtime_error("MPI: a task's outcome arrived cut short");
    series->assign(m.begin() + static_cast<std::ptrdiff_t>(at), m.begin() + static_cast<std::ptrdiff_t>(at + n));
    at += n;
  }
  return o;
}

void send_task(int rank, std::size_t p, std::size_t r) {
  const std::uint64_t task[2] = {p, r};
  MPI_Send(task, 2, MPI_UINT64_T, rank, task_tag, MPI_COMM_WORLD);
}

}  // namespace

World world(int& argc, char**& argv) {
  int initialized = 0;
  MPI_Initialized(&initialized);
  if (!initialized) {
    int provided = 0;
    // Rank 0 calls MPI from the run's producer thread and from the main thread, never both at once.
    MPI_Init_thread(&argc, &argv, MPI_THREAD_SERIALIZED, &provided);
    if (provided < MPI_THREAD_SERIALIZED) {
      MPI_Finalize();
      throw std::runtime_error("this MPI library cannot be called from more than one thread (MPI_THREAD_SERIALIZED)");
    }
    std::atexit(finalize);
  }
  World w;
  MPI_Comm_rank(MPI_COMM_WORLD, &w.rank);
  MPI_Comm_size(MPI_COMM_WORLD, &w.size);
  return w;
}

void Farm::run(const RunSpec&, const std::vector<std::pair<std::size_t, std::size_t>>& todo,
               const std::function<bool()>& stopping,
               const std::function<void(std::size_t, ReplicationOutcome&&)>& deliver) {
  int size = 1;
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  std::vector<std::size_t> running(static_cast<std::size_t>(size), todo.size());  // the task each rank has
  std::size_t next = 0, in_flight = 0;
  for (int rank = 1; rank < size && next < todo.size() && !stopping(); ++rank, ++next, ++in_flight) {
    send_task(rank, todo[next].first, todo[next].second);
    running[static_cast<std::size_t>(rank)] = next;
  }
  std::string failure;
  std::vector<double> message;
  while (in_flight > 0) {
    MPI_Status status;
    MPI_Probe(MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, &status);
    const int rank = status.MPI_SOURCE;
    --in_flight;
    if (status.MPI_TAG == failed_tag) {
      int length = 0;
      MPI_Get_count(&status, MPI_CHAR, &length);
      std::string text(static_cast<std::size_t>(length), '\0');
      MPI_Recv(text.data(), length, MPI_CHAR, rank, failed_tag, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
      if (failure.empty()) failure = text;  // that rank has ended; the others finish what they have
      continue;
    }
    int count = 0;
    MPI_Get_count(&status, MPI_DOUBLE, &count);
    message.resize(static_cast<std::size_t>(count));
    MPI_Recv(message.data(), count, MPI_DOUBLE, rank, outcome_tag, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    deliver(running[static_cast<std::size_t>(rank)], unpack(message));
    if (failure.empty() && next < todo.size() && !stopping()) {
      send_task(rank, todo[next].first, todo[next].second);
      running[static_cast<std::size_t>(rank)] = next++;
      ++in_flight;
    }
  }
  if (!failure.empty()) throw std::runtime_error(failure);
}

void serve(const PlannedRun* run, const std::string& cannot) {
  std::vector<double> message;
  for (;;) {
    MPI_Status status;
    std::uint64_t task[2] = {0, 0};
    MPI_Recv(task, 2, MPI_UINT64_T, 0, MPI_ANY_TAG, MPI_COMM_WORLD, &status);
    if (status.MPI_TAG == stop_tag) return;
    std::string failure = cannot;
    if (run) {
      try {
        message = pack(simulate_task(run->spec, static_cast<std::size_t>(task[0]), static_cast<std::size_t>(task[1])));
      } catch (const std::exception& e) {
        failure = e.what();
      }
    }
    // A failed rank stays, sent no more tasks, until rank 0 releases every rank.
    if (!run || !failure.empty())
      MPI_Send(failure.data(), static_cast<int>(failure.size()), MPI_CHAR, 0, failed_tag, MPI_COMM_WORLD);
    else
      MPI_Send(message.data(), static_cast<int>(message.size()), MPI_DOUBLE, 0, outcome_tag, MPI_COMM_WORLD);
  }
}

void release_workers() {
  int initialized = 0, finalized = 0, rank = 0, size = 1;
  MPI_Initialized(&initialized);
  MPI_Finalized(&finalized);
  if (!initialized || finalized || released) return;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  if (rank != 0) return;
  released = true;
  for (int r = 1; r < size; ++r) MPI_Send(nullptr, 0, MPI_UINT64_T, r, stop_tag, MPI_COMM_WORLD);
}

}  // namespace breachsim::models::mpi
