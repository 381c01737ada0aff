// SPDX-License-Identifier: MIT
// The league table's arithmetic: quartile scores per indicator, ties, the mean score,
// segments with the financial override and segment 5, ranks, and the config checks.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include "models/regulator/league_table.hpp"

using namespace breachsim;
using models::LeagueTableParams;
using models::LeagueTrustQuarter;

namespace {

LeagueTableParams only(std::vector<std::string> indicators) {
  LeagueTableParams p;
  p.indicators = std::move(indicators);
  return p;
}

std::vector<LeagueTrustQuarter> with_ed(const std::vector<double>& ed_within_4h) {
  std::vector<LeagueTrustQuarter> trusts(ed_within_4h.size());
  for (std::size_t i = 0; i < trusts.size(); ++i) trusts[i].ed_within_4h = ed_within_4h[i];
  return trusts;
}

// Records what describe() declares, whatever the field's type.
struct KeyCollector {
  std::vector<std::string> keys;
  std::vector<sim::config::Doc> docs;
  template <class T>
  void field(const char* key, T&, const sim::config::Doc& doc) {
    keys.emplace_back(key);
    docs.push_back(doc);
  }
};

}  // namespace

TEST_CASE("8 distinct values: quartiles of 2 trusts each", "[league_table]") {
  // Sorted best first: t3 0.99, t1 0.97 | t6 0.95, t5 0.93 | t0 0.90, t2 0.85 | t4 0.80, t7 0.70.
  // Position i of 8 is in quartile floor(i / 2) + 1, so the scores are 1,1 | 2,2 | 3,3 | 4,4.
  const auto trusts = with_ed({0.90, 0.97, 0.85, 0.99, 0.80, 0.93, 0.95, 0.70});
  const auto r = models::rank_trusts(only({"ed_4h"}), trusts);
  CHECK(r.score == std::vector<double>{3, 1, 3, 1, 4, 2, 2, 4});
  // Ranks by score, ties by index: t1 t3 | t5 t6 | t0 t2 | t4 t7.
  CHECK(r.rank == std::vector<int>{5, 1, 6, 2, 7, 3, 4, 8});
  // Segments by the same quartiles of the score, so equal to the scores here; t4 and t7 are in
  // segment 4 with score 4 >= 3.5: segment 5.
  CHECK(r.segment == std::vector<int>{3, 1, 3, 1, 5, 2, 2, 5});

  // "At least": a threshold of exactly 4 still sends them to 5.
  LeagueTableParams p = only({"ed_4h"});
  p.intensive_support_score = 4;
  CHECK(models::rank_trusts(p, trusts).segment == std::vector<int>{3, 1, 3, 1, 5, 2, 2, 5});
}

TEST_CASE("ties share the better quartile, and ranks break ties by index", "[league_table]") {
  // Sorted best first (stable): t4 0.95 (pos 0) | t0 t1 t2 0.90 (pos 1-3) | t3 t5 0.80 (pos 4-5)
  // | t6 t7 0.70 (pos 6-7). Quartile of the first of each group: 1, 1, 3, 4; positions 2 and 3
  // would alone be quartile 2, so nobody scores 2.
  const auto trusts = with_ed({0.90, 0.90, 0.90, 0.80, 0.95, 0.80, 0.70, 0.70});
  const auto r = models::rank_trusts(only({"ed_4h"}), trusts);
  CHECK(r.score == std::vector<double>{1, 1, 1, 3, 1, 3, 4, 4});
  // Score ascending, ties by index: t0 t1 t2 t4 (1) | t3 t5 (3) | t6 t7 (4).
  CHECK(r.rank == std::vector<int>{1, 2, 3, 5, 4, 6, 7, 8});
  // Score quartiles by the same rule: the four 1s from pos 0: 1; the 3s from pos 4: 3; the 4s
  // from pos 6: 4, then 5 (score 4 >= 3.5).
  CHECK(r.segment == std::vector<int>{1, 1, 1, 3, 1, 3, 5, 5});

  // Every trust equal: all best.
  const auto same = models::rank_trusts(only({"ed_4h"}), with_ed({0.9, 0.9, 0.9}));
  CHECK(same.score == std::vector<double>{1, 1, 1});
  CHECK(same.rank == std::vector<int>{1, 2, 3});
  CHECK(same.segment == std::vector<int>{1, 1, 1});
}

