// SPDX-License-Identifier: MIT
#pragma once
#include <cstdint>
#include <stdexcept>
#include <vector>

#include "sim/priority.hpp"
#include "sim/time.hpp"

namespace breachsim::sim {

// Identifies one scheduled event so that it can be cancelled. Stale handles (the event has
// fired or was cancelled) are recognised and ignored.
struct EventHandle {
  std::uint32_t slot = 0xffffffffu;
  std::uint32_t generation = 0;
};

// Pending events ordered by (time, priority, sequence number): ties never depend on heap
// layout. A 4-ary implicit heap with the payload stored inline, so popping touches one
// contiguous array; slots only carry a generation counter for cancellation. After the
// arrays reach the peak number of pending events nothing is allocated.
template <class Payload>
class EventCalendar {
 public:
  struct Event {
    Time time;
    std::uint64_t key;  // priority in the top 8 bits, sequence number below
    Payload payload;
    std::uint32_t slot;
    std::uint32_t generation;
  };

  EventHandle push(Time at, Priority priority, const Payload& payload) {
    if (sequence_ >= (std::uint64_t{1} << 56))
      throw std::overflow_error("EventCalendar: sequence numbers exhausted");
    std::uint32_t slot;
    if (free_slots_.empty()) {
      slot = static_cast<std::uint32_t>(generations_.size());
      generations_.push_back(0);
    } else {
      slot = free_slots_.back();
      free_slots_.pop_back();
    }
    const std::uint64_t key = (std::uint64_t{static_cast<std::uint8_t>(priority)} << 56) | sequence_++;
    heap_.push_back(Event{at, key, payload, slot, generations_[slot]});
    sift_up(heap_.size() - 1);
    ++live_;
    return EventHandle{slot, generations_[slot]};
  }

  // Returns true when the event was pending and is now cancelled.
  bool cancel(EventHandle h) {
    if (h.slot >= generations_.size() || generations_[h.slot] != h.generation) return false;
    ++generations_[h.slot];  // the heap entry is now stale and is dropped when it surfaces
    --live_;
    return true;
  }

  bool empty() const { return live_ == 0; }
  std::size_t size() const { return live_; }

  // Time of the earliest pending event; only valid when !empty().
  Time next_time() {
    drop_stale();
    return heap_.front().time;
  }

  // Removes and returns the earliest pending event; only valid when !empty().
  Event pop() {
    drop_stale();
    Event top = heap_.front();
    remove_top();
    ++generations_[top.slot];
    free_slots_.push_back(top.slot);
    --live_;
    return top;
  }

  void reserve(std::size_t n) {
    heap_.reserve(n);
    generations_.reserve(n);
    free_slots_.reserve(n);
  }

 private:
  static bool before(const Event& a, const Event& b) {
    return a.time < b.time || (a.time == b.time && a.key < b.key);
  }

  void drop_stale() {
    while (generations_[heap_.front().slot] != heap_.front().generation) {
      free_slots_.push_back(heap_.front().slot);
      remove_top();
    }
  }

  void remove_top() {
    heap_.front() = heap_.back();
    heap_.pop_back();
    if (!heap_.empty()) sift_down(0);
  }

  void sift_up(std::size_t i) {
    Event e = heap_[i];
    while (i > 0) {
      const std::size_t parent = (i - 1) / 4;
      if (!before(e, heap_[parent])) break;
      heap_[i] = heap_[parent];
      i = parent;
    }
    heap_[i] = e;
  }

  void sift_down(std::size_t i) {
    const std::size_t n = heap_.size();
    Event e = heap_[i];
    for (;;) {
      const std::size_t first = 4 * i + 1;
      if (first >= n) break;
      std::size_t best = first;
      const std::size_t last = first + 4 < n ? first + 4 : n;
      for (std::size_t c = first + 1; c < last; ++c)
        if (before(heap_[c], heap_[best])) best = c;
      if (!before(heap_[best], e)) break;
      heap_[i] = heap_[best];
      i = best;
    }
    heap_[i] = e;
  }

  std::vector<Event> heap_;
  std::vector<std::uint32_t> generations_;
  std::vector<std::uint32_t> free_slots_;
  std::uint64_t sequence_ = 0;
  std::size_t live_ = 0;
};

}  // namespace breachsim::sim
