#include "reports/compare.hpp"

#include "tests/reports/sample_results.hpp"

#include <gtest/gtest.h>

#include <algorithm>

namespace {

using namespace wscheck;
using namespace wscheck::reports;
using namespace wscheck::reports::testing;
using namespace std::chrono_literals;

/// The changes of `kind`, as their case ids.
std::vector<std::string> ids(const comparison& c, change_kind kind) {
    std::vector<std::string> out;
    for (const auto& ch : c.changes) {
        if (ch.kind == kind) {
            out.push_back(ch.id);
        }
    }
    return out;
}

using strings = std::vector<std::string>;

case_result& find(run_result& run, const std::string& id) {
    return *std::find_if(run.cases.begin(), run.cases.end(), [&](const case_result& c) { return c.id == id; });
}

baseline accepted(const std::string& text) {
    std::string error;
    auto b = parse_baseline(text, error);
    EXPECT_TRUE(b.has_value()) << error;
    return b.value_or(baseline{});
}

TEST(compare, identical_runs_have_no_change) {
    const auto run = sample_run();
    const auto c = compare_runs(run, run);
    EXPECT_TRUE(c.changes.empty());
    EXPECT_EQ(c.regressions(), 0u);
    EXPECT_EQ(c.unchanged, 4u);
    EXPECT_TRUE(c.notes.empty());
    const auto text = render_comparison_text(c);
    EXPECT_NE(text.find("No change."), std::string::npos) << text;
    EXPECT_NE(text.find("0 regressions, 4 unchanged"), std::string::npos) << text;
}

TEST(compare, newly_failing_is_a_regression_newly_passing_is_fixed) {
    const auto base = sample_run();
    auto next = sample_run();
    find(next, "1.1.1").behavior = cases::behavior::failed;
    find(next, "1.1.1").reason = "Received nothing.";
    find(next, "6.3.1") = broken_case();
    find(next, "6.3.1").behavior = cases::behavior::ok;
    find(next, "6.3.1").close_behavior = cases::close_behavior::ok;
    const auto c = compare_runs(base, next);
    EXPECT_EQ(ids(c, change_kind::regression), strings{"1.1.1"});
    EXPECT_EQ(ids(c, change_kind::fixed), strings{"6.3.1"});
    EXPECT_EQ(c.regressions(), 1u);
    EXPECT_EQ(c.unchanged, 2u);
    ASSERT_FALSE(c.changes.empty());
    EXPECT_EQ(c.changes.front().before, "OK/OK 1000");
    EXPECT_EQ(c.changes.front().after, "FAILED/OK 1000");
    EXPECT_EQ(c.changes.front().detail, "Received nothing.");
    const auto text = render_comparison_text(c);
    EXPECT_NE(text.find("REGRESSION  1.1.1  OK/OK 1000"), std::string::npos) << text;
    EXPECT_NE(text.find("1 regression, 1 fixed, 2 unchanged"), std::string::npos) << text;

    // A close-only failure counts too: OK/OK -> OK/UNCLEAN.
    auto closing = sample_run();
    find(closing, "1.1.1").close_behavior = cases::close_behavior::unclean;
    EXPECT_EQ(ids(compare_runs(base, closing), change_kind::regression), strings{"1.1.1"});
}

TEST(compare, verdict_and_close_code_changes_are_listed_not_counted) {
    const auto base = sample_run();
    auto next = sample_run();
    find(next, "1.1.1").behavior = cases::behavior::non_strict;       // both passing
    find(next, "6.3.1").close_behavior = cases::close_behavior::failed; // both failing
    find(next, "7.1.6").close.remote_code = 1001;                      // same verdicts
    const auto c = compare_runs(base, next);
    EXPECT_EQ(ids(c, change_kind::verdict_changed), (strings{"1.1.1", "6.3.1"}));
    EXPECT_EQ(ids(c, change_kind::close_changed), strings{"7.1.6"});
    EXPECT_EQ(c.regressions(), 0u);
    const auto& close = c.changes.back();
    EXPECT_EQ(close.before, "INFORMATIONAL/INFORMATIONAL 1000");
    EXPECT_EQ(close.after, "INFORMATIONAL/INFORMATIONAL 1001");
}

TEST(compare, added_and_removed_cases) {
    const auto base = sample_run();
    auto next = sample_run();
    next.cases.erase(next.cases.begin() + 3); // 7.1.6 gone
    auto extra = echo_case();
    extra.id = "2.1";
    next.cases.push_back(extra);
    auto failing_extra = broken_case();
    failing_extra.id = "6.4.1";
    next.cases.push_back(failing_extra);
    const auto c = compare_runs(base, next);
    EXPECT_EQ(ids(c, change_kind::removed), strings{"7.1.6"});
    EXPECT_EQ(ids(c, change_kind::added), strings{"2.1"});
    // A new case that fails is a failure BASE did not have.
    EXPECT_EQ(ids(c, change_kind::regression), strings{"6.4.1"});
    EXPECT_EQ(c.regressions(), 1u);
}

TEST(compare, timing_regressions_only_for_timed_cases_past_both_thresholds) {
    auto base = sample_run();
    find(base, "7.1.6").duration = 1000ms; // report_time
    find(base, "1.1.1").duration = 10ms;   // not timed
    auto slower = [&](std::chrono::milliseconds timed, std::chrono::milliseconds untimed, compare_options o = {}) {
        auto next = base;
        find(next, "7.1.6").duration = timed;
        find(next, "1.1.1").duration = untimed;
        return ids(compare_runs(base, next, o), change_kind::slower);
    };
    EXPECT_EQ(slower(1600ms, 10ms), strings{"7.1.6"});
    EXPECT_EQ(slower(1400ms, 10s), strings{}) << "40% is under the threshold; 1.1.1 is not timed";
    compare_options strict;
    strict.time_threshold_percent = 20;
    EXPECT_EQ(slower(1400ms, 10ms, strict), strings{"7.1.6"});
    // Fast cases: +60 ms is +300% but under the 100 ms floor.
    find(base, "7.1.6").duration = 20ms;
    EXPECT_EQ(slower(80ms, 10ms), strings{});
    EXPECT_EQ(slower(130ms, 10ms), strings{"7.1.6"});
    auto next = base;
    find(next, "7.1.6").duration = 130ms;
    const auto c = compare_runs(base, next);
    EXPECT_EQ(c.regressions(), 1u);
    EXPECT_EQ(c.changes.front().before, "20 ms");
    EXPECT_EQ(c.changes.front().after, "130 ms");
    EXPECT_EQ(c.changes.front().detail, "550% slower (+110 ms), past the 50% and 100 ms thresholds.");
}

TEST(compare, a_baseline_accepts_known_failures) {
    const auto base = sample_run();
    auto next = sample_run();
    find(next, "1.1.1").behavior = cases::behavior::failed;
    find(next, "7.1.6").behavior = cases::behavior::failed;
    const auto b = accepted(R"({"accepted": [
        {"id": "1.1.1", "reason": "known: issue 12"},
        {"id": "7.1.6", "agent": "another server", "reason": "only there"},
        {"id": "1.1.2", "agent": "Reference Server/1.0", "reason": "flaky close"}]})");
    compare_options o;
    o.accepted = &b;
    const auto c = compare_runs(base, next, o);
    EXPECT_EQ(ids(c, change_kind::accepted), strings{"1.1.1"});
    EXPECT_EQ(ids(c, change_kind::regression), strings{"7.1.6"}) << "the entry names another agent";
    EXPECT_EQ(c.regressions(), 1u);
    EXPECT_TRUE(ids(c, change_kind::baseline_removable).empty()) << "1.1.2 still fails";

    // An accepted case that passes now: can be removed from the baseline.
    auto fixed = sample_run();
    find(fixed, "1.1.2").close_behavior = cases::close_behavior::ok;
    const auto d = compare_runs(base, fixed, o);
    EXPECT_EQ(ids(d, change_kind::baseline_removable), (strings{"1.1.1", "1.1.2"}));
    EXPECT_EQ(ids(d, change_kind::fixed), strings{"1.1.2"});
    EXPECT_EQ(d.regressions(), 0u);
    const auto text = render_comparison_text(d);
    EXPECT_NE(text.find("REMOVABLE FROM BASELINE"), std::string::npos) << text;
    EXPECT_NE(text.find("it said: flaky close"), std::string::npos) << text;
}

