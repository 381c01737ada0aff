// SPDX-License-Identifier: MIT
// The RTT waiting list: the month-end snapshot's 18- and 52-week lines (docs/sources.md §2), the
// exact pop order of each policy, put-back and removal, holds (patients in the earlier stages
// of the pathway, not yet bookable), and a randomized comparison with a plain vector scanned
// linearly.
#include "models/care/waiting_list.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <stdexcept>
#include <tuple>
#include <vector>

using namespace breachsim;
using models::ListOrder;
using models::WaitingList;
using models::WaitingPatient;

namespace {

// Whole days keep every subtraction below exact in double, so the lines are hit exactly.
constexpr sim::Time now0 = sim::days(1000.0);

WaitingPatient patient(std::uint64_t id, double days_waited, std::uint8_t priority = 3, bool admitted = true) {
  return WaitingPatient{id, now0 - sim::days(days_waited), priority, admitted};
}

std::vector<std::uint64_t> drain(WaitingList& list, bool admitted, sim::Time now) {
  std::vector<std::uint64_t> ids;
  WaitingPatient p{};
  while (list.pop_next(admitted, now, p)) ids.push_back(p.id);
  return ids;
}

std::vector<std::uint64_t> waiting_ids(const WaitingList& list) {
  std::vector<std::uint64_t> ids;
  list.for_each([&](const WaitingPatient& p, bool) { ids.push_back(p.id); });
  std::sort(ids.begin(), ids.end());
  return ids;
}

bool same(const WaitingPatient& a, const WaitingPatient& b) {
  return a.id == b.id && a.clock_start == b.clock_start && a.priority == b.priority &&
         a.needs_admission == b.needs_admission && a.listed_after == b.listed_after;
}

// The policies as their definitions read, by linear scan: the implementation must agree.
class ReferenceList {
 public:
  explicit ReferenceList(ListOrder order) : order_(order) {}

  void add(const WaitingPatient& p) { list_.push_back(p); }

  // Held until the time the list's float offset can state; the offset orders the treatment
  // list under priority_then_fifo only.
  void hold(const WaitingPatient& p, sim::Time until, bool lost) {
    const auto after = static_cast<float>(until - p.clock_start);
    held_.push_back({p, p.clock_start + static_cast<sim::Time>(after), after, lost});
  }

  bool pop_next(bool admitted, sim::Time now, WaitingPatient& out) {
    for (auto it = held_.begin(); it != held_.end();) {
      if (it->until <= now) {
        WaitingPatient p = it->patient;
        p.listed_after = order_ == ListOrder::priority_then_fifo ? it->after : 0.0f;
        list_.push_back(p);
        it = held_.erase(it);
      } else {
        ++it;
      }
    }
    auto best = list_.end();
    for (auto it = list_.begin(); it != list_.end(); ++it) {
      if (it->needs_admission == admitted && (best == list_.end() || before(*it, *best, now))) best = it;
    }
    if (best == list_.end()) return false;
    out = *best;
    list_.erase(best);
    return true;
  }

  bool remove(std::uint64_t id) {
    const auto it = std::find_if(list_.begin(), list_.end(), [id](const WaitingPatient& p) { return p.id == id; });
    if (it != list_.end()) {
      list_.erase(it);
      return true;
    }
    const auto h = std::find_if(held_.begin(), held_.end(), [id](const Held& x) { return x.patient.id == id; });
    if (h == held_.end()) return false;
    held_.erase(h);
    return true;
  }

  WaitingList::Snapshot snapshot(sim::Time now) const {
    WaitingList::Snapshot s{0, 0, 0};
    const auto count = [&](const WaitingPatient& p) {
      ++s.waiting;
      s.over_18w += now - p.clock_start > sim::days(126.0) ? 1 : 0;
      s.over_52w += now - p.clock_start > sim::days(364.0) ? 1 : 0;
    };
    for (const auto& p : list_) count(p);
    for (const auto& h : held_) {
      count(h.patient);
      ++s.held;
      s.lost += h.lost ? 1 : 0;
    }
    return s;
  }

