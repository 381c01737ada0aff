// SPDX-License-Identifier: MIT
#include "sim/resource.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <deque>
#include <stdexcept>
#include <vector>

#include "sim/random.hpp"

using namespace breachsim::sim;

namespace {

// Starts everyone the pool will start now, in the order it chooses.
std::vector<std::uint32_t> drain(ServerPool& pool) {
  std::vector<std::uint32_t> started;
  std::uint32_t id = 0;
  while (pool.start_next(id)) started.push_back(id);
  return started;
}

}  // namespace

TEST_CASE("ServerPool serves at once while servers are free, then queues", "[resource]") {
  ServerPool pool(1, 2);
  CHECK(pool.capacity() == 2);
  CHECK(pool.request(1, 0));
  CHECK(pool.busy() == 1);
  CHECK(pool.request(2, 0));
  CHECK(pool.busy() == 2);
  CHECK_FALSE(pool.request(3, 0));
  CHECK(pool.busy() == 2);
  CHECK(pool.waiting() == 1);
  CHECK(drain(pool).empty());  // full: nobody can start
  pool.release();
  CHECK(drain(pool) == std::vector<std::uint32_t>{3});
  CHECK(pool.busy() == 2);
  CHECK(pool.waiting() == 0);
}

TEST_CASE("ServerPool serves level 0 before level 1, first come first served within a level", "[resource]") {
  ServerPool pool(2, 1);
  REQUIRE(pool.request(100, 1));
  for (std::uint32_t id : {11u, 12u, 13u}) CHECK_FALSE(pool.request(id, 1));
  for (std::uint32_t id : {1u, 2u}) CHECK_FALSE(pool.request(id, 0));
  CHECK_FALSE(pool.request(14, 1));
  CHECK_FALSE(pool.request(3, 0));
  CHECK(pool.waiting() == 7);
  std::vector<std::uint32_t> order;
  for (int i = 0; i < 7; ++i) {
    pool.release();
    const auto started = drain(pool);
    REQUIRE(started.size() == 1);
    order.push_back(started[0]);
  }
  CHECK(order == std::vector<std::uint32_t>{1, 2, 3, 11, 12, 13, 14});
  pool.release();
  CHECK(drain(pool).empty());
  CHECK(pool.busy() == 0);
}

TEST_CASE("ServerPool lets no newcomer overtake a waiting customer", "[resource]") {
  // A release at time t frees a server before the seize event at t hands it on; an arrival
  // at t in between must join the queue, not take the server.
  ServerPool pool(1, 1);
  REQUIRE(pool.request(1, 0));
  CHECK_FALSE(pool.request(2, 0));
  pool.release();
  CHECK_FALSE(pool.request(3, 0));
  CHECK(drain(pool) == std::vector<std::uint32_t>{2});
}

TEST_CASE("ServerPool capacity drop: no pre-emption, no starts until busy < capacity", "[resource]") {
  ServerPool pool(1, 3);
  for (std::uint32_t id = 1; id <= 3; ++id) REQUIRE(pool.request(id, 0));
  CHECK_FALSE(pool.request(4, 0));
  CHECK_FALSE(pool.request(5, 0));
  pool.set_capacity(1);
  CHECK(pool.busy() == 3);  // those in service finish
  CHECK(drain(pool).empty());
  pool.release();
  CHECK(drain(pool).empty());  // busy 2 > capacity 1
  pool.release();
  CHECK(drain(pool).empty());  // busy 1 == capacity 1
  pool.release();
  CHECK(drain(pool) == std::vector<std::uint32_t>{4});
  CHECK(pool.busy() == 1);
  CHECK(pool.waiting() == 1);
  pool.set_capacity(0);
  pool.release();
  CHECK(drain(pool).empty());
  CHECK_FALSE(pool.request(6, 0));
  CHECK(pool.waiting() == 2);
}

TEST_CASE("ServerPool capacity rise starts several at once", "[resource]") {
  ServerPool pool(2, 1);
  REQUIRE(pool.request(1, 0));
  for (std::uint32_t id = 2; id <= 5; ++id) CHECK_FALSE(pool.request(id, id % 2));
  pool.set_capacity(4);
  // Levels first (2 and 4 are level 0), then arrival order: 2, 4, 3; 5 still waits.
  CHECK(drain(pool) == std::vector<std::uint32_t>{2, 4, 3});
  CHECK(pool.busy() == 4);
  CHECK(pool.waiting() == 1);
}

TEST_CASE("ServerPool rejects a release with nothing busy and a pool with no levels", "[resource]") {
  ServerPool pool(1, 2);
  CHECK_THROWS_AS(pool.release(), std::logic_error);
  REQUIRE(pool.request(1, 0));
  pool.release();
  CHECK_THROWS_AS(pool.release(), std::logic_error);
  CHECK(pool.busy() == 0);
  CHECK_THROWS_AS(ServerPool(0, 1), std::invalid_argument);
}

TEST_CASE("IdRing keeps FIFO order across growth and wrap-around", "[resource]") {
  // Bursts of pushes and pops of random length, so the ring wraps many times at every size
  // it grows through (64, 128, ... 8192), compared against std::deque.
  IdRing ring;
  std::deque<std::uint32_t> reference;
  RandomStream rng({12, 0, 0}, 0, 0);
  std::uint32_t next = 0;
  long mismatches = 0;
  std::size_t longest = 0;
  for (int burst = 0; burst < 2000; ++burst) {
    const bool grow_phase = (burst / 100) % 2 == 0;
    const auto pushes = static_cast<int>(rng.uniform() * (grow_phase ? 60 : 30));
    const auto pops = static_cast<int>(rng.uniform() * (grow_phase ? 30 : 60));
    for (int i = 0; i < pushes; ++i) {
      ring.push(next);
      reference.push_back(next++);
    }
    for (int i = 0; i < pops && !reference.empty(); ++i) {
      if (ring.pop() != reference.front()) ++mismatches;
      reference.pop_front();
    }
    if (ring.size() != reference.size() || ring.empty() != reference.empty()) ++mismatches;
    longest = std::max(longest, reference.size());
  }
  while (!reference.empty()) {
    if (ring.pop() != reference.front()) ++mismatches;
    reference.pop_front();
  }
  CHECK(mismatches == 0);
  CHECK(ring.empty());
  CHECK(next > 40000);     // tens of thousands of ids went through
  CHECK(longest > 1000);   // and the ring grew several times
}
