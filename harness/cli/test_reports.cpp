#include "harness/cli/test_reports.hpp"

#include "harness/cli/commands.hpp"
#include "reports/json_report.hpp"
#include "reports/tally.hpp"

#include <cstdio>
#include <filesystem>
#include <iostream>

namespace wscheck::cli {

namespace {

/// An agent name as a file name: letters, digits, '-', '_' and '.', everything else '_'.
std::string file_name_for(const std::string& agent) {
    std::string out;
    for (const char c : agent) {
        const bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                          c == '-' || c == '_' || c == '.';
        out += keep ? c : '_';
    }
    return out.empty() ? "agent" : out;
}

bool failed(const reports::case_result& r) {
    return cases::is_failure(r.behavior) || cases::is_failure(r.close_behavior);
}

} // namespace

void write_test_reports(const std::string& out_dir, const std::vector<reports::run_result>& runs) {
    const std::filesystem::path dir{out_dir};
    for (const auto& run : runs) {
        const auto file = dir / (file_name_for(run.agent) + ".wscheck.json");
        if (const auto error = reports::write_json_report(file, run); !error.empty()) {
            throw usage_error(error);
        }
    }
}

bool print_test_summary(const std::vector<reports::run_result>& runs, const std::string& out_dir, bool quiet) {
    bool any_failed = false;
    for (const auto& run : runs) {
        const auto t = reports::count_verdicts(run.cases);
        std::size_t failures = 0;
        for (const auto& c : run.cases) {
            failures += failed(c) ? 1u : 0u;
        }
        any_failed = any_failed || failures > 0;
        std::printf("\n%s (%s): %zu cases, %zu OK, %zu NON-STRICT, %zu INFORMATIONAL, %zu UNIMPLEMENTED, "
                    "%zu FAILED; %zu with a close problem\n",
                    run.agent.c_str(), run.target.c_str(), t.total, t.count(cases::behavior::ok),
                    t.count(cases::behavior::non_strict), t.count(cases::behavior::informational),
                    t.count(cases::behavior::unimplemented), t.count(cases::behavior::failed),
                    t.total - t.count(cases::close_behavior::ok) - t.count(cases::close_behavior::informational));
        for (const auto& n : run.notes) {
            std::printf("  note: %s\n", n.c_str());
        }
        if (quiet) {
            continue;
        }
        constexpr std::size_t shown = 40;
        std::size_t listed = 0;
        for (const auto& c : run.cases) {
            if (!failed(c)) {
                continue;
            }
            if (listed++ == shown) {
                std::printf("  ... %zu more in the report\n", failures - shown);
                break;
            }
            const auto& why = cases::is_failure(c.behavior) ? c.reason : c.close_reason;
            std::printf("  %-9s %s/%s  %s\n", c.id.c_str(), std::string{cases::to_string(c.behavior)}.c_str(),
                        std::string{cases::to_string(c.close_behavior)}.c_str(), why.c_str());
        }
    }
    std::printf("\nReports: %s\n", out_dir.c_str());
    return any_failed;
}

} // namespace wscheck::cli
