// wscheck compare: two saved runs compared case by case, as a CI gate.
//
//   wscheck compare main.wscheck.json branch.wscheck.json --baseline accepted.json
//
// Prints a table of what changed; exit 1 when NEW regressed (a case newly failing that the
// baseline does not accept, or a timed case much slower), 0 otherwise, 2 on bad input.
#include "harness/cli/commands.hpp"
#include "reports/atomic_file.hpp"
#include "reports/compare.hpp"
#include "reports/json_report.hpp"

#include <CLI/CLI.hpp>

#include <iostream>
#include <memory>
#include <optional>

namespace wscheck::cli {

namespace {

struct compare_args {
    std::string base_file;
    std::string new_file;
    std::string baseline_file;
    double time_threshold = 50;
    std::string markdown_file;
};

reports::run_result read_run(const std::string& file) {
    std::string error;
    auto run = reports::read_json_report(file, error);
    if (!run) {
        throw usage_error(error);
    }
    return std::move(*run);
}

int run_compare(const compare_args& args) {
    if (!(args.time_threshold >= 0) || args.time_threshold > 100000) {
        throw usage_error("--time-threshold must be a percentage between 0 and 100000");
    }
    const auto base = read_run(args.base_file);
    const auto next = read_run(args.new_file);
    std::optional<reports::baseline> accepted;
    if (!args.baseline_file.empty()) {
        std::string error;
        accepted = reports::read_baseline(args.baseline_file, error);
        if (!accepted) {
            throw usage_error(error);
        }
    }
    reports::compare_options options;
    options.time_threshold_percent = args.time_threshold;
    options.accepted = accepted ? &*accepted : nullptr;
    const auto result = reports::compare_runs(base, next, options);
    if (!args.markdown_file.empty()) {
        const auto error = reports::write_file_atomically(args.markdown_file, reports::render_comparison_markdown(result));
        if (!error.empty()) {
            throw usage_error(error);
        }
    }
    std::cout << reports::render_comparison_text(result);
    return result.regressions() > 0 ? exit_failed : exit_ok;
}

} // namespace

void add_compare_command(CLI::App& app, int& status) {
    auto args = std::make_shared<compare_args>();
    auto* cmd = app.add_subcommand("compare", "Compare two saved wscheck JSON reports case by case (a CI gate)");
    cmd->add_option("base", args->base_file, "The report to compare against (BASE.json)")->required();
    cmd->add_option("new", args->new_file, "The report to judge (NEW.json)")->required();
    cmd->add_option("--baseline", args->baseline_file,
                    "JSON of accepted failures: {\"accepted\": [{\"id\": \"6.4.3\", \"agent\": \"...\", \"reason\": \"...\"}]}");
    cmd->add_option("--time-threshold", args->time_threshold,
                    "Percent slower a timed case (9.x) may get before it is a regression (and at least 100 ms)")
        ->capture_default_str();
    cmd->add_option("--markdown", args->markdown_file, "Also write the changes as Markdown to FILE");
    cmd->footer("Exit status: 0 no regression, 1 a regression, 2 bad input.");
    cmd->callback([args, &status] { status = run_compare(*args); });
}

} // namespace wscheck::cli
