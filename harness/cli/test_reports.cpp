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
#include <future>
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
    reports::html_options html;
    html.settings = settings;
    const auto sections = cases::full_catalog().sections();
    html.sections.assign(sections.begin(), sections.end());
    // Each writer only reads the results: side by side, the reports of a whole catalog with
    // its wire logs (tens of MB of JSON) take the time of the largest, not of all of them.
    std::vector<std::future<std::string>> writing;
    for (const auto& run : runs) {
        writing.push_back(std::async(std::launch::async, [file = dir / (file_name_for(run.agent) + ".wscheck.json"),
                                                          &run] { return reports::write_json_report(file, run); }));
    }
    writing.push_back(std::async(std::launch::async, [&] { return reports::write_autobahn_report(dir, runs); }));
    writing.push_back(std::async(std::launch::async,
                                 [&] { return reports::write_html_report(dir / "index.html", runs, html); }));
    std::string first_error;
    for (auto& w : writing) {
        if (auto error = w.get(); !error.empty() && first_error.empty()) {
            first_error = std::move(error);
        }
    }
    if (!first_error.empty()) {
        throw usage_error(first_error);
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
