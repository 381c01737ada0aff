// SPDX-License-Identifier: MIT
// The live page's levers (cli/live_levers.hpp): reading a query, refusing what the page cannot
// use with a sentence naming the parameter, and what each lever changes in a scenario. The
// server and the page in a browser are tested by tests/serve_browser.py.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "cli/live_levers.hpp"
#include "cli/live_page.hpp"

using namespace breachsim;
using namespace breachsim::cli::live;
using Catch::Matchers::Contains;

namespace {

const std::vector<LiveScenario>& scenarios() {
  static const std::vector<LiveScenario> s = live_scenarios(models::shipped_configs(), 40);
  return s;
}

Levers read(const std::string& query) { return read_levers(decode_query(query), scenarios()); }

std::string refusal(const std::string& query) {
  try {
    read(query);
  } catch (const LeverError& e) {
    return e.what();
  }
  return "(accepted)";
}

models::Scenario point_of(const std::string& file, std::size_t point = 0) {
  return models::load_sweep((models::shipped_configs() / file).string()).points.at(point).scenario;
}

}  // namespace

TEST_CASE("a query is split at & and =, with %-escapes and + decoded", "[live]") {
  using Pairs = std::vector<std::pair<std::string, std::string>>;
  CHECK(decode_query("a=1&b=%2D2&c=x+y&&d") == Pairs{{"a", "1"}, {"b", "-2"}, {"c", "x y"}, {"d", ""}});
  CHECK(decode_query("") == Pairs{});
  CHECK(decode_query("p=heavy%20withheld%2C%20x") == Pairs{{"p", "heavy withheld, x"}});
  CHECK_THROWS_AS(decode_query("a=%zz"), LeverError);
  CHECK_THROWS_AS(decode_query("a=%2"), LeverError);
}

TEST_CASE("the page offers the teaching scenario and every story, with their points and caps", "[live]") {
  const std::vector<LiveScenario>& s = scenarios();
  REQUIRE(s.size() >= 2);
  CHECK(s.front().name == "one_trust");
  CHECK(s.front().points == std::vector<std::string>{"baseline"});
  // 1 trust for 12 months and 3 of warm-up: 800 trust-months allow 53, so --max-replications rules.
  CHECK(s.front().replication_cap == 40);
  CHECK(s.front().replications == 20);  // the file's
  bool league = false;
  for (const LiveScenario& story : s)
    if (story.name == "league_tables") {
      league = true;
      CHECK(story.points.size() == 5);
      CHECK(story.replication_cap == 7);  // 4 trusts for 27 months: 800 / 108
      CHECK(story.replications == 7);     // the file asks for 8
    }
  CHECK(league);
}

TEST_CASE("a bad parameter is refused with a sentence naming it and what it may be", "[live]") {
  CHECK_THAT(refusal("beds_pct=99"), Contains("beds_pct") && Contains("outside -30 to 30"));
  CHECK_THAT(refusal("fines_scale=abc"),
             Contains("fines_scale") && Contains("'abc' is not a number; give one from 0 to 10"));
  CHECK_THAT(refusal("fines_scale=1e999"), Contains("not a number"));
  CHECK_THAT(refusal("fines_scale=nan"), Contains("not a number"));
  CHECK_THAT(refusal("demand_pct=5%20"), Contains("not a number"));
  CHECK_THAT(refusal("bedz=1"), Contains("unknown parameter 'bedz'") && Contains("beds_pct"));
  CHECK_THAT(refusal("beds_pct=1&beds_pct=2"), Contains("given twice"));
  CHECK_THAT(refusal("scenario=nowhere"), Contains("no scenario 'nowhere'") && Contains("one_trust"));
  CHECK_THAT(refusal("scenario=one_trust&point=heavy"), Contains("no point 'heavy'") && Contains("'baseline'"));
  CHECK_THAT(refusal("replications=13&scenario=league_tables"),
             Contains("from 2 (an interval needs two) to 7 for this scenario (4 trusts, 27 months"));
  CHECK_THAT(refusal("replications=41"), Contains("to 40 for this scenario (1 trust, 15 months"));
  CHECK_THAT(refusal("replications=99999999999999999999"), Contains("(got '99999999999999999999')"));
  CHECK_THAT(refusal("fines_to=burnt"), Contains("fines_to") && Contains("withheld, reinvested, pooled"));
  CHECK_THAT(refusal("replications=1"), Contains("replications"));
  CHECK_THAT(refusal("replications=2.5"), Contains("replications"));
  CHECK(refusal("scenario=league_tables&point=league+table&beds_pct=-5&fines_to=pooled") == "(accepted)");
}

