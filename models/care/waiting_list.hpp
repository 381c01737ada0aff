// SPDX-License-Identifier: MIT
#pragma once
#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "sim/time.hpp"

// The referral-to-treatment (RTT) waiting list of one trust's elective service. Its clock
// starts at referral and stops at first definitive treatment (pop_next) or on leaving the
// list untreated (remove); patients still waiting at a month end are the "incomplete
// pathways" the 18- and 52-week standards count (docs/sources.md §2). A patient is either on
// a treatment list, bookable into a clinic or theatre slot, or still in the earlier stages of
// the pathway (hold): appointments, tests and decisions before the one that stops the clock,
// or a pathway lost to administration; the clock runs in both.
namespace breachsim::models {

// Who is treated next. Ties in the key (the clock start, or when the patient joined the
// treatment list) always go to the smaller id, so the order never depends on the order of adds
// or on container internals (STYLE.md lesson 3).
enum class ListOrder : std::uint8_t {
  priority_then_fifo,  // clinical priority (0 most urgent) first, then first come first served:
                       // in the order patients joined the treatment list (for a patient held
                       // in the earlier stages, when the hold ended; otherwise at referral)
  longest_wait_first,  // longest clock first, ignoring priority
  target_chasing,      // among patients not yet past 18 weeks, the longest waiter first (those
                       // about to breach); patients already past 18 weeks, longest first, only
                       // when nobody else waits: the known perverse behaviour of targets.
                       // Ignores priority, like longest_wait_first.
};

struct WaitingPatient {
  std::uint64_t id;       // unique per trust and replication
  sim::Time clock_start;  // minutes; the RTT clock started at referral
  std::uint8_t priority;  // clinical priority 0 (urgent) .. 3 (routine)
  bool needs_admission;   // admitted pathway (theatre slot and bed) vs non-admitted (outpatient slot)
  // Minutes after clock_start at which the patient joined the treatment list, where that
  // orders the list (priority_then_fifo after a hold); 0 otherwise. A float fits the padding
  // of the list's entries; only the order depends on it, never a wait.
  float listed_after = 0.0f;
};

// Design: per pathway (and per priority too under priority_then_fifo) a vector kept sorted by
// (key, id) whose removed entries stay behind as tombstones that keep their keys, so
// the vector stays sorted and binary-searchable and a patient put back lands on their own
// tombstone in O(log n). Referrals arrive in clock order and append; pops at the front and
// removals only flip a flag; a vector is compacted once its tombstones outnumber the living,
// which makes every operation amortised O(1) apart from the binary searches. An
// open-addressing hash index maps id to position for remove(); ids need not be dense. Adds
// out of order that find no tombstone to take over are appended unsorted and merged in before
// the next pop from that vector, so an initial list in any order costs one sort. Nothing
// allocates once the vectors have grown. Held patients wait in a binary heap by the time
// their hold ends; a removal leaves their heap entry behind, recognised as stale because the
// index no longer names it (each hold has its own serial number), and dropped when it comes
// due. Under priority_then_fifo released patients join at the back of their queue (their key
// is the release time), so holds cost no re-sorting; under the clock orders they join by
// clock and the queue is merged once before the next pop.
class WaitingList {
 public:
  // docs/sources.md §2: the RTT standards count incomplete pathways whose clock has run more than
  // 18 weeks (126 days) and more than 52 weeks (364 days) at the month-end snapshot.
  static constexpr sim::Time over_18_weeks = sim::days(126.0);
  static constexpr sim::Time over_52_weeks = sim::days(364.0);
  static constexpr std::uint8_t priority_levels = 4;

  struct Snapshot {
    std::int64_t waiting, over_18w, over_52w;
    std::int64_t held = 0;  // of waiting, in the earlier stages of the pathway (not yet bookable)
    std::int64_t lost = 0;  // of held, pathways lost to administration
  };

  explicit WaitingList(ListOrder order);

  ListOrder order() const { return order_; }

  // clock_start may be in the past (the initial list) and adds may come in any order. Throws
  // std::invalid_argument for an id already waiting, a priority above 3 or a clock that is
  // not a finite number.
  void add(const WaitingPatient& p);
  // The next patient to treat on the given pathway at time `now`, removed from the list;
  // false if none waits on that pathway.
  bool pop_next(bool needs_admission, sim::Time now, WaitingPatient& out);
  // Put back a patient taken by pop_next whose treatment fell through (e.g. the operation was
  // cancelled for want of a bed): they keep their clock and their place, because the place
  // is a function of (clock_start, listed_after, id) alone.
  void put_back(const WaitingPatient& p) { add(p); }
  // A patient waiting (counted, removable) but not bookable before `until`, when they join
  // their treatment list; pop_next releases every hold due by its `now` first. `lost` marks
  // a pathway held up by an administrative failure, counted apart. Throws as add() does.
  void hold(const WaitingPatient& p, sim::Time until, bool lost);
  // Left the list untreated; false if not waiting (never added, already treated or removed).
  bool remove(std::uint64_t id);