TEST_CASE("a single trust, no trusts, and counts not divisible by 4", "[league_table]") {
  // One trust is the best on everything: score 1 with all five default indicators.
  const LeagueTableParams p;
  const auto one = models::rank_trusts(p, {LeagueTrustQuarter{}});
  CHECK(one.score == std::vector<double>{1});
  CHECK(one.rank == std::vector<int>{1});
  CHECK(one.segment == std::vector<int>{1});

  const auto none = models::rank_trusts(p, {});
  CHECK(none.score.empty());
  CHECK(none.rank.empty());
  CHECK(none.segment.empty());

  // 5 trusts: floor(4i / 5) + 1 for i = 0..4 is 1, 1, 2, 3, 4.
  CHECK(models::rank_trusts(only({"ed_4h"}), with_ed({0.9, 0.8, 0.7, 0.6, 0.5})).score ==
        std::vector<double>{1, 1, 2, 3, 4});
  // 3 trusts: floor(4i / 3) + 1 is 1, 2, 3; 2 trusts: 1, 3.
  CHECK(models::rank_trusts(only({"ed_4h"}), with_ed({0.5, 0.9, 0.7})).score == std::vector<double>{3, 1, 2});
  CHECK(models::rank_trusts(only({"ed_4h"}), with_ed({0.5, 0.9})).score == std::vector<double>{3, 1});
}

TEST_CASE("the financial override moves deficit trusts down before segment 5", "[league_table]") {
  // A&E alone: t0 0.99 | t1 0.95 | t2 0.90 | t3 0.85: scores and segments 1, 2, 3, 4.
  auto trusts = with_ed({0.99, 0.95, 0.90, 0.85});
  trusts[0].surplus_share_of_income = -0.01;  // in deficit, segment 1 by score
  trusts[1].surplus_share_of_income = 0.0;    // breaking even is not a deficit
  trusts[2].surplus_share_of_income = -0.03;  // in deficit, already segment 3
  trusts[3].surplus_share_of_income = -0.05;  // in deficit, segment 4 and score 4
  LeagueTableParams p = only({"ed_4h"});

  // Default 3: t0 1 -> 3; t2 stays 3; t3 4 is worse than 3 so untouched, then 5 (4 >= 3.5).
  auto r = models::rank_trusts(p, trusts);
  CHECK(r.segment == std::vector<int>{3, 2, 3, 5});
  // The override changes segments only: scores and ranks are as before.
  CHECK(r.score == std::vector<double>{1, 2, 3, 4});
  CHECK(r.rank == std::vector<int>{1, 2, 3, 4});

  // 1 turns the override off.
  p.deficit_best_segment = 1;
  CHECK(models::rank_trusts(p, trusts).segment == std::vector<int>{1, 2, 3, 5});

  // 4: t0 and t2 moved to 4 stay there, their scores (1, 3) being below 3.5; t3 goes to 5.
  p.deficit_best_segment = 4;
  CHECK(models::rank_trusts(p, trusts).segment == std::vector<int>{4, 2, 4, 5});
}

