// SPDX-License-Identifier: MIT
// M/M/c customers per second three ways, on one core:
//   hand-written  a minimal loop over a std::push_heap/pop_heap vector, the floor;
//   engine        the same model on sim::Simulator + sim::ServerPool (kernel overhead);
//   A&E model     the A&E of models/ configured as M/M/c (what a trust run pays per patient,
//                 with per-patient random streams, rosters and monthly accounting).
// The first two draw the same random numbers in the same order, so they simulate exactly the
// same customers and must agree on the mean time in system to the last digit.
#include <algorithm>
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "models/care/trust.hpp"
#include "models/run/run.hpp"
#include "sim/distributions.hpp"
#include "sim/resource.hpp"
#include "sim/simulator.hpp"

using namespace breachsim;

namespace {

constexpr int servers = 10;
constexpr double mean_service = 60.0;
constexpr double rho = 0.9;
constexpr double mean_interarrival = mean_service / (rho * servers);

struct Result {
  double seconds;
  double mean_sojourn;
  std::uint64_t customers;
};

template <class F>
Result best_of(int repeats, F&& f) {
  Result best{1e300, 0.0, 0};
  for (int i = 0; i < repeats; ++i) {
    const auto start = std::chrono::steady_clock::now();
    Result r = f();
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (r.seconds < best.seconds) best = r;
  }
  return best;
}

Result hand_written(std::uint64_t customers) {
  struct Ev {
    double time;
    std::uint64_t seq;
    std::uint32_t customer;  // arrival events carry UINT32_MAX
    bool operator<(const Ev& o) const { return time > o.time || (time == o.time && seq > o.seq); }
  };
  sim::RandomStream arrivals(sim::StreamKey{1, 0, 0}, 0, 1), service(sim::StreamKey{1, 0, 0}, 0, 2);
  std::vector<Ev> heap;
  heap.reserve(64);
  std::vector<double> arrived(customers);
  std::vector<std::uint32_t> queue(customers);
  std::size_t head = 0, tail = 0;
  std::uint64_t seq = 0, next_customer = 0, done = 0;
  int busy = 0;
  double total = 0.0;
  heap.push_back({sim::sample_exponential(arrivals, mean_interarrival), seq++, UINT32_MAX});
  while (done < customers) {
    std::pop_heap(heap.begin(), heap.end());
    const Ev e = heap.back();
    heap.pop_back();
    if (e.customer == UINT32_MAX) {
      const auto c = static_cast<std::uint32_t>(next_customer++);
      arrived[c] = e.time;
      if (busy < servers) {
        ++busy;
        heap.push_back({e.time + sim::sample_exponential(service, mean_service), seq++, c});
        std::push_heap(heap.begin(), heap.end());
      } else {
        queue[tail++] = c;
      }
      if (next_customer < customers) {
        heap.push_back({e.time + sim::sample_exponential(arrivals, mean_interarrival), seq++, UINT32_MAX});
        std::push_heap(heap.begin(), heap.end());
      }
    } else {
      total += e.time - arrived[e.customer];
      ++done;
      --busy;
      if (head < tail) {
        const std::uint32_t c = queue[head++];
        ++busy;
        heap.push_back({e.time + sim::sample_exponential(service, mean_service), seq++, c});
        std::push_heap(heap.begin(), heap.end());
      }
    }
  }
  return {0.0, total / static_cast<double>(customers), customers};
}

struct Event {
  bool arrival;
  std::uint32_t customer;
};

struct EngineModel {
  sim::RandomStream arrivals{sim::StreamKey{1, 0, 0}, 0, 1};
  sim::RandomStream service{sim::StreamKey{1, 0, 0}, 0, 2};
  sim::ServerPool pool{1, servers};
  std::vector<double> arrived;
  std::uint64_t customers, next_customer = 0, done = 0;
  double total = 0.0;

  explicit EngineModel(std::uint64_t n) : arrived(n), customers(n) {}

