// What `wscheck test` writes and prints when a run ends: the reports in the output directory,
// and the summary on stdout.
#pragma once

#include "reports/result.hpp"

#include <string>
#include <vector>

namespace wscheck::cli {

/// Writes every report of `runs` into `out_dir` atomically: wscheck's own JSON per agent
/// (<agent>.wscheck.json), the Autobahn-compatible index.json with its per-case files, and
/// index.html, the HTML report of all the runs.
/// `settings` are lines for the HTML report's header saying how the run was made.
/// Throws usage_error with one sentence when a file cannot be written.
void write_test_reports(const std::string& out_dir, const std::vector<reports::run_result>& runs,
                        const std::vector<std::string>& settings = {});

/// Writes the CI reports of `runs`, each atomically: JUnit XML to `junit_file` and the Markdown
/// summary to `markdown_file`; an empty name writes nothing. Throws usage_error with one
/// sentence when a file cannot be written.
void write_ci_reports(const std::string& junit_file, const std::string& markdown_file,
                      const std::vector<reports::run_result>& runs);

/// Prints the per-section table and the cases that failed; returns true when any case failed
/// (cases::is_failure on either axis).
bool print_test_summary(const std::vector<reports::run_result>& runs, const std::string& out_dir, bool quiet);

} // namespace wscheck::cli