  // Everyone waiting, held or not.
  std::vector<WaitingPatient> patients() const {
    std::vector<WaitingPatient> all = list_;
    for (const auto& h : held_) all.push_back(h.patient);
    return all;
  }

 private:
  struct Held {
    WaitingPatient patient;
    sim::Time until;
    float after;
    bool lost;
  };

  bool before(const WaitingPatient& a, const WaitingPatient& b, sim::Time now) const {
    const auto fifo = [](const WaitingPatient& p) { return std::make_tuple(p.clock_start, p.id); };
    const auto key = [](const WaitingPatient& p) { return p.clock_start + static_cast<sim::Time>(p.listed_after); };
    switch (order_) {
      case ListOrder::priority_then_fifo:
        return std::make_tuple(a.priority, key(a), a.id) < std::make_tuple(b.priority, key(b), b.id);
      case ListOrder::longest_wait_first:
        return fifo(a) < fifo(b);
      case ListOrder::target_chasing: {
        const bool a_breached = now - a.clock_start > sim::days(126.0);
        const bool b_breached = now - b.clock_start > sim::days(126.0);
        if (a_breached != b_breached) return b_breached;
        return fifo(a) < fifo(b);
      }
    }
    return false;
  }

  ListOrder order_;
  std::vector<WaitingPatient> list_;
  std::vector<Held> held_;
};

}  // namespace

TEST_CASE("WaitingList names the RTT lines of docs/sources.md section 2", "[waiting_list]") {
  CHECK(WaitingList::over_18_weeks == 126.0 * 1440.0);
  CHECK(WaitingList::over_52_weeks == 364.0 * 1440.0);
}

TEST_CASE("WaitingList snapshot counts waits strictly over 126 and 364 days, waiting patients only", "[waiting_list]") {
  WaitingList list(ListOrder::priority_then_fifo);
  CHECK(list.snapshot(now0).waiting == 0);
  const sim::Time minute = sim::minutes(1.0);
  list.add({1, now0 - sim::days(126.0), 3, false});           // exactly 18 weeks: not over
  list.add({2, now0 - sim::days(126.0) - minute, 3, false});  // a minute over 18 weeks
  list.add({3, now0 - sim::days(364.0), 3, false});           // exactly 52 weeks: over 18, not 52
  list.add({4, now0 - sim::days(364.0) - minute, 3, false});  // over both
  list.add({5, now0 - sim::days(10.0), 3, false});
  list.add({6, now0 - sim::days(500.0), 3, false});  // will leave untreated
  list.add({7, now0 - sim::days(400.0), 3, true});   // will be treated

  auto s = list.snapshot(now0);
  CHECK(s.waiting == 7);
  CHECK(s.over_18w == 5);  // 2, 3, 4, 6, 7
  CHECK(s.over_52w == 3);  // 4, 6, 7

  REQUIRE(list.remove(6));
  WaitingPatient p{};
  REQUIRE(list.pop_next(true, now0, p));
  CHECK(p.id == 7);
  s = list.snapshot(now0);
  CHECK(s.waiting == 5);
  CHECK(s.over_18w == 3);  // 2, 3, 4
  CHECK(s.over_52w == 1);  // 4
  CHECK(list.size() == 5);

  // One minute later patient 1 is past 18 weeks and patient 3 past 52.
  s = list.snapshot(now0 + minute);
  CHECK(s.waiting == 5);
  CHECK(s.over_18w == 4);
  CHECK(s.over_52w == 2);
}

