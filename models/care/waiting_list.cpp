// SPDX-License-Identifier: MIT
#include "models/care/waiting_list.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <initializer_list>
#include <stdexcept>
#include <string>

namespace breachsim::models {

namespace {

// A queue of a few dozen tombstones is cheaper to walk past than to compact over and over.
constexpr std::size_t compaction_slack = 64;

constexpr unsigned queue_bits = 4;  // 8 queues and 4 held marks
constexpr std::uint64_t queue_mask = (1U << queue_bits) - 1;

// The one order of the list: the key (the clock start, or when the patient joined the
// treatment list), then id, so equal keys never tie.
template <class E>
sim::Time key(const E& e) {
  return e.clock_start + static_cast<sim::Time>(e.listed_after);
}
template <class E>
bool precedes(const E& a, const E& b) {
  const sim::Time ka = key(a), kb = key(b);
  return ka < kb || (ka == kb && a.id < b.id);
}

std::uint64_t pack(std::size_t q, std::uint64_t position) { return (position << queue_bits) | q; }

// splitmix64's finaliser: ids are often consecutive, and linear probing needs them spread.
std::uint64_t mix(std::uint64_t x) {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  x ^= x >> 31;
  return x;
}

}  // namespace

// ---- IdIndex ----------------------------------------------------------------------------

std::size_t WaitingList::IdIndex::home(std::uint64_t id) const {
  return static_cast<std::size_t>(mix(id)) & (slots_.size() - 1);
}

std::size_t WaitingList::IdIndex::locate(std::uint64_t id) const {
  const std::size_t mask = slots_.size() - 1;
  std::size_t i = home(id);
  while (slots_[i].value != empty && slots_[i].id != id) i = (i + 1) & mask;
  return i;
}

void WaitingList::IdIndex::grow() {
  std::vector<Slot> old(slots_.empty() ? 64 : slots_.size() * 2, Slot{0, empty});
  old.swap(slots_);
  for (const Slot& s : old) {
    if (s.value != empty) slots_[locate(s.id)] = s;
  }
}

std::uint64_t* WaitingList::IdIndex::insert(std::uint64_t id) {
  // Load at most 3/4: linear probing stays short, and the table stays near 16 bytes x 2n.
  if (4 * (count_ + 1) > 3 * slots_.size()) grow();
  Slot& s = slots_[locate(id)];
  if (s.value != empty) return nullptr;
  s.id = id;
  s.value = 0;
  ++count_;
  return &s.value;
}

std::uint64_t* WaitingList::IdIndex::find(std::uint64_t id) {
  if (slots_.empty()) return nullptr;
  Slot& s = slots_[locate(id)];
  return s.value == empty ? nullptr : &s.value;
}

const std::uint64_t* WaitingList::IdIndex::find(std::uint64_t id) const {
  if (slots_.empty()) return nullptr;
  const Slot& s = slots_[locate(id)];
  return s.value == empty ? nullptr : &s.value;
}

void WaitingList::IdIndex::erase(std::uint64_t id) {
  if (slots_.empty()) return;
  const std::size_t mask = slots_.size() - 1;
  std::size_t hole = locate(id);
  if (slots_[hole].value == empty) return;
  // Backward-shift deletion instead of tombstones: probe sequences never lengthen, however
  // many patients pass through the list over a long run.
  for (std::size_t j = (hole + 1) & mask; slots_[j].value != empty; j = (j + 1) & mask) {
    const std::size_t k = home(slots_[j].id);
    if (((j - k) & mask) >= ((j - hole) & mask)) {
      slots_[hole] = slots_[j];
      hole = j;
    }
  }
  slots_[hole].value = empty;
  --count_;
}

// ---- Queue ------------------------------------------------------------------------------

std::size_t WaitingList::Queue::place(const Entry& e) {
  ++live;
  if (unsorted_from == sorted && !entries.empty() && !precedes(entries.back(), e)) {
    const auto it = std::lower_bound(entries.begin(), entries.end(), e,
                                     [](const Entry& a, const Entry& b) { return precedes(a, b); });
    const auto pos = static_cast<std::size_t>(it - entries.begin());
    // Taking over a neighbouring tombstone keeps the order: the tombstone at pos has a key no
    // smaller than e's (equal only if it is e's own, left by pop_next), the one before pos a
    // smaller key. This is how put_back finds its own place again.
    for (const std::size_t at : {pos, pos - 1}) {
      if (at < entries.size() && !entries[at].live) {
        entries[at] = e;
        revived(at);
        return at;
      }
    }
    unsorted_from = entries.size();
  }
  entries.push_back(e);
  return entries.size() - 1;
}

std::size_t WaitingList::Queue::first_live_from(std::size_t from) {
  std::size_t i = std::max(from, head);
  while (i < entries.size()) {
    if (i >= run_begin && i < run_end) {
      i = run_end;
    } else if (entries[i].live) {
      break;
    } else {
      ++i;
    }
  }
  // Remember what was just walked: everything in [from, i) is a tombstone.
  if (from <= head) {
    head = i;
  } else if (from >= run_begin && from <= run_end) {
    run_end = i;
  } else {
    run_begin = from;
    run_end = i;
  }
  return i;
}

void WaitingList::Queue::kill(std::size_t at) {
  entries[at].live = false;
  --live;
  if (at == head) {
    ++head;
  } else if (at == run_end) {
    ++run_end;
  }
}

void WaitingList::Queue::revived(std::size_t at) {
  if (at < head) head = at;
  if (at >= run_begin && at < run_end) run_end = at;
}

// ---- WaitingList ------------------------------------------------------------------------

WaitingList::WaitingList(ListOrder order) : order_(order) {}

std::size_t WaitingList::queue_of(bool needs_admission, std::uint8_t priority) const {
  const std::size_t level = order_ == ListOrder::priority_then_fifo ? priority : 0;
  return (needs_admission ? priority_levels : 0) + level;
}

void WaitingList::add(const WaitingPatient& p) {
  if (p.priority >= priority_levels) {
    throw std::invalid_argument("WaitingList: patient " + std::to_string(p.id) + " has priority " +
                                std::to_string(p.priority) + "; expected 0 to 3");
  }
  if (!std::isfinite(p.clock_start)) {
    throw std::invalid_argument("WaitingList: patient " + std::to_string(p.id) +
                                " has a clock start that is not finite");
  }
  std::uint64_t* position = index_.insert(p.id);
  if (position == nullptr) {
    throw std::invalid_argument("WaitingList: patient " + std::to_string(p.id) + " is already waiting");
  }
  *position = enqueue(p);
  ++size_;
}

std::uint64_t WaitingList::enqueue(const WaitingPatient& p) {
  const std::size_t q = queue_of(p.needs_admission, p.priority);
  Queue& queue = queues_[q];
  const std::size_t at = queue.place(Entry{p.clock_start, p.id, p.listed_after, p.priority, p.needs_admission, true});
  return pack(q, queue.base + at);
}

void WaitingList::hold(const WaitingPatient& p, sim::Time until, bool lost) {
  if (p.priority >= priority_levels) {
    throw std::invalid_argument("WaitingList: patient " + std::to_string(p.id) + " has priority " +
                                std::to_string(p.priority) + "; expected 0 to 3");
  }
  if (!std::isfinite(p.clock_start) || !std::isfinite(until)) {
    throw std::invalid_argument("WaitingList: patient " + std::to_string(p.id) +
                                " has a clock start or hold that is not finite");
  }
  std::uint64_t* value = index_.insert(p.id);
  if (value == nullptr) {
    throw std::invalid_argument("WaitingList: patient " + std::to_string(p.id) + " is already waiting");
  }
  const std::uint64_t serial = next_serial_++;
  *value = held_value(p.needs_admission, lost, serial);
  // The hold ends at a time the entry's float offset states exactly, so that releases in
  // (until, id) order append in key order and never force a merge.
  const auto after = static_cast<float>(until - p.clock_start);
  const sim::Time exact = p.clock_start + static_cast<sim::Time>(after);
  held_.push_back(Held{exact, p.clock_start, p.id, serial, after, p.priority, p.needs_admission, lost});
  std::push_heap(held_.begin(), held_.end(), std::greater<>{});
  ++held_live_[p.needs_admission ? 1 : 0];
  ++size_;
}

std::uint64_t WaitingList::held_value(bool needs_admission, bool lost, std::uint64_t serial) {
  return pack(held_mark + 2 * (needs_admission ? 1 : 0) + (lost ? 1 : 0), serial);
}

bool WaitingList::holding(const Held& h) const {
  const std::uint64_t* value = index_.find(h.id);
  return value != nullptr && *value == held_value(h.needs_admission, h.lost, h.serial);
}

void WaitingList::release(sim::Time now) {
  // In (until, id) order, so under priority_then_fifo each joins the back of its queue.
  while (!held_.empty() && held_.front().until <= now) {
    const Held h = held_.front();
    std::pop_heap(held_.begin(), held_.end(), std::greater<>{});
    held_.pop_back();
    std::uint64_t* value = index_.find(h.id);
    if (value == nullptr || *value != held_value(h.needs_admission, h.lost, h.serial)) continue;  // left while held
    --held_live_[h.needs_admission ? 1 : 0];
    const float after = order_ == ListOrder::priority_then_fifo ? h.after : 0.0f;
    // The index entry moves from the hold to the queue in place: one lookup per release.
    *value = enqueue(WaitingPatient{h.id, h.clock_start, h.priority, h.needs_admission, after});
  }
}

bool WaitingList::pop_next(bool needs_admission, sim::Time now, WaitingPatient& out) {
  release(now);
  const std::size_t first = needs_admission ? priority_levels : 0;
  if (order_ == ListOrder::priority_then_fifo) {
    for (std::size_t q = first; q < first + priority_levels; ++q) {
      if (queues_[q].live == 0) continue;
      normalise(q);
      take(q, queues_[q].first_live_from(0), out);
      return true;
    }
    return false;
  }
  Queue& queue = queues_[first];
  if (queue.live == 0) return false;
  normalise(first);
  std::size_t at = queue.entries.size();
  if (order_ == ListOrder::target_chasing) {
    // The same expression as snapshot(), so "breached" means the same thing in both. Waits
    // fall along the sorted vector, tombstones included, so the 18-week line is a binary search.
    const auto line = std::partition_point(queue.entries.begin(), queue.entries.end(),
                                           [now](const Entry& e) { return now - e.clock_start > over_18_weeks; });
    at = queue.first_live_from(static_cast<std::size_t>(line - queue.entries.begin()));
  }
  if (at == queue.entries.size()) at = queue.first_live_from(0);
  take(first, at, out);
  return true;
}

bool WaitingList::remove(std::uint64_t id) {
  const std::uint64_t* position = index_.find(id);
  if (position == nullptr) return false;
  const auto q = static_cast<std::size_t>(*position & queue_mask);
  if (q >= held_mark) {
    // Its heap entry stays, stale once the index forgets it.
    --held_live_[(q - held_mark) / 2];
    index_.erase(id);
    --size_;
    return true;
  }
  const auto at = static_cast<std::size_t>((*position >> queue_bits) - queues_[q].base);
  queues_[q].kill(at);
  index_.erase(id);
  --size_;
  after_kill(q);
  return true;
}

void WaitingList::take(std::size_t q, std::size_t at, WaitingPatient& out) {
  Queue& queue = queues_[q];
  out = patient_of(queue.entries[at]);
  queue.kill(at);
  index_.erase(out.id);
  --size_;
  after_kill(q);
}

void WaitingList::after_kill(std::size_t q) {
  const Queue& queue = queues_[q];
  if (queue.entries.size() < 2 * queue.live + compaction_slack) return;
  if (queue.unsorted_from == Queue::sorted) {
    compact(q);
  } else {
    normalise(q);
  }
}

void WaitingList::compact(std::size_t q) {
  Queue& queue = queues_[q];
  std::vector<Entry>& v = queue.entries;
  // Positions the index holds are base + offset: shifting base by the leading tombstones
  // leaves every patient before the first inner tombstone with an unchanged position, so
  // the common case (FIFO pops from the front) rewrites no index entries.
  std::size_t leading = 0;
  while (leading < v.size() && !v[leading].live) ++leading;
  std::size_t w = 0;
  for (std::size_t r = leading; r < v.size(); ++r) {
    if (!v[r].live) continue;
    if (r != leading + w) *index_.find(v[r].id) = pack(q, queue.base + leading + w);
    v[w++] = v[r];
  }
  v.resize(w);
  queue.base += leading;
  queue.forget_hints();
}

void WaitingList::normalise(std::size_t q) {
  Queue& queue = queues_[q];
  if (queue.unsorted_from == Queue::sorted) return;
  std::vector<Entry>& v = queue.entries;
  const auto by_key = [](const Entry& a, const Entry& b) { return precedes(a, b); };
  const auto mid = v.begin() + static_cast<std::ptrdiff_t>(queue.unsorted_from);
  std::sort(mid, v.end(), by_key);
  // Merge the sorted part and the newly sorted tail, dropping tombstones on the way.
  scratch_.clear();
  scratch_.reserve(queue.live);
  auto a = v.begin();
  auto b = mid;
  for (;;) {
    while (a != mid && !a->live) ++a;
    while (b != v.end() && !b->live) ++b;
    if (a == mid && b == v.end()) break;
    if (b == v.end() || (a != mid && precedes(*a, *b))) {
      scratch_.push_back(*a++);
    } else {
      scratch_.push_back(*b++);
    }
  }
  v.swap(scratch_);
  for (std::size_t i = 0; i < v.size(); ++i) *index_.find(v[i].id) = pack(q, queue.base + i);
  queue.unsorted_from = Queue::sorted;
  queue.forget_hints();
}

std::size_t WaitingList::size(bool needs_admission) const {
  const std::size_t first = needs_admission ? priority_levels : 0;
  std::size_t n = held_live_[needs_admission ? 1 : 0];
  for (std::size_t q = first; q < first + priority_levels; ++q) n += queues_[q].live;
  return n;
}

WaitingList::Snapshot WaitingList::snapshot(sim::Time now) const {
  Snapshot s{0, 0, 0};
  for_each([&](const WaitingPatient& p, bool held) {
    const sim::Time waited = now - p.clock_start;
    ++s.waiting;
    if (waited > over_18_weeks) ++s.over_18w;
    if (waited > over_52_weeks) ++s.over_52w;
    if (held) ++s.held;
  });
  for (const Held& h : held_) {
    if (h.lost && holding(h)) ++s.lost;
  }
  return s;
}

}  // namespace breachsim::models