TEST_CASE("segment 5 only for segment-4 trusts at or over the threshold", "[league_table]") {
  // Three indicators, 4 trusts (quartile = position + 1):
  //   ed_4h      t0 t1 t2 t3 -> 1 2 3 4
  //   rtt_18w    t0 t1 t2 t3 -> 1 2 3 4
  //   cancer_62d t0 t1 t3 t2 -> t0 1, t1 2, t3 3, t2 4
  // Means: t0 1, t1 2, t2 10/3, t3 11/3; segments 1, 2, 3, 4.
  std::vector<LeagueTrustQuarter> trusts(4);
  const double ed[] = {0.99, 0.98, 0.97, 0.96}, rtt[] = {0.95, 0.90, 0.85, 0.80}, cancer[] = {0.9, 0.8, 0.6, 0.7};
  for (int i = 0; i < 4; ++i) {
    trusts[i].ed_within_4h = ed[i];
    trusts[i].rtt_within_18w = rtt[i];
    trusts[i].cancer_within_62d = cancer[i];
  }
  LeagueTableParams p = only({"ed_4h", "rtt_18w", "cancer_62d"});
  const auto r = models::rank_trusts(p, trusts);
  CHECK(r.score[0] == 1.0);
  CHECK(r.score[1] == 2.0);
  CHECK(r.score[2] == Approx(10.0 / 3.0));
  CHECK(r.score[3] == Approx(11.0 / 3.0));
  CHECK(r.rank == std::vector<int>{1, 2, 3, 4});
  // Default 3.5: t3 (3.67) goes to 5; t2 (3.33) is in segment 3.
  CHECK(r.segment == std::vector<int>{1, 2, 3, 5});

  // 3.7: t3's 3.67 falls short, it stays in 4.
  p.intensive_support_score = 3.7;
  CHECK(models::rank_trusts(p, trusts).segment == std::vector<int>{1, 2, 3, 4});

  // 1: every score clears it, but only the segment-4 trust goes to 5.
  p.intensive_support_score = 1;
  CHECK(models::rank_trusts(p, trusts).segment == std::vector<int>{1, 2, 3, 5});
}

TEST_CASE("an indicator subset ranks by those indicators alone", "[league_table]") {
  // A&E would rank t0 t1 t2 t3; finance best first is t2 0.05 | t0 0.02 | t3 0 | t1 -0.01.
  auto trusts = with_ed({0.99, 0.98, 0.97, 0.96});
  const double surplus[] = {0.02, -0.01, 0.05, 0.0};
  for (int i = 0; i < 4; ++i) trusts[i].surplus_share_of_income = surplus[i];
  const auto r = models::rank_trusts(only({"finance"}), trusts);
  CHECK(r.score == std::vector<double>{2, 4, 1, 3});
  CHECK(r.rank == std::vector<int>{2, 4, 1, 3});
  // t1 is in deficit but already in segment 4, worse than 3; score 4 >= 3.5: segment 5.
  CHECK(r.segment == std::vector<int>{2, 5, 1, 3});

  CHECK(models::rank_trusts(only({"ed_4h"}), trusts).score == std::vector<double>{1, 2, 3, 4});
}

TEST_CASE("12-hour trolley waits: fewer is better", "[league_table]") {
  // Best first: t1 0 | t3 2 | t0 5 | t2 12.5.
  std::vector<LeagueTrustQuarter> trusts(4);
  const double waits[] = {5.0, 0.0, 12.5, 2.0};
  for (int i = 0; i < 4; ++i) trusts[i].trolley_waits_per_1000 = waits[i];
  const auto r = models::rank_trusts(only({"ed_12h"}), trusts);
  CHECK(r.score == std::vector<double>{3, 1, 4, 2});
  CHECK(r.rank == std::vector<int>{3, 1, 4, 2});
}

TEST_CASE("rank_trusts refuses what it cannot rank", "[league_table]") {
  const auto trusts = with_ed({0.9, 0.8});
  CHECK_THROWS_AS(models::rank_trusts(only({}), trusts), std::invalid_argument);
  CHECK_THROWS_WITH(models::rank_trusts(only({"ed_4h", "beds"}), trusts), "rank_trusts: unknown indicator 'beds'");
  auto bad = trusts;
  bad[1].rtt_within_18w = std::numeric_limits<double>::quiet_NaN();
  CHECK_THROWS_WITH(models::rank_trusts(only({"rtt_18w"}), bad), "rank_trusts: rtt_18w of trust 1 is not finite");
  // An indicator not in the list is not looked at.
  CHECK_NOTHROW(models::rank_trusts(only({"ed_4h"}), bad));
}

