#include "reports/junit_report.hpp"

#include "reports/encoding.hpp"
#include "reports/json_report.hpp"
#include "reports/tally.hpp"
#include "tests/reports/sample_results.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>

#include <unistd.h>

#ifndef WSCHECK_JUNIT_XSD
#error "WSCHECK_JUNIT_XSD must name tests/reports/junit.xsd"
#endif

namespace {

using namespace wscheck;
using namespace wscheck::reports;
using namespace wscheck::reports::testing;
using namespace std::string_literals;

std::size_t occurrences(const std::string& text, const std::string& what) {
    std::size_t n = 0;
    for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + what.size())) {
        ++n;
    }
    return n;
}

/// The value of attribute `name` in the first `<element ...>` tag of `xml`.
std::string attribute(const std::string& xml, const std::string& element, const std::string& name) {
    const std::regex tag{"<" + element + "( [^>]*)>"};
    std::smatch m;
    if (!std::regex_search(xml, m, tag)) {
        return "<no " + element + ">";
    }
    const std::string attrs = m[1].str();
    const std::regex value{" " + name + "=\"([^\"]*)\""};
    std::smatch v;
    return std::regex_search(attrs, v, value) ? v[1].str() : "<no " + name + ">";
}

/// Every `<testsuite ...>` tag's attribute `name`, summed as numbers.
std::size_t suite_sum(const std::string& xml, const std::string& name) {
    const std::regex tag{"<testsuite ([^>]*)>"};
    const std::regex value{" " + name + "=\"([0-9]+)\""};
    std::size_t sum = 0;
    for (auto it = std::sregex_iterator(xml.begin(), xml.end(), tag); it != std::sregex_iterator(); ++it) {
        const std::string attrs = " " + (*it)[1].str();
        std::smatch v;
        if (std::regex_search(attrs, v, value)) {
            sum += std::stoul(v[1].str());
        }
    }
    return sum;
}