TEST_CASE("priority_then_fifo takes priority 0 before older priority 3, clock order within a priority",
          "[waiting_list]") {
  WaitingList list(ListOrder::priority_then_fifo);
  list.add(patient(1, 300, 3));
  list.add(patient(2, 10, 0));
  list.add(patient(3, 50, 1));
  list.add(patient(4, 20, 0));
  list.add(patient(5, 400, 3));
  list.add(patient(6, 50, 1));  // same clock as 3: the smaller id first
  CHECK(list.size() == 6);
  CHECK(drain(list, true, now0) == std::vector<std::uint64_t>{4, 2, 3, 6, 5, 1});
  CHECK(list.size() == 0);
}

TEST_CASE("longest_wait_first ignores priority", "[waiting_list]") {
  WaitingList list(ListOrder::longest_wait_first);
  list.add(patient(1, 300, 3));
  list.add(patient(2, 10, 0));
  list.add(patient(3, 50, 1));
  list.add(patient(4, 20, 0));
  list.add(patient(5, 400, 3));
  list.add(patient(6, 50, 2));
  CHECK(drain(list, true, now0) == std::vector<std::uint64_t>{5, 1, 3, 6, 4, 2});
}

TEST_CASE("target_chasing treats those about to breach first and the breached only when nobody else waits",
          "[waiting_list]") {
  WaitingList list(ListOrder::target_chasing);
  list.add(patient(1, 300, 0));
  list.add(patient(2, 10, 3));
  list.add(patient(3, 50, 3));
  list.add(patient(4, 20, 0));
  list.add(patient(5, 400, 3));
  list.add(patient(6, 125, 3));  // the 125-day waiter beats the 200-day one
  list.add(patient(7, 200, 3));
  list.add(patient(8, 126, 3));  // exactly 18 weeks has not breached
  WaitingPatient p{};
  REQUIRE(list.pop_next(true, now0, p));
  CHECK(p.id == 8);
  REQUIRE(list.pop_next(true, now0, p));
  CHECK(p.id == 6);
  CHECK(drain(list, true, now0) == std::vector<std::uint64_t>{3, 4, 2, 5, 1, 7});
}

TEST_CASE("target_chasing moves its line as time passes", "[waiting_list]") {
  WaitingList list(ListOrder::target_chasing);
  list.add(patient(1, 120, 3));
  list.add(patient(2, 100, 3));
  list.add(patient(3, 90, 3));
  WaitingPatient p{};
  // Ten days on, patient 1 has waited 130 days and drops to the back.
  const sim::Time later = now0 + sim::days(10.0);
  REQUIRE(list.pop_next(true, later, p));
  CHECK(p.id == 2);
  // Forty days on, patients 1 and 3 (160 and 130 days) have breached and wait behind a
  // referral of ten days before.
  list.add(patient(4, -30, 3));
  CHECK(drain(list, true, now0 + sim::days(40.0)) == std::vector<std::uint64_t>{4, 1, 3});
}

TEST_CASE("WaitingList pathways are independent", "[waiting_list]") {
  for (const auto order : {ListOrder::priority_then_fifo, ListOrder::longest_wait_first, ListOrder::target_chasing}) {
    WaitingList list(order);
    list.add(patient(1, 30, 2, true));
    list.add(patient(2, 40, 2, false));
    list.add(patient(3, 10, 2, true));
    list.add(patient(4, 20, 2, false));
    CHECK(list.size(true) == 2);
    CHECK(list.size(false) == 2);
    CHECK(drain(list, false, now0) == std::vector<std::uint64_t>{2, 4});
    CHECK(list.size(true) == 2);
    CHECK(list.size(false) == 0);
    WaitingPatient p{};
    CHECK_FALSE(list.pop_next(false, now0, p));
    CHECK(drain(list, true, now0) == std::vector<std::uint64_t>{1, 3});
    CHECK(list.size() == 0);
  }
}

