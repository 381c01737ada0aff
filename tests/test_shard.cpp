// SPDX-License-Identifier: MIT
// How `run --shard K/N` splits a run's tasks (models/run/shard.hpp).
#include <catch2/catch.hpp>

#include "models/run/shard.hpp"

using namespace breachsim::models;

TEST_CASE("shards split the tasks into contiguous blocks, each task in one, as even as whole tasks allow", "[shard]") {
  for (std::size_t P = 1; P <= 5; ++P)
    for (std::size_t R = 1; R <= 9; ++R)
      for (std::size_t N = 1; N <= P * R; ++N) {
        const std::size_t T = P * R;
        CHECK(shard_begin(0, N, T) == 0);
        CHECK(shard_begin(N, N, T) == T);
        for (std::size_t k = 0; k < N; ++k) {
          const std::size_t size = shard_begin(k + 1, N, T) - shard_begin(k, N, T);
          CHECK((size == T / N || size == T / N + 1));
        }
        for (std::size_t r = 0; r < R; ++r)
          for (std::size_t p = 0; p < P; ++p) {
            const std::size_t task = r * P + p, k = shard_of(p, r, P, R, N);
            INFO("P " << P << " R " << R << " N " << N << " task " << task);
            REQUIRE(k < N);
            CHECK(shard_begin(k, N, T) <= task);
            CHECK(task < shard_begin(k + 1, N, T));
          }
      }
}

TEST_CASE("the arithmetic holds at the largest splits", "[shard]") {
  const std::size_t T = std::size_t{20} * 10000000;  // 20 points of 10 million replications
  for (std::size_t N : {std::size_t{1}, std::size_t{999}, max_shards}) {
    CHECK(shard_begin(N, N, T) == T);
    CHECK(shard_of(19, 9999999, 20, 10000000, N) == N - 1);
    CHECK(shard_of(0, 0, 20, 10000000, N) == 0);
    const std::size_t middle = shard_begin(N / 2, N, T);
    CHECK(shard_of(middle % 20, middle / 20, 20, 10000000, N) == N / 2);
  }
}

TEST_CASE("K/N is read from 1, and what is wrong with it is said", "[shard]") {
  std::string error;
  const auto s = parse_shard("3/8", error);
  REQUIRE(s);
  CHECK(s->index == 2);
  CHECK(s->count == 8);
  CHECK(s->text() == "3/8");
  CHECK(shard_file_name("results/x.h5", *s) == "results/x.shard-3-of-8.h5");
  CHECK(shard_file_name("x", *s) == "x.shard-3-of-8");
  for (const char* bad : {"", "3", "3/", "/8", "0/8", "9/8", "3/0", "a/b", "3/8/1", "-1/8", "1/2000000"}) {
    error.clear();
    CHECK_FALSE(parse_shard(bad, error));
    CHECK(!error.empty());
  }
  parse_shard("9/8", error);
  CHECK(error == "'9/8': K must be from 1 to N (shard K of N)");
}
