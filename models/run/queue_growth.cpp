// SPDX-License-Identifier: MIT
#include "models/run/queue_growth.hpp"

#include <ostream>
#include <string>

#include "models/run/summary.hpp"

namespace breachsim::models {

namespace {

struct QueueName {
  QueueGrowth bit;
  const char* name;
};
constexpr QueueName queue_names[] = {{growing_ed, "A&E (time in the department, ed_mean_minutes)"},
                                     {growing_waiting_list, "waiting list (rtt_waiting)"},
                                     {growing_cancer, "cancer pathway (cancer_on_pathway)"}};

}  // namespace

void print_growing_queues(std::ostream& out, const NationalRuns& runs) {
  const std::size_t G = runs.growth_slots();
  bool any = false;
  for (std::size_t p = 0; p < runs.points; ++p)
    for (std::size_t g = 0; g < G; ++g)
      for (const QueueName& q : queue_names) {
        std::size_t growing = 0, finished = 0;
        for (std::size_t r = 0; r < runs.replications; ++r) {
          if (!runs.finished(p, r)) continue;
          ++finished;
          growing += (runs.growing[(p * runs.replications + r) * G + g] & q.bit) ? 1 : 0;
        }
        if (growing == 0) continue;
        if (!any)
          out << "Warning: queues growing without bound (demand above capacity all run: no steady state, outcomes\n"
                 "depend on the run's length, and memory grows with the queue):\n";
        any = true;
        const std::string who = runs.trusts > 0 && g < runs.trust_names.size() ? runs.trust_names[g] : "all trusts";
        out << "  " << who << ": " << q.name << " in " << growing << " of " << finished << " replications"
            << (runs.points > 1 ? " at point '" + runs.point_names[p] + "'" : "") << "\n";
      }
}

}  // namespace breachsim::models