TEST_CASE("put_back restores the patient's clock and place", "[waiting_list]") {
  for (const auto order : {ListOrder::priority_then_fifo, ListOrder::longest_wait_first, ListOrder::target_chasing}) {
    WaitingList list(order);
    for (std::uint64_t id = 1; id <= 6; ++id) list.add(patient(id, 200.0 - 20.0 * static_cast<double>(id), 1));
    // Waits: 1 180 d, 2 160, 3 140, 4 120, 5 100, 6 80.
    WaitingPatient first{};
    WaitingPatient second{};
    REQUIRE(list.pop_next(true, now0, first));
    REQUIRE(list.pop_next(true, now0, second));
    list.put_back(first);
    list.put_back(second);
    CHECK(list.size() == 6);
    WaitingPatient again{};
    REQUIRE(list.pop_next(true, now0, again));
    CHECK(same(again, first));
    list.put_back(again);
    const auto expected = order == ListOrder::target_chasing ? std::vector<std::uint64_t>{4, 5, 6, 1, 2, 3}
                                                             : std::vector<std::uint64_t>{1, 2, 3, 4, 5, 6};
    CHECK(drain(list, true, now0) == expected);
  }
}

TEST_CASE("put_back keeps the place after the list has been compacted", "[waiting_list]") {
  WaitingList list(ListOrder::longest_wait_first);
  for (std::uint64_t id = 0; id < 1000; ++id) list.add(patient(id, 1000.0 - static_cast<double>(id)));
  std::vector<WaitingPatient> taken(900);
  for (auto& p : taken) REQUIRE(list.pop_next(true, now0, p));
  // Put back every tenth, some of whose tombstones compaction has dropped.
  for (std::size_t i = 0; i < taken.size(); i += 10) list.put_back(taken[i]);
  std::vector<std::uint64_t> expected;
  for (std::uint64_t id = 0; id < 1000; ++id) {
    if (id >= 900 || id % 10 == 0) expected.push_back(id);
  }
  CHECK(list.size() == expected.size());
  CHECK(drain(list, true, now0) == expected);
}

TEST_CASE("remove takes a waiting patient off and refuses anyone not waiting", "[waiting_list]") {
  WaitingList list(ListOrder::priority_then_fifo);
  CHECK_FALSE(list.remove(1));
  list.add(patient(1, 30));
  list.add(patient(2, 20));
  list.add(patient(3, 10));
  CHECK_FALSE(list.remove(99));
  WaitingPatient p{};
  REQUIRE(list.pop_next(true, now0, p));
  CHECK(p.id == 1);
  CHECK_FALSE(list.remove(1));  // already treated
  CHECK(list.remove(2));
  CHECK_FALSE(list.remove(2));  // already gone
  CHECK(list.size() == 1);
  CHECK(waiting_ids(list) == std::vector<std::uint64_t>{3});
  CHECK(drain(list, true, now0) == std::vector<std::uint64_t>{3});
  // A patient who left may be referred again under the same id.
  list.add(patient(2, 5));
  CHECK(list.size() == 1);
  CHECK(list.remove(2));
}

TEST_CASE("WaitingList rejects a duplicate id, a priority above 3 and a clock that is not finite", "[waiting_list]") {
  WaitingList list(ListOrder::priority_then_fifo);
  list.add(patient(1, 30));
  CHECK_THROWS_AS(list.add(patient(1, 10)), std::invalid_argument);
  CHECK_THROWS_AS(list.add(patient(2, 10, 4)), std::invalid_argument);
  CHECK_THROWS_AS(list.add({3, std::numeric_limits<double>::quiet_NaN(), 0, true}), std::invalid_argument);
  CHECK_THROWS_AS(list.add({4, std::numeric_limits<double>::infinity(), 0, true}), std::invalid_argument);
  CHECK(list.size() == 1);
  CHECK(list.remove(1));
}