/// Runs xmllint --schema on the document; "" when it validates, else xmllint's complaint.
std::string schema_errors(const std::string& document) {
    if (std::system("command -v xmllint > /dev/null 2>&1") != 0) {
        return std::getenv("CI") != nullptr ? "xmllint is missing (ci/install.sh installs libxml2-utils)" : "skip";
    }
    const auto dir = std::filesystem::temp_directory_path() / ("wscheck-junit-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    const auto file = dir / "report.xml";
    const auto log = dir / "xmllint.log";
    std::ofstream(file, std::ios::binary) << document;
    const std::string command = "xmllint --noout --schema '" + std::string{WSCHECK_JUNIT_XSD} + "' '" +
                                file.string() + "' > '" + log.string() + "' 2>&1";
    const int status = std::system(command.c_str());
    std::ifstream in(log);
    std::stringstream text;
    text << in.rdbuf();
    std::filesystem::remove_all(dir);
    return status == 0 ? "" : "xmllint: " + text.str();
}

void expect_valid(const std::string& document) {
    const auto errors = schema_errors(document);
    if (errors == "skip") {
        GTEST_SKIP() << "xmllint is not installed";
    }
    EXPECT_EQ(errors, "") << document;
}

case_result unimplemented_case() {
    case_result c = echo_case();
    c.id = "12.1.1";
    c.section = "Large JSON data file (utf8, 194056 bytes)";
    c.behavior = cases::behavior::unimplemented;
    c.reason = "The server declined permessage-deflate.";
    return c;
}

TEST(junit_report, one_suite_per_section_and_one_case_per_result) {
    auto run = sample_run();
    run.cases.push_back(unimplemented_case());
    const auto xml = render_junit_report(std::span{&run, 1});

    EXPECT_EQ(xml.rfind("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites ", 0), 0u) << xml;
    EXPECT_EQ(occurrences(xml, "<testsuite "), 4u) << xml; // 1.1, 6.3, 7.1, 12.1
    EXPECT_NE(xml.find("<testsuite name=\"Reference Server/1.0: 1.1 Text Messages\" tests=\"2\" failures=\"1\" "
                       "errors=\"0\" skipped=\"0\" time=\"0.006\" timestamp=\"2026-11-25T07:00:01\">"),
              std::string::npos)
        << xml;
    EXPECT_NE(xml.find("<testcase name=\"1.1.1 Send text message with payload 0.\" "
                       "classname=\"Reference Server/1.0.1.1\" time=\"0.003\"/>"),
              std::string::npos)
        << xml;
    EXPECT_NE(xml.find("classname=\"Reference Server/1.0.6.3\" time=\"1.002\">"), std::string::npos) << xml;
    // Run facts once per agent, in the first suite.
    EXPECT_EQ(occurrences(xml, "<properties>"), 1u);
    EXPECT_NE(xml.find("<property name=\"target\" value=\"ws://127.0.0.1:9001\"/>"), std::string::npos);
    EXPECT_NE(xml.find("<property name=\"note.1\" value=\"the target answered every case\"/>"), std::string::npos);

    EXPECT_EQ(attribute(xml, "testsuites", "tests"), "5");
    EXPECT_EQ(attribute(xml, "testsuites", "failures"), "2");
    EXPECT_EQ(attribute(xml, "testsuites", "errors"), "0");
    EXPECT_EQ(attribute(xml, "testsuites", "skipped"), "1");
    EXPECT_EQ(suite_sum(xml, "tests"), 5u);
    EXPECT_EQ(suite_sum(xml, "failures"), 2u);
    EXPECT_EQ(suite_sum(xml, "skipped"), 1u);
    EXPECT_EQ(occurrences(xml, "<testcase "), 5u);
    EXPECT_EQ(occurrences(xml, "<failure "), 2u);
    EXPECT_EQ(occurrences(xml, "<skipped "), 1u);
    expect_valid(xml);
}

TEST(junit_report, a_failure_carries_the_reason_the_clause_and_the_close) {
    const auto run = sample_run();
    const auto xml = render_junit_report(std::span{&run, 1});
    // 6.3.1 fails on both axes: the message has both reasons; the body the rule and verdicts.
    EXPECT_NE(xml.find("<failure message=\"The peer broke 5.1: a server sent a masked frame (frame 1). Close: "
                       "The peer closed with 1000 where 1007 was expected.\" type=\"FAILED/WRONG CODE\">"
                       "RFC 6455 8.1: An endpoint fails the connection on invalid UTF-8 in text.\n"),
              std::string::npos)
        << xml;
    EXPECT_NE(xml.find("Close: WRONG CODE: The peer closed with 1000 where 1007 was expected.\n"), std::string::npos);
    EXPECT_NE(xml.find("Peer violation: 5.1: a server sent a masked frame (frame 1)\n"), std::string::npos);
    // 1.1.2 fails on the close only.
    EXPECT_NE(xml.find("<failure message=\"The peer dropped TCP without a Close frame.\" type=\"OK/UNCLEAN\">"),
              std::string::npos)
        << xml;
    // INFORMATIONAL passes, with its verdict in the output CI shows.
    EXPECT_NE(xml.find("<system-out>INFORMATIONAL/INFORMATIONAL: Recorded, not judged.</system-out>"),
              std::string::npos)
        << xml;
}

TEST(junit_report, counts_match_the_json_report) {
    auto run = sample_run();
    run.cases.push_back(unimplemented_case());
    const auto json = report_to_json(run);
    const auto xml = render_junit_report(std::span{&run, 1});
    std::size_t failing = 0;
    std::size_t skipped = 0;
    for (const auto& c : json["cases"]) {
        const auto b = parse_behavior(c["behavior"].get<std::string>());
        const auto cb = parse_close_behavior(c["close_behavior"].get<std::string>());
        ASSERT_TRUE(b && cb);
        if (cases::is_failure(*b) || cases::is_failure(*cb)) {
            ++failing;
        } else if (*b == cases::behavior::unimplemented) {
            ++skipped;
        }
    }
    EXPECT_EQ(attribute(xml, "testsuites", "tests"), std::to_string(json["summary"]["total"].get<std::size_t>()));
    EXPECT_EQ(attribute(xml, "testsuites", "failures"), std::to_string(failing));
    EXPECT_EQ(attribute(xml, "testsuites", "skipped"), std::to_string(skipped));
}

TEST(junit_report, hostile_bytes_stay_well_formed) {
    auto run = sample_run();
    run.agent = "evil\"agent'<&>";
    auto& c = run.cases[1];
    c.reason = "bytes \x01\x02\x1b[31m <![CDATA[ ]]> </failure> &amp; \xff\xfe \xEF\xBF\xBF end";
    c.description = "tab\there\r\nnul\0x"s;
    c.close_reason = "\"quoted\" 'single'";
    const auto xml = render_junit_report(std::span{&run, 1});
    for (const char ch : xml) {
        const auto u = static_cast<unsigned char>(ch);
        EXPECT_TRUE(u >= 0x20 || ch == '\n' || ch == '\t') << "control byte " << static_cast<int>(u);
    }
    EXPECT_TRUE(is_printable_text(as_bytes(xml)));
    EXPECT_EQ(xml.find("\xEF\xBF\xBF"), std::string::npos);
    EXPECT_EQ(occurrences(xml, "</failure>"), 2u) << "a reason closed an element";
    EXPECT_NE(xml.find("name=\"evil&quot;agent&apos;&lt;&amp;&gt;: 6.3 Invalid UTF-8 in text\""), std::string::npos)
        << xml;
    EXPECT_NE(xml.find("name=\"6.3.1 tab&#9;here&#13;&#10;nulx\""), std::string::npos) << xml;
    expect_valid(xml);
}

TEST(junit_report, several_agents_and_an_empty_run) {
    auto first = sample_run();
    auto second = sample_run();
    second.agent = "other";
    second.cases.resize(1);
    auto empty = sample_run();
    empty.agent = "nothing ran";
    empty.cases.clear();
    empty.interrupted = true;
    const std::vector<run_result> runs{first, second, empty};
    const auto xml = render_junit_report(runs);
    EXPECT_EQ(attribute(xml, "testsuites", "tests"), "5");
    EXPECT_EQ(attribute(xml, "testsuites", "failures"), "2");
    EXPECT_NE(xml.find("<testsuite name=\"other: 1.1 Text Messages\" tests=\"1\" failures=\"0\""), std::string::npos);
    EXPECT_NE(xml.find("<testsuite name=\"nothing ran\" tests=\"0\""), std::string::npos) << xml;
    EXPECT_NE(xml.find("<property name=\"interrupted\" value=\"true\"/>"), std::string::npos);
    expect_valid(xml);
    expect_valid(render_junit_report({}));
}

TEST(junit_report, the_schema_check_can_fail) {
    // The validation above means something: a case without classname and a suite without its
    // counts are rejected, as is a zone in the timestamp.
    const std::string head = "<?xml version=\"1.0\"?>\n<testsuites>";
    const std::string ok = "<testsuite name=\"s\" tests=\"1\" failures=\"0\" errors=\"0\" skipped=\"0\" "
                           "time=\"0.1\" timestamp=\"2026-11-25T07:00:00\">";
    const auto errors = schema_errors(head + ok + "<testcase name=\"c\" classname=\"k\" time=\"0\"/></testsuite></testsuites>");
    if (errors == "skip") {
        GTEST_SKIP() << "xmllint is not installed";
    }
    EXPECT_EQ(errors, "");
    EXPECT_NE(schema_errors(head + ok + "<testcase name=\"c\" time=\"0\"/></testsuite></testsuites>"), "");
    EXPECT_NE(schema_errors(head + "<testsuite name=\"s\" tests=\"1\"></testsuite></testsuites>"), "");
    EXPECT_NE(schema_errors(head + "<testsuite name=\"s\" tests=\"1\" failures=\"0\" errors=\"0\" skipped=\"0\" "
                                   "time=\"0\" timestamp=\"2026-11-25T07:00:00Z\"></testsuite></testsuites>"),
              "");
    EXPECT_NE(schema_errors(head + ok + "<testcase name=\"c\" classname=\"k\" time=\"0\"><failure/><skipped/>"
                                        "</testcase></testsuite></testsuites>"),
              "")
        << "skipped comes before failure";
}

TEST(junit_report, xml_escape) {
    EXPECT_EQ(xml_escape("a<b>&\"'"), "a&lt;b&gt;&amp;&quot;&apos;");
    EXPECT_EQ(xml_escape("x\x00\x01\x1f\x7fy"s), "x\x7fy");
    EXPECT_EQ(xml_escape("\t\n\r"), "&#9;&#10;&#13;");
    EXPECT_EQ(xml_escape("\xff"), "\xEF\xBF\xBD");         // invalid byte: U+FFFD
    EXPECT_EQ(xml_escape("\xEF\xBF\xBE\xEF\xBF\xBF"), ""); // U+FFFE, U+FFFF: not XML characters
    EXPECT_EQ(xml_escape("wörld \xF0\x9F\x98\x80"), "wörld \xF0\x9F\x98\x80");
}

TEST(junit_report, written_atomically) {
    const auto dir = std::filesystem::temp_directory_path() / ("wscheck-junit-w-" + std::to_string(::getpid()));
    const auto run = sample_run();
    EXPECT_EQ(write_junit_report(dir / "sub" / "junit.xml", std::span{&run, 1}), "");
    std::ifstream in(dir / "sub" / "junit.xml");
    std::stringstream text;
    text << in.rdbuf();
    EXPECT_EQ(text.str(), render_junit_report(std::span{&run, 1}));
    std::filesystem::remove_all(dir);
    EXPECT_NE(write_junit_report("/proc/no/such/dir/junit.xml", std::span{&run, 1}), "");
}

} // namespace
