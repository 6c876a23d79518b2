#include "reports/case_groups.hpp"

#include <algorithm>

namespace wscheck::reports {

std::string section_of(std::string_view case_id) {
    const auto dot = case_id.rfind('.');
    return std::string{dot == std::string_view::npos ? case_id : case_id.substr(0, dot)};
}

bool is_failing(const case_result& c) noexcept {
    return cases::is_failure(c.behavior) || cases::is_failure(c.close_behavior);
}

std::vector<case_group> group_by_section(const run_result& run) {
    std::vector<case_group> groups;
    for (std::size_t i = 0; i < run.cases.size(); ++i) {
        const auto& c = run.cases[i];
        std::string number = section_of(c.id);
        auto it = std::find_if(groups.begin(), groups.end(),
                               [&](const case_group& g) { return g.number == number; });
        if (it == groups.end()) {
            groups.push_back({std::move(number), c.section, {}});
            it = groups.end() - 1;
        }
        it->indices.push_back(i);
    }
    return groups;
}

} // namespace wscheck::reports