  void on_event(const Event& e, sim::Simulator<Event>& s) {
    if (e.arrival) {
      const auto c = static_cast<std::uint32_t>(next_customer++);
      arrived[c] = s.now();
      if (pool.request(c, 0)) start(c, s);
      if (next_customer < customers)
        s.schedule(s.now() + sim::sample_exponential(arrivals, mean_interarrival), sim::Priority::arrival, {true, 0});
    } else {
      total += s.now() - arrived[e.customer];
      ++done;
      pool.release();
      std::uint32_t next;
      while (pool.start_next(next)) start(next, s);
    }
  }
  void start(std::uint32_t c, sim::Simulator<Event>& s) {
    s.schedule(s.now() + sim::sample_exponential(service, mean_service), sim::Priority::release, {false, c});
  }
};

Result engine(std::uint64_t customers) {
  EngineModel model(customers);
  sim::Simulator<Event> s;
  s.schedule(sim::sample_exponential(model.arrivals, mean_interarrival), sim::Priority::arrival, {true, 0});
  s.run_until(1e300, model);
  return {0.0, model.total / static_cast<double>(model.done), model.done};
}

Result ed_model(int months) {
  models::Scenario sc;
  sc.scenario.months = months;
  sc.scenario.warmup_months = 0;
  models::TrustParams t;
  t.name = "bench";
  t.ed.arrivals_per_year = 365.0 * 1440.0 / mean_interarrival;
  t.ed.arrivals_by_hour.assign(24, 1.0);
  t.ed.arrivals_by_weekday.assign(7, 1.0);
  t.ed.arrivals_by_month.assign(12, 1.0);
  t.ed.clinicians_by_hour = {servers};
  t.ed.treatment_minutes = {sim::Distribution::Kind::exponential, 0.0, mean_service, 0.0, {}, {}, {}};
  t.ed.treatment_minutes_by_month.assign(12, 1.0);  // M/M/c all year: no seasons
  t.staffing.sickness_by_month.assign(12, 1.0);
  t.ed.admission_share = 0.0;
  t.elective.referrals_per_week = 0.0;  // A&E alone: no planned care, cancer or readmissions
  t.elective.initial_list = 0.0;
  t.cancer.urgent_referrals_per_week = 0.0;
  sc.trusts.push_back(t);
  const models::ScenarioSetup setup(sc);
  models::Trust trust(setup.trust_setups[0], setup.calendar, sim::StreamKey{1, 0, 0});
  std::uint64_t n = 0;
  double minutes = 0.0;
  for (int m = 0; m < months; ++m) {
    const auto e = trust.run_month(setup.calendar.month_start(m + 1)).ed;
    n += static_cast<std::uint64_t>(e.attendances);
    minutes += e.minutes_in_department;
  }
  return {0.0, minutes / static_cast<double>(n), n};
}

}  // namespace

int main(int argc, char** argv) {
  const std::uint64_t customers = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 5'000'000;
  const int repeats = 3;
  std::printf("M/M/%d at rho = %.2f, mean service %.0f min; %" PRIu64 " customers, best of %d\n", servers, rho,
              mean_service, customers, repeats);
  const Result hand = best_of(repeats, [&] { return hand_written(customers); });
  const Result eng = best_of(repeats, [&] { return engine(customers); });
  // Months of A&E holding about the same number of customers.
  const int months = std::max(1, static_cast<int>(static_cast<double>(customers) * mean_interarrival / (30.44 * 1440.0)));
  const Result ed = best_of(repeats, [&] { return ed_model(months); });
  auto line = [](const char* name, const Result& r) {
    std::printf("  %-13s %8.2f M customers/s  %6.1f ns/customer  mean time in system %.4f min\n", name,
                static_cast<double>(r.customers) / r.seconds / 1e6, r.seconds / static_cast<double>(r.customers) * 1e9,
                r.mean_sojourn);
  };
  line("hand-written", hand);
  line("engine", eng);
  line("A&E model", ed);
  std::printf("engine / hand-written time per customer: %.2fx (goal <= 1.5x)\n",
              (eng.seconds / static_cast<double>(eng.customers)) / (hand.seconds / static_cast<double>(hand.customers)));
  if (hand.mean_sojourn != eng.mean_sojourn) {
    std::printf("error: engine and hand-written loop simulated different customers\n");
    return 1;
  }
  return 0;
}