TEST_CASE("check_league_table: indicator names, segment and threshold ranges", "[league_table]") {
  const std::string all = "ed_4h, ed_12h, rtt_18w, cancer_62d, finance";

  SECTION("the defaults and the bounds pass") {
    sim::config::Diagnostics d("league.yaml");
    models::check_league_table(LeagueTableParams{}, "league_table", d);
    LeagueTableParams p;
    p.deficit_best_segment = 1;
    p.intensive_support_score = 4;
    models::check_league_table(p, "league_table", d);
    p.deficit_best_segment = 4;
    p.intensive_support_score = 1;
    models::check_league_table(p, "league_table", d);
    CHECK(d.ok());
  }

  SECTION("unknown, with and without a guess, and listed twice") {
    sim::config::Diagnostics d("league.yaml");
    models::check_league_table(only({"ed_4h", "ed_4hh", "finance", "ed_4h", "rtt"}), "league_table", d);
    const auto& issues = d.issues();
    REQUIRE(issues.size() == 3);
    CHECK(issues[0].path == "league_table.indicators[1]");
    CHECK(issues[0].message == "must be one of " + all + " (got 'ed_4hh'); did you mean 'ed_4h'?");
    CHECK(issues[1].path == "league_table.indicators[3]");
    CHECK(issues[1].message == "'ed_4h' is already listed as indicators[0]");
    // 'rtt' is 4 edits from 'rtt_18w', too far to guess.
    CHECK(issues[2].path == "league_table.indicators[4]");
    CHECK(issues[2].message == "must be one of " + all + " (got 'rtt')");
    for (const auto& i : issues) CHECK(i.file == "league.yaml");
  }

  SECTION("an empty list and out-of-range numbers") {
    sim::config::Diagnostics d("league.yaml");
    LeagueTableParams p = only({});
    p.deficit_best_segment = 0;
    p.intensive_support_score = 4.5;
    models::check_league_table(p, "league_table", d);
    p = LeagueTableParams{};
    p.deficit_best_segment = 5;
    p.intensive_support_score = 0.5;
    models::check_league_table(p, "league_table", d);
    const auto& issues = d.issues();
    REQUIRE(issues.size() == 5);
    CHECK(issues[0].path == "league_table.indicators");
    CHECK(issues[0].message == "must name at least one indicator");
    CHECK(issues[1].path == "league_table.deficit_best_segment");
    CHECK(issues[1].message == "must be in [1, 4] (got 0)");
    CHECK(issues[2].path == "league_table.intensive_support_score");
    CHECK(issues[2].message == "must be in [1, 4] (got 4.5)");
    CHECK(issues[3].message == "must be in [1, 4] (got 5)");
    CHECK(issues[4].message == "must be in [1, 4] (got 0.5)");
  }
}

TEST_CASE("describe: the documented choices are the indicators check_league_table accepts", "[league_table]") {
  LeagueTableParams p;
  KeyCollector c;
  p.describe(c);
  CHECK(c.keys == std::vector<std::string>{"enabled", "indicators", "deficit_best_segment", "intensive_support_score",
                                           "from", "to"});
  const auto& choices = c.docs[1].choices;
  CHECK(choices == p.indicators);  // the default is every indicator, in the documented order
  sim::config::Diagnostics d("league.yaml");
  models::check_league_table(only(choices), "league_table", d);
  CHECK(d.ok());
  // The documented ranges are the ones checked.
  CHECK(c.docs[2].range.describe() == "in [1, 4]");
  CHECK(c.docs[3].range.describe() == "in [1, 4]");
  // A period that never starts is refused.
  p.to = p.from;
  sim::config::Diagnostics never("league.yaml");
  models::check_league_table(p, "league_table", never);
  REQUIRE(never.issues().size() == 1);
  CHECK(never.issues()[0].path == "league_table.to");
}
