// SPDX-License-Identifier: MIT
#include "models/care/staffing.hpp"

#include <algorithm>
#include <cmath>

#include "models/care/streams.hpp"
#include "sim/distributions.hpp"

namespace breachsim::models {

Staffing::Staffing(const StaffingParams& params, const sim::StreamKey& key)
    : params_(&params), sickness_by_month_(relative_profile(params.sickness_by_month, params.sickness_by_month_amplitude)), key_(key) {
  for (std::size_t g = 0; g < staff_group_count; ++g) {
    const auto& p = this->params(g);
    establishment_[g] = p.establishment_wte;
    levels_[g].substantive_wte = p.establishment_wte * (1.0 - p.vacancy_rate);
    settle(g, 1.0, false);
    baseline_available_[g] = levels_[g].available_wte;
  }
}

const StaffGroupParams& Staffing::params(std::size_t g) const { return group_params(*params_, g); }

namespace {

// The safe-staffing floor in WTE: agency covers up to it, and a freeze stops above it.
double floor_wte(const StaffGroupParams& p) { return p.floor_share_of_establishment * p.establishment_wte; }

}  // namespace

void Staffing::set_establishment_cuts(const std::array<double, staff_group_count>& cut_wte) {
  for (std::size_t g = 0; g < staff_group_count; ++g)
    establishment_[g] = std::max(0.0, params(g).establishment_wte - cut_wte[g]);
}

void Staffing::settle(std::size_t g, double agency_factor, bool banned) {
  const auto& p = params(g);
  StaffLevel& s = levels_[g];
  const double at_work = s.substantive_wte * (1.0 - std::min(1.0, p.sickness_rate * sickness_factor_));
  const double gap = std::max(0.0, establishment_[g] - at_work);
  const double to_floor = std::max(0.0, floor_wte(p) - at_work);
  s.agency_wte = banned ? 0.0 : std::max(to_floor, std::min(1.0, p.agency_share_of_gap * agency_factor) * gap);
  s.available_wte = at_work + s.agency_wte;
}

void Staffing::start_month(int month, int month_of_year, double agency_factor, bool recruitment_frozen,
                           const std::array<bool, staff_group_count>& agency_banned, double recruitment_factor) {
  sickness_factor_ = in_month(sickness_by_month_, month_of_year);
  for (std::size_t g = 0; g < staff_group_count; ++g) {
    const auto& p = params(g);
    StaffLevel& s = levels_[g];
    // A fresh stream per (group, month): this month's luck does not depend on how many draws
    // earlier months took, so it is the same at every sweep point.
    const std::uint64_t entity = (static_cast<std::uint64_t>(g) << 32) | static_cast<std::uint32_t>(month + (1 << 20));
    sim::RandomStream draws(key_, entity, purpose(Purpose::staffing));
    const double leavers = static_cast<double>(sim::sample_poisson(draws, s.substantive_wte * p.leavers_per_year / 12.0));
    const double vacancies = std::max(0.0, establishment_[g] - s.substantive_wte);
    const double recruits = static_cast<double>(
        sim::sample_poisson(draws, vacancies * p.recruited_share_of_vacancies_per_month * recruitment_factor));
    // The draws are made even when frozen, so the stream stays aligned with unfrozen runs. A
    // freeze does not hold a group below its safe-staffing floor.
    // Staff above a cut establishment are not dismissed: they stay until turnover takes them.
    const bool frozen = recruitment_frozen && s.substantive_wte >= floor_wte(p);
    const double staying = s.substantive_wte - leavers;
    s.substantive_wte = std::clamp(staying + (frozen ? 0.0 : recruits), 0.0, std::max(establishment_[g], staying));
    settle(g, agency_factor, agency_banned[g]);
  }
}

double Staffing::relative_to_baseline(StaffGroup g) const {
  const auto i = static_cast<std::size_t>(g);
  return baseline_available_[i] > 0.0 ? levels_[i].available_wte / baseline_available_[i] : 1.0;
}

int Staffing::open_beds(int physical_beds) const {
  const double staffed = level(StaffGroup::ward_nurses).available_wte * params_->beds_per_nurse_wte;
  return std::min(physical_beds, static_cast<int>(std::floor(staffed)));
}

}  // namespace breachsim::models