TEST_CASE("Adds out of clock order still pop in order, before and during the run", "[waiting_list]") {
  for (const auto order : {ListOrder::priority_then_fifo, ListOrder::longest_wait_first, ListOrder::target_chasing}) {
    WaitingList list(order);
    // An initial list in scrambled order, all priority 2.
    for (std::uint64_t id : {7u, 3u, 9u, 1u, 5u, 8u, 2u, 6u, 4u})
      list.add(patient(id, 100.0 - static_cast<double>(id), 2));
    WaitingPatient p{};
    REQUIRE(list.pop_next(true, now0, p));
    CHECK(p.id == 1);
    // During the run: one older than anyone waiting, one between 4 and 5, one at the back.
    list.add(patient(20, 120.0, 2));
    list.add(patient(21, 95.5, 2));
    list.add(patient(22, 0.0, 2));
    CHECK(list.remove(8));
    CHECK(drain(list, true, now0) == std::vector<std::uint64_t>{20, 2, 3, 4, 21, 5, 6, 7, 9, 22});
  }
}

TEST_CASE("Removals from a list still out of order leave the rest in order", "[waiting_list]") {
  WaitingList list(ListOrder::longest_wait_first);
  // Ids scrambled by a multiplier coprime to 500; patient id waits 1000 - id days.
  std::vector<std::uint64_t> expected;
  for (std::uint64_t k = 0; k < 500; ++k) list.add(patient(k * 211 % 500, 1000.0 - static_cast<double>(k * 211 % 500)));
  // Enough removals that the list tidies itself before any pop has sorted it.
  for (std::uint64_t id = 0; id < 500; ++id) {
    if (id % 3 != 0) {
      CHECK(list.remove(id));
    } else {
      expected.push_back(id);
    }
  }
  CHECK(list.size() == expected.size());
  CHECK(drain(list, true, now0) == expected);
}

