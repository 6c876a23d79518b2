#include "reports/markdown_summary.hpp"

#include "reports/encoding.hpp"
#include "tests/reports/sample_results.hpp"

#include <gtest/gtest.h>

namespace {

using namespace wscheck;
using namespace wscheck::reports;
using namespace wscheck::reports::testing;

bool has_line(const std::string& text, const std::string& line) {
    for (const auto& l : lines_of(text)) {
        if (l == line) {
            return true;
        }
    }
    return false;
}

TEST(markdown_summary, header_table_and_failing_cases) {
    const auto run = sample_run();
    const auto md = render_markdown_summary(std::span{&run, 1});
    EXPECT_EQ(md.rfind("## wscheck results\n", 0), 0u);
    EXPECT_TRUE(has_line(md, "### ❌ `Reference Server/1.0`: 2 of 4 cases failing")) << md;
    EXPECT_NE(md.find("2 OK · 0 NON-STRICT · 1 INFORMATIONAL · 0 UNIMPLEMENTED · 1 FAILED · close: 1 WRONG CODE, "
                      "1 UNCLEAN · target `ws://127.0.0.1:9001` · 5.0 s\n"),
              std::string::npos)
        << md;
    EXPECT_TRUE(has_line(md, "- Note: the target answered every case")) << md;
    EXPECT_TRUE(has_line(md, "| Section | Cases | OK | NON-STRICT | INFORMATIONAL | UNIMPLEMENTED | FAILED | Close failed |"));
    // Sections in run order: 1.1 (1.1.1 and 1.1.2), 6.3, 7.1.
    EXPECT_TRUE(has_line(md, "| 1\\.1 Text Messages | 2 | 2 | 0 | 0 | 0 | 0 | 1 |")) << md;
    EXPECT_TRUE(has_line(md, "| 6\\.3 Invalid UTF\\-8 in text | 1 | 0 | 0 | 0 | 0 | 1 | 1 |")) << md;
    EXPECT_TRUE(has_line(md, "| 7\\.1 Basic close behavior \\(fuzzer initiated\\) | 1 | 0 | 0 | 1 | 0 | 0 | 0 |"))
        << md;
    EXPECT_TRUE(has_line(md, "| **Total** | 4 | 2 | 0 | 1 | 0 | 1 | 2 |")) << md;
    EXPECT_TRUE(has_line(md, "| `6.3.1` | FAILED/WRONG CODE | `The peer broke 5.1: a server sent a masked frame "
                             "(frame 1). Close: The peer closed with 1000 where 1007 was expected.` |"))
        << md;
    EXPECT_TRUE(has_line(md, "| `1.1.2` | OK/UNCLEAN | `The peer dropped TCP without a Close frame.` |")) << md;
    EXPECT_EQ(md.find("7.1.6"), std::string::npos) << "INFORMATIONAL is not failing";
}

TEST(markdown_summary, a_passing_run_and_the_caps) {
    auto run = sample_run();
    run.cases = {echo_case()};
    const auto passing = render_markdown_summary(std::span{&run, 1});
    EXPECT_TRUE(has_line(passing, "### ✅ `Reference Server/1.0`: 0 of 1 case failing")) << passing;
    EXPECT_EQ(passing.find("Failing case"), std::string::npos);

    auto many = sample_run();
    many.cases = {};
    for (int i = 1; i <= 7; ++i) {
        auto c = broken_case();
        c.id = "6.3." + std::to_string(i);
        c.reason = std::string(500, 'r');
        many.cases.push_back(c);
    }
    markdown_options options;
    options.max_listed = 3;
    options.max_reason_chars = 40;
    const auto md = render_markdown_summary(std::span{&many, 1}, options);
    EXPECT_NE(md.find("| `6.3.3` |"), std::string::npos);
    EXPECT_EQ(md.find("| `6.3.4` |"), std::string::npos) << md;
    EXPECT_TRUE(has_line(md, "... and 4 more failing cases in the full report.")) << md;
    EXPECT_NE(md.find("`" + std::string(37, 'r') + "...`"), std::string::npos) << md;
}

TEST(markdown_summary, peer_bytes_make_no_links_html_or_broken_tables) {
    auto run = sample_run();
    run.cases[1].reason = "see [here](https://evil.example/) <img src=x onerror=alert(1)> a|b ``tick`` \nnext";
    run.cases[1].close_behavior = cases::close_behavior::ok;
    run.cases[1].section = "Evil *section* <b>";
    run.agent = "agent|`x`";
    const auto md = render_markdown_summary(std::span{&run, 1});
    EXPECT_TRUE(has_line(md, "| `6.3.1` | FAILED/OK | ```see [here](https://evil.example/) <img src=x "
                             "onerror=alert(1)> a\\|b ``tick``  next``` |"))
        << md;
    EXPECT_TRUE(has_line(md, "| 6\\.3 Evil \\*section\\* \\<b\\> | 1 | 0 | 0 | 0 | 0 | 1 | 0 |")) << md;
    EXPECT_TRUE(has_line(md, "### ❌ `` agent|`x` ``: 2 of 4 cases failing")) << md;
    // Every table line is one row: starts and ends with a pipe.
    for (const auto& l : lines_of(md)) {
        if (!l.empty() && l.front() == '|') {
            EXPECT_EQ(l.back(), '|') << l;
        }
    }
    EXPECT_TRUE(is_printable_text(as_bytes(md)));
}

TEST(markdown_summary, escaping_helpers) {
    EXPECT_EQ(markdown_code("plain"), "`plain`");
    EXPECT_EQ(markdown_code("a|b"), "`a\\|b`");
    EXPECT_EQ(markdown_code("a|b", false), "`a|b`");
    EXPECT_EQ(markdown_code("x`y"), "``x`y``");
    EXPECT_EQ(markdown_code("`x"), "`` `x ``");
    EXPECT_EQ(markdown_code("a\nb\x01"), "` a b  `"); // padded: a trailing space is kept
    EXPECT_EQ(markdown_code(""), "` `");
    EXPECT_EQ(markdown_text("*a* [b](c) <d> _e_ #1 x"), "\\*a\\* \\[b\\]\\(c\\) \\<d\\> \\_e\\_ \\#1 x");
    EXPECT_EQ(markdown_text("w\xffx"), "w\xEF\xBF\xBDx");
}

TEST(markdown_summary, an_interrupted_run_and_no_runs) {
    auto run = sample_run();
    run.cases.clear();
    run.interrupted = true;
    const auto md = render_markdown_summary(std::span{&run, 1});
    EXPECT_TRUE(has_line(md, "**Interrupted:** only the cases that ran are counted.")) << md;
    EXPECT_TRUE(has_line(md, "No case ran.")) << md;
    EXPECT_TRUE(has_line(md, "### ⚠️ `Reference Server/1.0`: 0 of 0 cases failing")) << md;
    EXPECT_TRUE(has_line(render_markdown_summary({}), "No run."));
}

} // namespace
