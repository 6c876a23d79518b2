// Verdict names both ways and counts per verdict, as the JSON summary and the terminal table
// show them.
#pragma once

#include "cases/verdict.hpp"
#include "reports/result.hpp"

#include <array>
#include <cstddef>
#include <optional>
#include <span>
#include <string_view>

namespace wscheck::reports {

/// Every behavior, in the order reports list them.
inline constexpr std::array<cases::behavior, 5> all_behaviors{
    cases::behavior::ok, cases::behavior::non_strict, cases::behavior::informational,
    cases::behavior::unimplemented, cases::behavior::failed};

/// Every close behavior, in the order reports list them.
inline constexpr std::array<cases::close_behavior, 6> all_close_behaviors{
    cases::close_behavior::ok,      cases::close_behavior::failed,
    cases::close_behavior::wrong_code, cases::close_behavior::unclean,
    cases::close_behavior::failed_by_client, cases::close_behavior::informational};

/// The behavior cases::to_string() spells `name` as; nullopt for any other text.
std::optional<cases::behavior> parse_behavior(std::string_view name) noexcept;
/// The close behavior cases::to_string() spells `name` as; nullopt for any other text.
std::optional<cases::close_behavior> parse_close_behavior(std::string_view name) noexcept;

/// How many cases earned each verdict.
struct tally {
    std::array<std::size_t, all_behaviors.size()> behaviors{};
    std::array<std::size_t, all_close_behaviors.size()> close_behaviors{};
    std::size_t total = 0;

    void add(const case_result& c) noexcept;
    std::size_t count(cases::behavior b) const noexcept;
    std::size_t count(cases::close_behavior b) const noexcept;
};

/// Counts the verdicts of `results`.
tally count_verdicts(std::span<const case_result> results) noexcept;

} // namespace wscheck::reports
