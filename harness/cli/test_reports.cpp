#include "harness/cli/test_reports.hpp"

#include "harness/cli/commands.hpp"
#include "cases/catalog.hpp"
#include "reports/autobahn_report.hpp"
#include "reports/case_groups.hpp"
#include "reports/html_report.hpp"
#include "reports/json_report.hpp"
#include "reports/junit_report.hpp"
#include "reports/markdown_summary.hpp"
#include "reports/tally.hpp"
#include "reports/text_summary.hpp"

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


} // namespace

void write_test_reports(const std::string& out_dir, const std::vector<reports::run_result>& runs,
                        const std::vector<std::string>& settings) {
    const std::filesystem::path dir{out_dir};
    for (const auto& run : runs) {
        const auto file = dir / (file_name_for(run.agent) + ".wscheck.json");
        if (const auto error = reports::write_json_report(file, run); !error.empty()) {
            throw usage_error(error);
        }
    }
    if (const auto error = reports::write_autobahn_report(dir, runs); !error.empty()) {
        throw usage_error(error);
    }
    reports::html_options html;
    html.settings = settings;
    const auto sections = cases::full_catalog().sections();
    html.sections.assign(sections.begin(), sections.end());
    if (const auto error = reports::write_html_report(dir / "index.html", runs, html); !error.empty()) {
        throw usage_error(error);
    }
}

void write_ci_reports(const std::string& junit_file, const std::string& markdown_file,
                      const std::vector<reports::run_result>& runs) {
    if (!junit_file.empty()) {
        if (const auto error = reports::write_junit_report(junit_file, runs); !error.empty()) {
            throw usage_error(error);
        }
    }
    if (!markdown_file.empty()) {
        if (const auto error = reports::write_markdown_summary(markdown_file, runs); !error.empty()) {
            throw usage_error(error);
        }
    }
}

bool print_test_summary(const std::vector<reports::run_result>& runs, const std::string& out_dir, bool quiet) {
    bool any_failed = false;
    for (const auto& run : runs) {
        for (const auto& c : run.cases) {
            any_failed = any_failed || reports::is_failing(c);
        }
        reports::summary_options options;
        if (quiet) {
            options.max_listed = 0;
        }
        std::cout << "\n" << reports::render_text_summary(run, options);
    }
    std::cout << "\nReports: " << out_dir << "\n";
    return any_failed;
}

} // namespace wscheck::cli