TEST(compare, a_baseline_entry_for_no_case_is_noted) {
    const auto run = sample_run();
    const auto b = accepted(R"({"accepted": [{"id": "99.1", "reason": "gone"}]})");
    compare_options o;
    o.accepted = &b;
    const auto c = compare_runs(run, run, o);
    ASSERT_EQ(c.notes.size(), 1u);
    EXPECT_NE(c.notes[0].find("99.1"), std::string::npos);
}

TEST(compare, bad_baselines_are_one_sentence) {
    auto error_of = [](const std::string& text) {
        std::string error;
        EXPECT_FALSE(parse_baseline(text, error).has_value()) << text;
        return error;
    };
    EXPECT_NE(error_of("{not json").find("not valid JSON"), std::string::npos);
    EXPECT_NE(error_of("[]").find("not a JSON object"), std::string::npos);
    EXPECT_NE(error_of("{}").find("\"accepted\""), std::string::npos);
    EXPECT_NE(error_of(R"({"accepted": [{"id": "6.4.3"}]})").find("accepted[0] (6.4.3) has no \"reason\""),
              std::string::npos);
    EXPECT_NE(error_of(R"({"accepted": [{"id": "6.4.3", "reason": "  "}]})").find("no \"reason\""), std::string::npos);
    EXPECT_NE(error_of(R"({"accepted": [{"reason": "x"}]})").find("no case \"id\""), std::string::npos);
    EXPECT_NE(error_of(R"({"accepted": [{"id": "1", "reason": "x", "reasons": "y"}]})").find("unknown key \"reasons\""),
              std::string::npos);
    EXPECT_NE(error_of(R"({"accepted": [{"id": "1", "reason": "x", "agent": 3}]})").find("\"agent\""),
              std::string::npos);
    std::string error;
    EXPECT_FALSE(read_baseline("/nonexistent/baseline.json", error).has_value());
    EXPECT_NE(error.find("/nonexistent/baseline.json"), std::string::npos) << error;
}

TEST(compare, notes_for_interrupted_runs_and_other_agents) {
    const auto base = sample_run();
    auto next = sample_run();
    next.agent = "v2";
    next.interrupted = true;
    const auto c = compare_runs(base, next);
    ASSERT_EQ(c.notes.size(), 2u);
    EXPECT_NE(c.notes[0].find("different agents"), std::string::npos);
    EXPECT_NE(c.notes[1].find("NEW was interrupted"), std::string::npos);
}

TEST(compare, markdown_output_links_to_nothing) {
    const auto base = sample_run();
    auto next = sample_run();
    find(next, "1.1.1").behavior = cases::behavior::failed;
    find(next, "1.1.1").reason = "[x](https://evil.example/) | <b>";
    const auto md = render_comparison_markdown(compare_runs(base, next));
    EXPECT_NE(md.find("| **REGRESSION** | `1.1.1` | `OK/OK 1000` | `FAILED/OK 1000` | "
                      "`[x](https://evil.example/) \\| <b>` |"),
              std::string::npos)
        << md;
    EXPECT_NE(md.find("❌"), std::string::npos);
}

} // namespace
