// SPDX-License-Identifier: MIT
#pragma once
#include <algorithm>
#include <cstdint>
#include <cstring>
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
// layout. Two 4-ary implicit heaps with the payload stored inline: the near one holds every
// event before a horizon, the far one every event at or after it, and the far events cross
// over a window at a time once the near heap runs dry. Models keep many events pending for
// weeks (a trust: about 150 of its 190, cancer decisions and readmissions) among a few due
// within hours, and every push and pop of those near events would otherwise sift through the
// far ones too. Slots only carry a generation counter for cancellation. After the arrays reach
// the peak number of pending events nothing is allocated.
template <class Payload>
class EventCalendar {
 public:
  // What pop() hands back: when, and what.
  struct Fired {
    Time time;
    Payload payload;
  };

  // `window`: how far past the earliest far event the horizon moves when the near heap runs
  // dry; any positive width gives the same order, only the speed changes.
  explicit EventCalendar(Time window = 1440.0) : window_(window) {
    if (!(window > 0.0)) throw std::invalid_argument("EventCalendar: the window must be positive");
  }

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
    const Event e{order_bits(at), key, payload, slot, generations_[slot]};
    (e.time_bits < horizon_bits_ ? near_ : far_).push(e);
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
    surface();
    return time_of(near_.top().time_bits);
  }

  // Removes and returns the earliest pending event; only valid when !empty().
  Fired pop() {
    surface();
    const Event top = near_.top();
    near_.pop();
    ++generations_[top.slot];
    free_slots_.push_back(top.slot);
    --live_;
    return Fired{time_of(top.time_bits), top.payload};
  }

  void reserve(std::size_t n) {
    near_.reserve(n);
    far_.reserve(n);
    generations_.reserve(n);
    free_slots_.reserve(n);
  }

 private:
  // The order (time, priority, sequence) as one 128-bit unsigned number, compared without
  // branches: a non-negative double's bits order as the double does, and push() never sees a
  // negative or NaN time (the simulator rejects times before now, and now starts at 0).
  struct Event {
    std::uint64_t time_bits;
    std::uint64_t key;  // priority in the top 8 bits, sequence number below
    Payload payload;
    std::uint32_t slot;
    std::uint32_t generation;
  };

  static std::uint64_t order_bits(Time t) {
    const Time positive = t + 0.0;  // -0.0 becomes +0.0, whose bits are 0
    std::uint64_t bits;
    std::memcpy(&bits, &positive, sizeof bits);
    return bits;
  }
  static Time time_of(std::uint64_t bits) {
    Time t;
    std::memcpy(&t, &bits, sizeof t);
    return t;
  }
  static bool before(const Event& a, const Event& b) {
    __extension__ typedef unsigned __int128 Order;  // GCC and Clang on 64-bit targets
    return ((Order{a.time_bits} << 64) | a.key) < ((Order{b.time_bits} << 64) | b.key);
  }

  class Heap {
   public:
    bool empty() const { return v_.empty(); }
    const Event& top() const { return v_.front(); }
    void reserve(std::size_t n) { v_.reserve(n); }

    void push(const Event& e) {
      v_.push_back(e);
      sift_up(v_.size() - 1, e);
    }

    // Floyd's pop: the hole at the root goes down to a leaf along the earliest children
    // (three comparisons a level, none against the moved element), then the last element
    // rises from there; it came from the bottom, so it rarely rises far.
    void pop() {
      const Event last = v_.back();
      v_.pop_back();
      const std::size_t n = v_.size();
      if (n == 0) return;
      std::size_t i = 0;
      for (;;) {
        const std::size_t first = 4 * i + 1;
        std::size_t best;
        if (first + 4 <= n) {
          // Arithmetic on the comparisons, not branches: which child is earliest is a coin
          // toss the branch predictor would lose.
          const std::size_t a = first + static_cast<std::size_t>(before(v_[first + 1], v_[first]));
          const std::size_t b = first + 2 + static_cast<std::size_t>(before(v_[first + 3], v_[first + 2]));
          best = a + static_cast<std::size_t>(before(v_[b], v_[a])) * (b - a);
        } else if (first < n) {
          best = first;
          for (std::size_t c = first + 1; c < n; ++c)
            if (before(v_[c], v_[best])) best = c;
        } else {
          break;
        }
        v_[i] = v_[best];
        i = best;
      }
      sift_up(i, last);
    }

   private:
    void sift_up(std::size_t i, const Event e) {  // e by value: it may sit at v_[i]
      while (i > 0) {
        const std::size_t parent = (i - 1) / 4;
        if (!before(e, v_[parent])) break;
        v_[i] = v_[parent];
        i = parent;
      }
      v_[i] = e;
    }

    std::vector<Event> v_;
  };

  bool stale(const Event& e) const { return generations_[e.slot] != e.generation; }
  void discard_top(Heap& h) {
    free_slots_.push_back(h.top().slot);
    h.pop();
  }

  // Brings a live event to the top of the near heap: drops cancelled ones, and when the near
  // heap runs dry moves the horizon a window past the earliest far event and brings over
  // every far event before it. Only valid when !empty().
  void surface() {
    while (!near_.empty() && stale(near_.top())) discard_top(near_);
    if (!near_.empty()) return;
    while (stale(far_.top())) discard_top(far_);
    // At least past the earliest far event itself: far enough out, t + window rounds to t.
    const std::uint64_t earliest = far_.top().time_bits;
    horizon_bits_ = std::max(order_bits(time_of(earliest) + window_), earliest + 1);
    while (!far_.empty() && far_.top().time_bits < horizon_bits_) {
      if (stale(far_.top())) {
        discard_top(far_);
      } else {
        near_.push(far_.top());
        far_.pop();
      }
    }
  }

  Heap near_, far_;
  std::vector<std::uint32_t> generations_;
  std::vector<std::uint32_t> free_slots_;
  std::uint64_t sequence_ = 0;
  std::uint64_t horizon_bits_ = 0;  // order_bits of the horizon: near_ before it, far_ from it
  Time window_;
  std::size_t live_ = 0;
};

}  // namespace breachsim::sim