TEST_CASE("blank and neutral values change nothing; the cache key ignores their order", "[live]") {
  CHECK_FALSE(read("scenario=one_trust&fines_scale=1&beds_pct=0&demand_pct=&vacancies_pct=&fines_to=").changes_anything());
  CHECK(read("").describe() == "nothing");
  const Levers a = read("beds_pct=-10&fines_scale=3");
  const Levers b = read("fines_scale=3&beds_pct=-10&demand_pct=0");
  CHECK(a.changes_anything());
  CHECK(a.key() == b.key());
  CHECK(a.describe() == "fines x3, beds -10%");
  CHECK(a.key() != read("beds_pct=-10").key());
  // The baseline point by name is the baseline point: one run, one cache entry.
  CHECK(read("scenario=league_tables&point=no+league+table").key() == read("scenario=league_tables").key());
  CHECK(read("scenario=league_tables&point=league+table").key() != read("scenario=league_tables").key());
}

TEST_CASE("each lever changes every trust, and every scheme of the scenario and its regimes", "[live]") {
  const models::Scenario base = point_of("stories/fund_suspension.yaml", 1);
  REQUIRE(base.trusts.size() == 3);
  REQUIRE_FALSE(base.regimes.empty());
  const models::Scenario s = apply_levers(
      read("scenario=fund_suspension&beds_pct=-10&staff_pct=5&demand_pct=20&vacancies_pct=15&agency_pct=0&fines_scale=2.5"
           "&fines_to=reinvested&cost_control=off&protect_performance=on"),
      base, 40);
  for (std::size_t t = 0; t < s.trusts.size(); ++t) {
    const models::TrustParams &was = base.trusts[t], &is = s.trusts[t];
    CHECK(is.beds.general_acute_beds == std::round(was.beds.general_acute_beds * 0.9));
    CHECK(is.staffing.ward_nurses.establishment_wte == Approx(was.staffing.ward_nurses.establishment_wte * 1.05));
    CHECK(is.staffing.ed_clinicians.establishment_wte == Approx(was.staffing.ed_clinicians.establishment_wte * 1.05));
    CHECK(is.staffing.theatre_teams.establishment_wte == Approx(was.staffing.theatre_teams.establishment_wte * 1.05));
    CHECK(is.ed.arrivals_per_year == Approx(was.ed.arrivals_per_year * 1.2));
    CHECK(is.elective.referrals_per_week == Approx(was.elective.referrals_per_week * 1.2));
    CHECK(is.cancer.urgent_referrals_per_week == Approx(was.cancer.urgent_referrals_per_week * 1.2));
    CHECK(is.staffing.theatre_teams.vacancy_rate == 0.15);
    CHECK(is.staffing.ed_clinicians.agency_share_of_gap == 0);
    CHECK_FALSE(is.management.cost_control.enabled);
    CHECK(is.management.protect_performance.enabled);
  }
  std::size_t schemes = 0;
  for (std::size_t r = 0; r < s.regimes.size(); ++r)
    for (std::size_t k = 0; k < s.regimes[r].schemes.size(); ++k, ++schemes) {
      CHECK(s.regimes[r].schemes[k].second.rate_gbp == Approx(base.regimes[r].schemes[k].second.rate_gbp * 2.5));
      CHECK(s.regimes[r].schemes[k].second.destination == "reinvested");
    }
  CHECK(schemes > 0);
  CHECK(s.monte_carlo.replications == 9);  // the file asks for 16; 3 trusts for 27 months: 800 / 81
}

TEST_CASE("replications are the file's up to the cap, and more than the cap is refused", "[live]") {
  const models::Scenario one = point_of("teaching/one_trust.yaml");
  CHECK(apply_levers(read(""), one, 40).monte_carlo.replications == 20);
  CHECK(apply_levers(read("replications=33"), one, 40).monte_carlo.replications == 33);
  CHECK(apply_levers(read(""), one, 12).monte_carlo.replications == 12);
  CHECK_THROWS_WITH(apply_levers(read("replications=33"), one, 12), Contains("to 12 for this scenario"));
  // Beds stay whole and at least one, whatever the percentage.
  models::Scenario tiny = one;
  for (models::TrustParams& t : tiny.trusts) t.beds.general_acute_beds = 1;
  CHECK(apply_levers(read("beds_pct=-30"), tiny, 40).trusts.front().beds.general_acute_beds == 1);
}

TEST_CASE("the page shows what was asked, escaped, and the error above the form", "[live]") {
  PageView view;
  view.scenarios = &scenarios();
  view.query = {{"scenario", "one_trust"}, {"beds_pct", "\"><script>alert(1)</script>"}};
  view.error = "beds_pct (General and acute beds): '<x>' is not a number";
  const std::string page = render_page(view);
  CHECK_THAT(page, Contains("value=\"&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;\""));
  CHECK_THAT(page, !Contains("<script>alert"));
  CHECK_THAT(page, Contains("<div id=\"error\" class=\"error\" role=\"alert\">beds_pct (General and acute beds): "
                            "&#39;&lt;x&gt;&#39; is not a number</div>"));
  CHECK_THAT(page, Contains("<form id=\"levers\" method=\"get\" action=\"/\">"));
  for (const NumberLever& l : number_levers()) CHECK_THAT(page, Contains(std::string("name=\"") + l.key + "\""));
  for (const ChoiceLever& l : choice_levers()) CHECK_THAT(page, Contains(std::string("name=\"") + l.key + "\""));
  CHECK_THAT(page, !Contains("http://") && !Contains("https://"));
}
