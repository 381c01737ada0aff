// SPDX-License-Identifier: MIT
// A trust's cash, loans, interest and financial special measures, month by month.
#include <catch2/catch.hpp>

#include <random>

#include "models/money/balance_sheet.hpp"

using namespace breachsim;

namespace {

// Cash starts at the minimum, so every deficit is borrowed at once, and only the trigger a
// test sets can put the trust in special measures.
models::BorrowingParams at_minimum() {
  models::BorrowingParams p;
  p.opening_cash_gbp = 5e6;
  p.minimum_cash_gbp = 5e6;
  p.special_measures_deficit_share = 0.0;
  return p;
}

models::MonthPosting month(models::BalanceSheet& b, double operating_surplus, bool year_end = false) {
  return b.post_month(operating_surplus, 120e6, year_end, 0.0, 0.0);
}

}  // namespace

TEST_CASE("interest is a twelfth of the yearly rate on the debt at the month start", "[balance_sheet]") {
  auto p = at_minimum();
  p.opening_long_term_debt_gbp = 12e6;
  models::BalanceSheet b(p);

  // Month 1: no revolving debt yet; £12m long-term at 1.5%: 12e6 x 0.015 / 12 = £15,000.
  // Surplus -9,985,000 - 15,000 = -£10m, all borrowed: revolving £10m.
  auto m = month(b, -9'985'000.0);
  CHECK(m.interest == Approx(15'000.0));
  CHECK(m.surplus == Approx(-10e6));
  CHECK(m.borrowed == Approx(10e6));
  CHECK(m.revolving_debt == Approx(10e6));
  CHECK(m.cash == Approx(5e6));

  // Month 2: £10m revolving at 3.5%: 10e6 x 0.035 / 12 = £29,166.67, plus £15,000 long-term;
  // with no operating result that £44,166.67 is borrowed: revolving £10,044,166.67.
  m = month(b, 0.0);
  CHECK(m.interest == Approx(44'166.67));
  CHECK(m.borrowed == Approx(44'166.67));
  CHECK(m.revolving_debt == Approx(10'044'166.67));

  // Month 3: 10,044,166.67 x 0.035 / 12 = £29,295.49, plus £15,000: £44,295.49. A £1m
  // operating surplus leaves £955,704.51, which repays revolving debt: £9,088,462.16 left.
  m = month(b, 1e6);
  CHECK(m.interest == Approx(44'295.49));
  CHECK(m.repaid == Approx(955'704.51));
  CHECK(m.borrowed == 0.0);
  CHECK(m.revolving_debt == Approx(9'088'462.16));
  CHECK(m.long_term_debt == 12e6);
  CHECK(m.cash == Approx(5e6));
  // Cash is back at its opening level, so the cumulative deficit is exactly what was borrowed:
  // 10,000,000 + 44,166.67 - 955,704.51.
  CHECK(m.cumulative_deficit == Approx(9'088'462.16));
  CHECK(b.debt() == Approx(12e6 + 9'088'462.16));
}

TEST_CASE("cash above the minimum absorbs a deficit first; surpluses repay revolving debt", "[balance_sheet]") {
  models::BorrowingParams p;  // £20m opening cash, £5m minimum
  p.special_measures_deficit_share = 0.0;
  models::BalanceSheet b(p);

  // Month 1: -£10m leaves £10m, still above the minimum: nothing borrowed.
  auto m = month(b, -10e6);
  CHECK(m.borrowed == 0.0);
  CHECK(m.repaid == 0.0);
  CHECK(m.cash == 10e6);

  // Month 2: -£15m takes cash to -£5m; £10m is borrowed to restore the £5m minimum.
  m = month(b, -15e6);
  CHECK(m.borrowed == 10e6);
  CHECK(m.cash == 5e6);
  CHECK(b.debt() == 10e6);

  // Month 3: +£4m less £29,166.67 interest repays £3,970,833.33: £6,029,166.67 left.
  m = month(b, 4e6);
  CHECK(m.repaid == Approx(3'970'833.33));
  CHECK(m.revolving_debt == Approx(6'029'166.67));
  CHECK(m.cash == Approx(5e6));

  // Month 4: interest 6,029,166.67 x 0.035 / 12 = £17,585.07; +£8m leaves £7,982,414.93,
  // which repays the whole £6,029,166.67; the rest, £1,953,248.26, stays as cash.
  m = month(b, 8e6);
  CHECK(m.interest == Approx(17'585.07));
  CHECK(m.repaid == Approx(6'029'166.67));
  CHECK(m.revolving_debt == 0.0);
  CHECK(m.cash == Approx(6'953'248.26));

  // Month 5: no debt, no interest.
  m = month(b, 1e6);
  CHECK(m.interest == 0.0);
  CHECK(m.cash == Approx(7'953'248.26));
  CHECK(m.cumulative_deficit == Approx(20e6 - 7'953'248.26));
}

TEST_CASE("revolving debt becomes long-term at a year end and is then charged 1.5%", "[balance_sheet]") {
  SECTION("converted") {
    models::BalanceSheet b(at_minimum());
    // Month 1 ends a financial year: the £10m borrowed converts.
    auto m = month(b, -10e6, true);
    CHECK(m.borrowed == 10e6);
    CHECK(m.converted == 10e6);
    CHECK(m.revolving_debt == 0.0);
    CHECK(m.long_term_debt == 10e6);
    CHECK(m.cash == 5e6);  // conversion moves debt, not cash
    // Month 2: 10e6 x 0.015 / 12 = £12,500, borrowed on the revolving facility.
    m = month(b, 0.0);
    CHECK(m.interest == Approx(12'500.0));
    CHECK(m.revolving_debt == Approx(12'500.0));
    // Month 3: 12,500 + 12,500 x 0.035 / 12 = £12,536.46; +£1m leaves £987,463.54, which
    // repays the £12,500 revolving debt but not the long-term loan: cash £5,974,963.54.
    m = month(b, 1e6);
    CHECK(m.interest == Approx(12'536.46));
    CHECK(m.repaid == Approx(12'500.0));
    CHECK(m.long_term_debt == 10e6);
    CHECK(m.cash == Approx(5'974'963.54));
  }
  SECTION("not converted") {
    auto p = at_minimum();
    p.convert_revolving_at_year_end = false;
    models::BalanceSheet b(p);
    auto m = month(b, -10e6, true);
    CHECK(m.converted == 0.0);
    CHECK(m.revolving_debt == 10e6);
    m = month(b, 0.0);
    CHECK(m.interest == Approx(29'166.67));
  }
}

TEST_CASE("a deep deficit brings the penal rate on all debt from the next month, for a minimum term",
          "[balance_sheet]") {
  auto p = at_minimum();
  p.special_measures_deficit_share = 0.05;  // of £120m income: a £6m threshold
  p.special_measures_min_months = 3;
  models::BalanceSheet b(p);

  // Month 1 (a year end, so the £10m becomes long-term): cumulative deficit £10m > £6m. The
  // trigger is seen at the month end; this month was charged at normal rates.
  auto m = month(b, -10e6, true);
  CHECK(m.cumulative_deficit == 10e6);
  CHECK_FALSE(m.special_measures);
  CHECK(b.in_special_measures());

  // Month 2 (1st in special measures): 6% on the long-term loan, not 1.5%:
  // 10e6 x 0.06 / 12 = £50,000, borrowed on the revolving facility.
  m = month(b, 0.0);
  CHECK(m.special_measures);
  CHECK(m.interest == Approx(50'000.0));
  CHECK(m.cumulative_deficit == Approx(10'050'000.0));

  // Month 3 (2nd): 10,050,000 x 0.06 / 12 = £50,250. +£5m brings the cumulative deficit to
  // £5,100,250, under the threshold, but the three months are not yet served.
  m = month(b, 5e6);
  CHECK(m.interest == Approx(50'250.0));
  CHECK(m.cumulative_deficit == Approx(5'100'250.0));
  CHECK(b.in_special_measures());

  // Month 4 (3rd): revolving debt was repaid; 10e6 x 0.06 / 12 = £50,000. Cumulative deficit
  // £5,150,250, still under £6m: the term is served and no trigger holds, so it ends.
  m = month(b, 0.0);
  CHECK(m.special_measures);
  CHECK(m.interest == Approx(50'000.0));
  CHECK_FALSE(b.in_special_measures());

  // Month 5: back to 1.5% on the long-term loan: £12,500.
  m = month(b, 0.0);
  CHECK_FALSE(m.special_measures);
  CHECK(m.interest == Approx(12'500.0));
}

TEST_CASE("special measures continue past the minimum term while the deficit trigger holds", "[balance_sheet]") {
  auto p = at_minimum();
  p.special_measures_deficit_share = 0.05;
  p.special_measures_min_months = 2;
  models::BalanceSheet b(p);
  month(b, -10e6);  // £10m > £6m: in from month 2
  for (int i = 0; i < 5; ++i) CHECK(month(b, 0.0).special_measures);
  CHECK(b.in_special_measures());
  month(b, 5e6);  // the cumulative deficit, about £10.25m, falls under £6m at this month end
  CHECK_FALSE(b.in_special_measures());
}

TEST_CASE("a financial year ending below its control total brings special measures when configured",
          "[balance_sheet]") {
  // £20m cash, £12m long-term debt: £15,000 a month at 1.5%, £60,000 at 6%. Year 1: £1m a
  // month, £12m - 12 x £15,000 = £11.82m against a £15m control total: missed.
  auto p = at_minimum();
  p.opening_cash_gbp = 20e6;
  p.opening_long_term_debt_gbp = 12e6;
  const double control_total = 15e6;
  auto run_year = [&](models::BalanceSheet& b, double monthly) {
    double year_surplus = 0.0;
    models::MonthPosting m;
    for (int i = 0; i < 12; ++i) {
      const double interest = b.in_special_measures() ? 60'000.0 : 15'000.0;
      year_surplus += monthly - interest;
      m = b.post_month(monthly, 120e6, i == 11, year_surplus, control_total);
      CHECK(m.interest == Approx(interest));
    }
    return m;
  };

  SECTION("off by default: a missed control total changes nothing") {
    models::BalanceSheet b(p);
    run_year(b, 1e6);
    CHECK_FALSE(b.in_special_measures());
  }
  SECTION("on: in from the first month of the next year, out once a year meets its total") {
    p.special_measures_on_missed_control_total = true;
    models::BalanceSheet b(p);
    CHECK_FALSE(run_year(b, 1e6).special_measures);
    CHECK(b.in_special_measures());
    // Year 2 at £2m a month: £24m - 12 x £60,000 = £23.28m meets £15m, and 12 months are served.
    CHECK(run_year(b, 2e6).special_measures);
    CHECK_FALSE(b.in_special_measures());
  }
  SECTION("on: a second missed year keeps the trust in") {
    p.special_measures_on_missed_control_total = true;
    models::BalanceSheet b(p);
    run_year(b, 1e6);
    run_year(b, 1e6);  // £12m - £0.72m = £11.28m: missed again
    CHECK(b.in_special_measures());
  }
}

TEST_CASE("money is conserved every month over a long random sequence", "[balance_sheet]") {
  auto p = models::BorrowingParams{};
  p.opening_long_term_debt_gbp = 30e6;
  p.special_measures_on_missed_control_total = true;
  models::BalanceSheet b(p);
  std::mt19937_64 rng(20240601);
  // Months of -£6m to +£5m: a drift to deficit with swings large enough to borrow and repay.
  std::uniform_real_distribution<double> surplus(-6e6, 5e6);

  double cash = p.opening_cash_gbp, debt = p.opening_long_term_debt_gbp, cumulative = 0.0, year_operating = 0.0;
  int borrowed = 0, repaid = 0, converted = 0, penal = 0;
  for (int i = 0; i < 120; ++i) {
    const double operating = surplus(rng);
    const bool year_end = i % 12 == 11;
    year_operating += operating;  // a control total on the operating result, before interest
    const auto m = b.post_month(operating, 480e6, year_end, year_operating, 0.0);
    INFO("month " << i);
    CHECK(m.surplus == Approx(operating - m.interest));
    CHECK(m.cash - cash == Approx(m.surplus + m.borrowed - m.repaid).margin(1e-3));
    CHECK(m.revolving_debt + m.long_term_debt - debt == Approx(m.borrowed - m.repaid).margin(1e-3));
    CHECK(m.cash >= p.minimum_cash_gbp - 1e-3);
    CHECK((m.borrowed == 0.0 || m.repaid == 0.0));
    cumulative -= m.surplus;
    CHECK(m.cumulative_deficit == Approx(cumulative).margin(1e-3));
    cash = m.cash;
    debt = m.revolving_debt + m.long_term_debt;
    if (year_end) year_operating = 0.0;
    borrowed += m.borrowed > 0.0;
    repaid += m.repaid > 0.0;
    converted += m.converted > 0.0;
    penal += m.special_measures;
  }
  CHECK(b.cash() == cash);
  CHECK(b.debt() == debt);
  // The sequence exercised every path, or the identities above proved little.
  CHECK(borrowed > 0);
  CHECK(repaid > 0);
  CHECK(converted > 0);
  CHECK(penal > 0);
}

TEST_CASE("borrowing settings are read from YAML and checked across fields", "[balance_sheet][config]") {
  const char* text =
      "borrowing:\n"
      "  opening_cash_gbp: 2000000\n"
      "  minimum_cash_gbp: 5000000\n"
      "  penal_rate: 0.02\n"
      "  special_measures_min_months: 6\n";
  sim::config::Diagnostics d("borrowing.yaml");
  sim::config::Reader root(d, YAML::Load(text), "");
  models::BorrowingParams p;
  root.section("borrowing", p, "");
  root.finish();
  CHECK(d.ok());
  CHECK(p.special_measures_min_months == 6);
  CHECK(p.revolving_rate == 0.035);  // absent keys keep their defaults

  models::check_borrowing(p, "borrowing", d);
  std::vector<sim::config::Issue> issues;
  try {
    d.throw_if_errors();
  } catch (const sim::config::ConfigError& e) {
    issues = e.issues();
  }
  REQUIRE(issues.size() == 2);
  CHECK(issues[0].path == "borrowing.opening_cash_gbp");
  CHECK(issues[0].line == 2);
  CHECK(issues[0].message.find("below minimum_cash_gbp") != std::string::npos);
  CHECK(issues[1].path == "borrowing.penal_rate");
  CHECK(issues[1].line == 4);
  CHECK(issues[1].message.find("below revolving_rate") != std::string::npos);

  sim::config::Diagnostics defaults("defaults");
  models::check_borrowing(models::BorrowingParams{}, "borrowing", defaults);
  CHECK(defaults.ok());
}

TEST_CASE("borrowing settings write out and document every key", "[balance_sheet][config]") {
  models::BorrowingParams p;
  p.penal_rate = 0.07;
  YAML::Emitter out;
  out << YAML::BeginMap;
  sim::config::Writer writer(out);
  p.describe(writer);
  out << YAML::EndMap;

  sim::config::Diagnostics d("written");
  sim::config::Reader reader(d, YAML::Load(out.c_str()), "borrowing");
  models::BorrowingParams back;
  back.describe(reader);
  reader.finish();
  CHECK(d.ok());
  CHECK(back.penal_rate == 0.07);

  sim::config::Documenter doc("borrowing.");
  p.describe(doc);
  CHECK(doc.markdown_table().find("`borrowing.special_measures_min_months`") != std::string::npos);
}

TEST_CASE("capital spent leaves cash, and is borrowed below the minimum, but is no deficit", "[balance_sheet]") {
  models::BorrowingParams p;  // £20m opening cash, £5m minimum
  p.special_measures_deficit_share = 0.0;
  models::BalanceSheet b(p);
  // A £2m surplus and £10m of capital: £12m of cash left, above the minimum.
  auto m = b.post_month(2e6, 120e6, false, 0.0, 0.0, 10e6);
  CHECK(m.surplus == 2e6);
  CHECK(m.cash == 12e6);
  CHECK(m.cumulative_deficit == -2e6);
  // £9m more capital takes cash to £3m: £2m is borrowed to restore the minimum.
  m = b.post_month(0.0, 120e6, false, 0.0, 0.0, 9e6);
  CHECK(m.borrowed == 2e6);
  CHECK(m.cash == 5e6);
  CHECK(m.cumulative_deficit == -2e6);
}