TEST_CASE("for_each visits exactly the waiting patients", "[waiting_list]") {
  WaitingList list(ListOrder::target_chasing);
  for (std::uint64_t id = 1; id <= 5; ++id) list.add(patient(id, static_cast<double>(id), 1, id % 2 == 0));
  CHECK(list.remove(3));
  WaitingPatient p{};
  REQUIRE(list.pop_next(true, now0, p));
  CHECK(p.id == 4);
  std::vector<WaitingPatient> seen;
  list.for_each([&](const WaitingPatient& w, bool held) {
    CHECK_FALSE(held);
    seen.push_back(w);
  });
  std::sort(seen.begin(), seen.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
  REQUIRE(seen.size() == 3);
  CHECK(same(seen[0], patient(1, 1.0, 1, false)));
  CHECK(same(seen[1], patient(2, 2.0, 1, true)));
  CHECK(same(seen[2], patient(5, 5.0, 1, false)));
}

TEST_CASE("A held patient waits, counted, and joins the back of the first-come list when the hold ends",
          "[waiting_list]") {
  WaitingList list(ListOrder::priority_then_fifo);
  const sim::Time day = sim::days(1.0);
  list.add(patient(1, 30.0));                   // on the theatre list for 30 days
  list.hold(patient(2, 200.0), now0 + day, false);  // referred 200 days ago, still in tests
  list.hold(patient(3, 400.0), now0 + 2 * day, true);  // a lost pathway, over 52 weeks
  list.add(patient(4, 1.0));
  auto s = list.snapshot(now0);
  CHECK(s.waiting == 4);
  CHECK(s.held == 2);
  CHECK(s.lost == 1);
  CHECK(s.over_18w == 2);
  CHECK(s.over_52w == 1);
  CHECK(list.size(true) == 4);
  // Today only the listed patients can be booked, oldest first.
  CHECK(drain(list, true, now0) == std::vector<std::uint64_t>{1, 4});
  list.add(WaitingPatient{5, now0 + day / 2, 3, true});  // referred tomorrow morning, listed at once
  // Tomorrow patient 2 joins the list at the back, behind 5 who joined before them, though
  // their clock is far older: first come first served on the treatment list.
  CHECK(drain(list, true, now0 + day) == std::vector<std::uint64_t>{5, 2});
  s = list.snapshot(now0 + day);
  CHECK(s.waiting == 1);
  CHECK(s.held == 1);
  CHECK(drain(list, true, now0 + 2 * day) == std::vector<std::uint64_t>{3});
  CHECK(list.size() == 0);
}

TEST_CASE("Under the clock orders a released patient joins by clock", "[waiting_list]") {
  for (const auto order : {ListOrder::longest_wait_first, ListOrder::target_chasing}) {
    WaitingList list(order);
    list.add(patient(1, 30.0));
    list.hold(patient(2, 100.0), now0 + sim::days(1.0), false);
    list.add(patient(3, 60.0));
    WaitingPatient p{};
    REQUIRE(list.pop_next(true, now0 + sim::days(1.0), p));
    CHECK(p.id == 2);  // the longest wait, and not yet past 18 weeks
    CHECK(p.listed_after == 0.0f);
  }
}

TEST_CASE("A held patient can leave; the hold never resurfaces", "[waiting_list]") {
  WaitingList list(ListOrder::priority_then_fifo);
  list.hold(patient(1, 10.0), now0 + sim::days(1.0), false);
  list.hold(patient(2, 10.0), now0 + sim::days(2.0), true);
  CHECK(list.remove(1));
  CHECK_FALSE(list.remove(1));
  CHECK(list.size() == 1);
  CHECK(list.size(true) == 1);
  CHECK(list.snapshot(now0).lost == 1);
  CHECK(list.remove(2));
  CHECK(list.snapshot(now0).held == 0);
  // The id may wait again while its old hold is still in the heap: counted once, released
  // once, at its own time.
  list.hold(patient(1, 0.0), now0 + sim::days(4.0), false);
  CHECK(list.snapshot(now0).held == 1);
  CHECK(drain(list, true, now0 + sim::days(3.0)).empty());
  CHECK(drain(list, true, now0 + sim::days(4.0)) == std::vector<std::uint64_t>{1});
  CHECK_THROWS_AS(list.hold(patient(7, 1.0, 4), now0, false), std::invalid_argument);
  list.add(patient(8, 1.0));
  CHECK_THROWS_AS(list.hold(patient(8, 1.0), now0, false), std::invalid_argument);
  CHECK_THROWS_AS(list.hold(patient(9, 1.0), std::numeric_limits<double>::infinity(), false), std::invalid_argument);
}

TEST_CASE("WaitingList agrees with a linear-scan reference over random operations", "[waiting_list]") {
  for (const auto order : {ListOrder::priority_then_fifo, ListOrder::longest_wait_first, ListOrder::target_chasing}) {
    CAPTURE(static_cast<int>(order));
    WaitingList list(order);
    ReferenceList ref(order);
    // Raw engine output only: no std distribution, so the sequence is the same everywhere.
    std::mt19937_64 rng(20160229u + static_cast<unsigned>(order));
    const auto below = [&rng](std::uint64_t n) { return rng() % n; };
    sim::Time now = sim::days(400.0);
    std::uint64_t next_id = 1;
    std::vector<WaitingPatient> in_treatment;
    std::vector<std::uint64_t> gone;  // popped or removed, and not put back
    int pops = 0;
    int put_backs = 0;
    int removals = 0;
    int out_of_order = 0;
    int holds = 0;

    for (int step = 0; step < 20000; ++step) {
      INFO("step " << step);
      // Alternate growing (55% adds, 30% pops) and draining (25% adds, 60% pops) so the list
      // both builds up and is compacted.
      const bool draining = (step / 2000) % 2 == 1;
      const auto roll = below(100);
      if (below(25) == 0) now += sim::hours(12.0) * static_cast<double>(below(3));

      if (roll < (draining ? 25u : 55u)) {
        // Sparse, scattered ids exercise the hash index; whole-day clocks make ties and land
        // waits exactly on the 18-week line.
        const std::uint64_t id = next_id++ * 7919u + 13u;
        sim::Time clock = std::floor(now / sim::days(1.0)) * sim::days(1.0);
        if (below(5) == 0) {
          clock -= sim::days(static_cast<double>(below(500)));
          ++out_of_order;
        }
        const WaitingPatient p{id, clock, static_cast<std::uint8_t>(below(4)), below(2) == 0};
        if (below(3) == 0) {
          // Held for up to 60 days from now (from the referral day, which may be long past),
          // now and then a whole number of days, so releases tie.
          const sim::Time until = below(4) == 0 ? clock + sim::days(static_cast<double>(below(30)))
                                                : now + sim::minutes(static_cast<double>(below(86400)));
          const bool lost = below(10) == 0;
          list.hold(p, until, lost);
          ref.hold(p, until, lost);
          ++holds;
        } else {
          list.add(p);
          ref.add(p);
        }
      } else if (roll < 85) {
        const bool admitted = below(2) == 0;
        // Now and then an earlier time: the list must not rely on time only moving forward.
        const sim::Time when = below(20) == 0 ? now - sim::days(static_cast<double>(below(200))) : now;
        WaitingPatient got{};
        WaitingPatient want{};
        const bool found = list.pop_next(admitted, when, got);
        REQUIRE(found == ref.pop_next(admitted, when, want));
        if (found) {
          REQUIRE(same(got, want));
          ++pops;
          if (below(4) == 0 && in_treatment.size() < 64) {
            in_treatment.push_back(got);
          } else {
            gone.push_back(got.id);
          }
        }
      } else if (roll < 90) {
        if (!in_treatment.empty()) {
          const auto i = below(in_treatment.size());
          list.put_back(in_treatment[i]);
          ref.add(in_treatment[i]);
          in_treatment.erase(in_treatment.begin() + static_cast<std::ptrdiff_t>(i));
          ++put_backs;
        }
      } else if (roll < 97) {
        std::uint64_t id = 0;
        const auto kind = below(4);
        if (kind < 2 && !ref.patients().empty()) {
          id = ref.patients()[below(ref.patients().size())].id;
        } else if (kind == 2 && !gone.empty()) {
          id = gone[below(gone.size())];
        } else {
          id = next_id * 7919u + 14u;  // never used
        }
        const bool removed = list.remove(id);
        REQUIRE(removed == ref.remove(id));
        if (removed) {
          gone.push_back(id);
          ++removals;
        }
      } else {
        const auto got = list.snapshot(now);
        const auto want = ref.snapshot(now);
        REQUIRE(got.waiting == want.waiting);
        REQUIRE(got.over_18w == want.over_18w);
        REQUIRE(got.over_52w == want.over_52w);
        REQUIRE(got.held == want.held);
        REQUIRE(got.lost == want.lost);
      }
      REQUIRE(list.size() == ref.patients().size());
      if (step % 1000 == 0) {
        std::vector<std::uint64_t> want;
        for (const auto& p : ref.patients()) want.push_back(p.id);
        std::sort(want.begin(), want.end());
        REQUIRE(waiting_ids(list) == want);
        std::size_t admitted = 0;
        for (const auto& p : ref.patients()) admitted += p.needs_admission ? 1 : 0;
        REQUIRE(list.size(true) == admitted);
      }
    }
    // Every kind of operation happened often enough to mean something.
    CHECK(pops > 3000);
    CHECK(put_backs > 300);
    CHECK(removals > 300);
    CHECK(out_of_order > 1000);
    CHECK(holds > 2000);
    // Drain both pathways to the end, still in agreement, once every hold has ended.
    now += sim::days(100.0);
    for (const bool admitted : {true, false}) {
      WaitingPatient got{};
      WaitingPatient want{};
      for (;;) {
        const bool found = list.pop_next(admitted, now, got);
        REQUIRE(found == ref.pop_next(admitted, now, want));
        if (!found) break;
        REQUIRE(same(got, want));
      }
    }
    CHECK(list.size() == 0);
  }
}
