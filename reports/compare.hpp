// Two runs of the catalog compared case by case, for a CI gate: "did this change make the
// peer worse?" (wscheck compare BASE.json NEW.json).
//
// A case is failing when cases::is_failure() holds on either verdict axis. Per case id:
//   regression       failing in NEW, not in BASE (or new in NEW and failing)
//   fixed            failing in BASE, not in NEW
//   verdict changed  both passing or both failing, with another behavior or close behavior
//   close changed    same verdicts, but the peer's close code differs
//   added, removed   in only one of the runs (an added failing case is a regression)
//   slower           a timed case (report_time, 9.x) took more than `time_threshold_percent`
//                    longer, and at least `min_time_increase` longer: a regression too
// A baseline of accepted failures turns a project's gate into "no new failures": a failing
// case the baseline accepts is never a regression (it is listed as "accepted"), and an
// accepted case that passes in NEW is listed as removable from the baseline.
#pragma once

#include "reports/result.hpp"

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace wscheck::reports {

/// One accepted failure: a case id, for one agent or (no agent) for every agent.
struct baseline_entry {
    std::string id;
    std::optional<std::string> agent;
    std::string reason; ///< why the failure is accepted; required
};

/// {"accepted": [{"id": "6.4.3", "agent": "my-server", "reason": "..."}]}
struct baseline {
    std::vector<baseline_entry> accepted;

    /// The entry accepting a failure of `case_id` by `agent`; nullptr when none does.
    const baseline_entry* find(std::string_view agent, std::string_view case_id) const noexcept;
};

/// Parses a baseline. Never throws: on failure nullopt and one sentence in `error`
/// (not JSON, no "accepted" array, an entry without an id or a reason, an unknown key).
std::optional<baseline> parse_baseline(std::string_view text, std::string& error) noexcept;

/// As parse_baseline(), from a file; the error names the file.
std::optional<baseline> read_baseline(const std::filesystem::path& file, std::string& error) noexcept;

enum class change_kind {
    regression,
    fixed,
    verdict_changed,
    close_changed,
    added,
    removed,
    slower,
    accepted,           ///< failing in NEW, accepted by the baseline (would otherwise regress)
    baseline_removable, ///< accepted by the baseline, passing in NEW
};

/// "REGRESSION", "FIXED", "VERDICT CHANGED", "CLOSE CHANGED", "ADDED", "REMOVED", "SLOWER",
/// "ACCEPTED", "REMOVABLE FROM BASELINE".
std::string_view to_string(change_kind k) noexcept;

struct case_change {
    change_kind kind = change_kind::regression;
    std::string id;
    std::string before;  ///< "OK/OK", "FAILED/WRONG CODE (1000)", "120 ms"; "" when absent
    std::string after;
    std::string detail;  ///< why, in a sentence (the NEW reason, the baseline's reason, ...)
    bool is_regression = false;
};

struct compare_options {
    double time_threshold_percent = 50;
    std::chrono::milliseconds min_time_increase{100};
    const baseline* accepted = nullptr; ///< optional
};

struct comparison {
    std::string base_agent;
    std::string new_agent;
    std::size_t base_cases = 0;
    std::size_t new_cases = 0;
    std::size_t unchanged = 0;          ///< cases in both with nothing to report
    std::vector<std::string> notes;     ///< "NEW was interrupted: ..."
    std::vector<case_change> changes;   ///< regressions first, then the rest, each in case order

    std::size_t regressions() const noexcept;
    std::size_t count(change_kind k) const noexcept;
};

/// Compares NEW with BASE, case by case (cases matched by id).
comparison compare_runs(const run_result& base, const run_result& next, const compare_options& options = {});

/// The comparison as a text table, for a terminal or a CI log.
std::string render_comparison_text(const comparison& c);

/// The comparison as Markdown, for a CI job summary (links to nothing).
std::string render_comparison_markdown(const comparison& c);

} // namespace wscheck::reports