  std::size_t size() const { return size_; }
  // Patients waiting on a pathway, held ones included.
  std::size_t size(bool needs_admission) const;

  // Month-end snapshot of incomplete pathways: waits now - clock_start strictly greater than
  // 126 and 364 days (docs/sources.md §2). O(n); patients popped or removed are not counted.
  Snapshot snapshot(sim::Time now) const;

  // Visits every waiting patient, held ones included (any order), as a const
  // WaitingPatient& and whether they are held; used for snapshots and tests. f must not
  // change the list.
  template <class F>
  void for_each(F&& f) const {
    for (const Queue& q : queues_) {
      for (const Entry& e : q.entries) {
        if (e.live) f(patient_of(e), false);
      }
    }
    for (const Held& h : held_) {
      if (holding(h)) f(WaitingPatient{h.id, h.clock_start, h.priority, h.needs_admission}, true);
    }
  }

 private:
  struct Entry {
    sim::Time clock_start;
    std::uint64_t id;
    float listed_after;  // the key is clock_start + listed_after
    std::uint8_t priority;
    bool needs_admission;
    bool live;  // false: a tombstone, kept for its key until the next compaction
  };
  static_assert(sizeof(Entry) == 24, "listed_after must stay in the padding");

  // A patient in the earlier stages of the pathway, in a min-heap by (until, id).
  struct Held {
    sim::Time until;
    sim::Time clock_start;
    std::uint64_t id;
    std::uint64_t serial;  // what the index holds for this patient while the hold stands
    float after;           // until - clock_start, as the entry will hold it
    std::uint8_t priority;
    bool needs_admission;
    bool lost;
    bool operator>(const Held& o) const { return until > o.until || (until == o.until && id > o.id); }
  };

  static WaitingPatient patient_of(const Entry& e) {
    return {e.id, e.clock_start, e.priority, e.needs_admission, e.listed_after};
  }

  // One (pathway, priority) list. Invariants: entries[0, unsorted_from) is strictly sorted by
  // (clock_start + listed_after, id), tombstones included; entries[0, head) are all tombstones, and so are
  // entries[run_begin, run_end). The last two are hints that spare rescanning the same
  // tombstones at the front (FIFO pops) and at the 18-week line (target chasing).
  struct Queue {
    static constexpr std::size_t sorted = static_cast<std::size_t>(-1);

    std::vector<Entry> entries;
    std::size_t live = 0;
    std::uint64_t base = 0;  // position of entries[0] as the id index records it
    std::size_t unsorted_from = sorted;
    std::size_t head = 0;
    std::size_t run_begin = 0;
    std::size_t run_end = 0;

    std::size_t place(const Entry& e);
    std::size_t first_live_from(std::size_t from);
    void kill(std::size_t at);
    void revived(std::size_t at);
    void forget_hints() { head = run_begin = run_end = 0; }
  };

  // id -> (queue, position) with linear probing and backward-shift deletion: one flat array,
  // so no allocation per patient as std::unordered_map would make.
  class IdIndex {
   public:
    // The value slot for a new id, or nullptr if the id is present.
    std::uint64_t* insert(std::uint64_t id);
    std::uint64_t* find(std::uint64_t id);
    const std::uint64_t* find(std::uint64_t id) const;
    void erase(std::uint64_t id);

   private:
    static constexpr std::uint64_t empty = static_cast<std::uint64_t>(-1);
    struct Slot {
      std::uint64_t id;
      std::uint64_t value;
    };
    std::size_t home(std::uint64_t id) const;
    std::size_t locate(std::uint64_t id) const;  // the slot holding id, or the empty slot ending its probe
    void grow();

    std::vector<Slot> slots_;
    std::size_t count_ = 0;
  };

  static constexpr std::size_t queue_count = 2 * priority_levels;
  // Index values of held patients name a pseudo-queue from here: held_mark + 2 * pathway + lost.
  static constexpr std::size_t held_mark = queue_count;

  std::size_t queue_of(bool needs_admission, std::uint8_t priority) const;
  static std::uint64_t held_value(bool needs_admission, bool lost, std::uint64_t serial);
  bool holding(const Held& h) const;
  void release(sim::Time now);
  // Places p in its queue; returns the index value naming that place.
  std::uint64_t enqueue(const WaitingPatient& p);
  void normalise(std::size_t q);
  void compact(std::size_t q);
  void after_kill(std::size_t q);
  void take(std::size_t q, std::size_t at, WaitingPatient& out);

  ListOrder order_;
  std::array<Queue, queue_count> queues_;
  IdIndex index_;
  std::vector<Entry> scratch_;  // reused by normalise() so merges do not allocate
  std::vector<Held> held_;      // min-heap by (until, id), stale entries included
  std::array<std::size_t, 2> held_live_{};  // held patients by pathway (non-admitted, admitted)
  std::uint64_t next_serial_ = 0;
  std::size_t size_ = 0;
};

}  // namespace breachsim::models
