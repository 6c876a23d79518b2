#include "reports/tally.hpp"

#include <algorithm>

namespace wscheck::reports {

namespace {

template <typename Enum, std::size_t N>
std::size_t index_of(const std::array<Enum, N>& all, Enum e) noexcept {
    return static_cast<std::size_t>(std::find(all.begin(), all.end(), e) - all.begin());
}

} // namespace

std::optional<cases::behavior> parse_behavior(std::string_view name) noexcept {
    for (const auto b : all_behaviors) {
        if (cases::to_string(b) == name) {
            return b;
        }
    }
    return std::nullopt;
}

std::optional<cases::close_behavior> parse_close_behavior(std::string_view name) noexcept {
    for (const auto b : all_close_behaviors) {
        if (cases::to_string(b) == name) {
            return b;
        }
    }
    return std::nullopt;
}

void tally::add(const case_result& c) noexcept {
    // An out-of-range value (a cast gone wrong) is counted nowhere rather than out of bounds.
    const std::size_t b = index_of(all_behaviors, c.behavior);
    if (b < behaviors.size()) {
        ++behaviors[b];
    }
    const std::size_t cb = index_of(all_close_behaviors, c.close_behavior);
    if (cb < close_behaviors.size()) {
        ++close_behaviors[cb];
    }
    ++total;
}

std::size_t tally::count(cases::behavior b) const noexcept {
    const std::size_t i = index_of(all_behaviors, b);
    return i < behaviors.size() ? behaviors[i] : 0;
}

std::size_t tally::count(cases::close_behavior b) const noexcept {
    const std::size_t i = index_of(all_close_behaviors, b);
    return i < close_behaviors.size() ? close_behaviors[i] : 0;
}

tally count_verdicts(std::span<const case_result> results) noexcept {
    tally t;
    for (const auto& c : results) {
        t.add(c);
    }
    return t;
}

} // namespace wscheck::reports
