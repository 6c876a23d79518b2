// How the CI reporters (JUnit, Markdown) group and classify a run's cases: by section, in the
// order the sections first ran, and failing when either verdict axis fails.
#pragma once

#include "reports/result.hpp"

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace wscheck::reports {

/// "6.4.3" -> "6.4", "2.1" -> "2", "7" -> "7": the section a case id sits in.
std::string section_of(std::string_view case_id);

/// True when the case fails a run: cases::is_failure() on its behavior or its close behavior.
bool is_failing(const case_result& c) noexcept;

/// The cases of one section of a run.
struct case_group {
    std::string number;                 ///< "6.4"
    std::string title;                  ///< the section title of its first case ("" if none)
    std::vector<std::size_t> indices;   ///< into run.cases, in run order
};

/// The sections of `run`, in the order their first case appears.
std::vector<case_group> group_by_section(const run_result& run);

} // namespace wscheck::reports
