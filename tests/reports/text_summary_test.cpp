#include "reports/text_summary.hpp"

#include "tests/reports/sample_results.hpp"

#include <gtest/gtest.h>

#include <sstream>

namespace {

using namespace wscheck;
using namespace wscheck::reports;
using namespace wscheck::reports::testing;

/// The line that starts with `prefix`, or "" when none does.
std::string line_starting(const std::string& text, const std::string& prefix) {
    for (const auto& l : lines_of(text)) {
        if (l.rfind(prefix, 0) == 0) {
            return l;
        }
    }
    return {};
}

/// The numbers of a table row, after its label.
std::vector<int> numbers_of(const std::string& row) {
    std::vector<int> out;
    std::istringstream in{row};
    for (std::string word; in >> word;) {
        if (!word.empty() && std::all_of(word.begin(), word.end(), ::isdigit)) {
            out.push_back(std::stoi(word));
        }
    }
    return out;
}

TEST(TextSummary, CountsPerSection) {
    const std::string s = render_text_summary(sample_run());
    // 1.1: 1.1.1 (OK) and 1.1.2 (OK, unclean); 6.3: FAILED; 7.1: INFORMATIONAL.
    // Columns: total, OK, NON-STRICT, INFORMATIONAL, UNIMPLEMENTED, FAILED.
    EXPECT_EQ(numbers_of(line_starting(s, "1.1 Text Messages")), (std::vector<int>{2, 2, 0, 0, 0, 0}))
        << s;
    EXPECT_EQ(numbers_of(line_starting(s, "6.3 Invalid UTF-8 in text")),
              (std::vector<int>{1, 0, 0, 0, 0, 1}));
    EXPECT_EQ(numbers_of(line_starting(s, "7.1 Basic close")), (std::vector<int>{1, 0, 0, 1, 0, 0}));
    EXPECT_EQ(numbers_of(line_starting(s, "total")), (std::vector<int>{4, 2, 0, 1, 0, 1}));
    EXPECT_NE(line_starting(s, "section").find("NON-STRICT"), std::string::npos);
    EXPECT_EQ(line_starting(s, "close:"), "close: 1 OK, 1 WRONG CODE, 1 UNCLEAN, 1 INFORMATIONAL");
    EXPECT_NE(s.find("Reference Server/1.0 at ws://127.0.0.1:9001, 4 cases in 5.0 s"),
              std::string::npos);
    EXPECT_NE(s.find("note: the target answered every case"), std::string::npos);
}

TEST(TextSummary, ListsCasesThatNeedALookWorstFirst) {
    const std::string s = render_text_summary(sample_run());
    const auto failed = line_starting(s, "6.3.1");
    const auto unclean = line_starting(s, "1.1.2");
    EXPECT_NE(failed.find("FAILED/WRONG CODE"), std::string::npos) << s;
    EXPECT_NE(failed.find("The peer broke 5.1"), std::string::npos) << failed;
    EXPECT_NE(failed.find("Close: The peer closed with 1000"), std::string::npos) << failed;
    EXPECT_NE(unclean.find("OK/UNCLEAN"), std::string::npos) << s;
    EXPECT_NE(unclean.find("The peer dropped TCP without a Close frame."), std::string::npos);
    EXPECT_LT(s.find(failed), s.find(unclean));
    EXPECT_EQ(line_starting(s, "1.1.1"), "");  // OK/OK: not listed
    EXPECT_EQ(line_starting(s, "7.1.6"), "");  // INFORMATIONAL: recorded, not listed
    EXPECT_EQ(s.find("more in the report"), std::string::npos);
}

TEST(TextSummary, CapsTheListAndCountsTheRest) {
    run_result run = sample_run();
    run.cases.clear();
    for (int i = 1; i <= 60; ++i) {
        case_result c = broken_case();
        c.id = "6.3." + std::to_string(i);
        run.cases.push_back(c);
    }
    summary_options o;
    o.max_listed = 50;
    o.max_reason_chars = 20;
    const std::string s = render_text_summary(run, o);
    EXPECT_NE(s.find("... 10 more in the report\n"), std::string::npos) << s;
    EXPECT_NE(line_starting(s, "6.3.50 "), "");
    EXPECT_EQ(line_starting(s, "6.3.51 "), "");
    const std::string first = line_starting(s, "6.3.1 ");
    EXPECT_EQ(first.substr(first.size() - 3), "...") << first;
    EXPECT_EQ(numbers_of(line_starting(s, "total")), (std::vector<int>{60, 0, 0, 0, 0, 60}));
}

TEST(TextSummary, SaysWhenTheRunWasInterruptedOrEmpty) {
    run_result run = sample_run();
    run.interrupted = true;
    run.cases.resize(1);
    const std::string s = render_text_summary(run);
    EXPECT_NE(s.find("1 case in"), std::string::npos) << s;
    EXPECT_NE(s.find("interrupted"), std::string::npos) << s;
    run.cases.clear();
    EXPECT_NE(render_text_summary(run).find("No case ran."), std::string::npos);
}

} // namespace
