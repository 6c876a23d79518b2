// wscheck report: rebuild every report from saved wscheck JSON reports, merging the runs of
// several agents (one CI job per server, one report page for all).
//
//   wscheck report a/*.wscheck.json b/*.wscheck.json -o merged --junit junit.xml --markdown summary.md
//
// With -o DIR: DIR/<agent>.wscheck.json per agent, the Autobahn index.json with its per-case
// files, and index.html, all as `wscheck test` writes them. Runs filed under the same agent are
// merged into one: a case id in a later file replaces the earlier result. Without any output
// option the summary is printed only.
#include "harness/cli/commands.hpp"
#include "harness/cli/test_reports.hpp"
#include "reports/json_report.hpp"
#include "reports/text_summary.hpp"

#include <CLI/CLI.hpp>

#include <algorithm>
#include <iostream>
#include <memory>

namespace wscheck::cli {

namespace {

struct report_args {
    std::vector<std::string> inputs;
    std::string out_dir;
    std::string junit_file;
    std::string markdown_file;
    bool quiet = false;
};

/// `more` folded into `into` (same agent): later results replace earlier ones of a case id.
void merge_into(reports::run_result& into, reports::run_result&& more) {
    into.started = std::min(into.started, more.started);
    into.finished = std::max(into.finished, more.finished);
    into.interrupted = into.interrupted || more.interrupted;
    if (into.target != more.target && !more.target.empty()) {
        into.notes.push_back("merged with a run against " + more.target);
    }
    into.notes.insert(into.notes.end(), more.notes.begin(), more.notes.end());
    for (auto& c : more.cases) {
        const auto same = std::find_if(into.cases.begin(), into.cases.end(),
                                       [&](const reports::case_result& r) { return r.id == c.id; });
        if (same != into.cases.end()) {
            *same = std::move(c);
        } else {
            into.cases.push_back(std::move(c));
        }
    }
}

int run_report(const report_args& args) {
    std::vector<reports::run_result> runs;
    for (const auto& file : args.inputs) {
        std::string error;
        auto run = reports::read_json_report(file, error);
        if (!run) {
            throw usage_error(error);
        }
        const auto same = std::find_if(runs.begin(), runs.end(),
                                       [&](const reports::run_result& r) { return r.agent == run->agent; });
        if (same != runs.end()) {
            merge_into(*same, std::move(*run));
        } else {
            runs.push_back(std::move(*run));
        }
    }
    if (!args.out_dir.empty()) {
        write_test_reports(args.out_dir, runs);
    }
    write_ci_reports(args.junit_file, args.markdown_file, runs);
    if (!args.quiet) {
        for (const auto& run : runs) {
            std::cout << reports::render_text_summary(run) << "\n";
        }
    }
    return exit_ok;
}

} // namespace

void add_report_command(CLI::App& app, int& status) {
    auto args = std::make_shared<report_args>();
    auto* cmd = app.add_subcommand(
        "report", "Rebuild the reports (JSON, Autobahn index.json, HTML, JUnit, Markdown) from saved wscheck JSON reports");
    cmd->add_option("reports", args->inputs, "wscheck JSON reports (<agent>.wscheck.json), one or more")
        ->required();
    cmd->add_option("-o,--out", args->out_dir, "Directory for the merged JSON, Autobahn and HTML reports");
    cmd->add_option("--junit", args->junit_file, "Write JUnit XML for CI to FILE");
    cmd->add_option("--markdown", args->markdown_file, "Write a Markdown summary to FILE");
    cmd->add_flag("-q,--quiet", args->quiet, "Do not print the summary");
    cmd->footer("Exit status: 0 the reports were written (whatever the verdicts), 2 bad input.");
    cmd->callback([args, &status] { status = run_report(*args); });
}

} // namespace wscheck::cli
