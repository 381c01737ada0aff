// SPDX-License-Identifier: MIT
#pragma once
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "sim/invariant.hpp"

namespace breachsim::sim {

// A first-in first-out queue of ids in a power-of-two ring: no allocation once it has grown
// to the longest queue seen.
class IdRing {
 public:
  bool empty() const { return head_ == tail_; }
  std::size_t size() const { return tail_ - head_; }
  void push(std::uint32_t id) {
    if (size() == buffer_.size()) grow();
    buffer_[tail_++ & (buffer_.size() - 1)] = id;
  }
  std::uint32_t pop() { return buffer_[head_++ & (buffer_.size() - 1)]; }

 private:
  void grow() {
    std::vector<std::uint32_t> bigger(buffer_.empty() ? 64 : buffer_.size() * 2);
    for (std::size_t i = 0; i < size(); ++i) bigger[i] = buffer_[(head_ + i) & (buffer_.size() - 1)];
    tail_ = size();
    head_ = 0;
    buffer_.swap(bigger);
  }
  std::vector<std::uint32_t> buffer_;
  std::size_t head_ = 0;
  std::size_t tail_ = 0;
};

// Identical servers whose number on duty can change (a roster), and the customers waiting
// for them, served by priority level (0 first) and first come first served within a level.
// Passive: it never schedules anything. The model asks it and acts on the answers, so the
// same pool serves any event type without callbacks. A server busy when capacity drops
// finishes its customer first (no pre-emption); busy may then exceed capacity for a while.
class ServerPool {
 public:
  // `name` (kept, not copied) says which pool in an invariant's report: "A&E clinicians".
  explicit ServerPool(int priority_levels = 1, int capacity = 0, const char* name = "server pool")
      : queues_(static_cast<std::size_t>(priority_levels)), capacity_(capacity), name_(name) {
    if (priority_levels < 1) throw std::invalid_argument("ServerPool: needs at least one priority level");
    if constexpr (invariants_checked) check_counts();
  }

  int capacity() const { return capacity_; }
  int busy() const { return busy_; }
  std::size_t waiting() const { return waiting_; }

  void set_capacity(int servers) {
    capacity_ = servers;
    if constexpr (invariants_checked) check_counts();
  }

  // Takes a server for `id` if one is free and nobody at all is waiting (returns true: start
  // service now); otherwise queues it (returns false). A newcomer never overtakes someone
  // already queued, even of lower priority: the queue is only non-empty with a free server
  // between a release and the model's start_next() calls at the same instant, and those
  // customers were there first.
  bool request(std::uint32_t id, int level) {
    if (busy_ < capacity_ && waiting_ == 0) {
      ++busy_;
      return true;
    }
    queues_.at(static_cast<std::size_t>(level)).push(id);
    ++waiting_;
    return false;
  }

  // Joins the queue without taking a free server, for a model that hands out servers itself
  // with start_next() (so that everyone is served in queue order).
  void enqueue(std::uint32_t id, int level) {
    queues_.at(static_cast<std::size_t>(level)).push(id);
    ++waiting_;
  }

  // Takes a free server only if nobody is waiting, and never queues: for customers who go
  // away when they cannot be served at once (a loss system, Erlang B).
  bool try_take() {
    if (busy_ < capacity_ && waiting_ == 0) {
      ++busy_;
      return true;
    }
    return false;
  }

  void release() {
    if (busy_ == 0) throw std::logic_error("ServerPool: release with no server busy");
    --busy_;
    if constexpr (invariants_checked) check_counts();
  }

  // Hands a free server to the next waiting customer. Call after release() or a capacity
  // rise, repeatedly until it returns false.
  bool start_next(std::uint32_t& id) {
    if (busy_ >= capacity_ || waiting_ == 0) return false;
    for (auto& q : queues_) {
      if (!q.empty()) {
        id = q.pop();
        --waiting_;
        ++busy_;
        return true;
      }
    }
    return false;
  }

 private:
  // Capacity and servers busy never negative, and the count of those waiting is the queues'
  // (start_next trusts it). Checked at capacity changes and releases: every take follows one.
  void check_counts() const {
    std::size_t queued = 0;
    for (const IdRing& q : queues_) queued += q.size();
    if (capacity_ >= 0 && busy_ >= 0 && queued == waiting_) return;
    invariant_failed(std::string(name_) + ": counts out of range: capacity " + std::to_string(capacity_) + ", busy " +
                     std::to_string(busy_) + ", waiting " + std::to_string(waiting_) + " counted against " +
                     std::to_string(queued) + " in its queues (capacity and busy must be at least 0)");
  }

  std::vector<IdRing> queues_;
  int capacity_;
  int busy_ = 0;
  std::size_t waiting_ = 0;
  const char* name_;
};

}  // namespace breachsim::sim
