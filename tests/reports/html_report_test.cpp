#include "reports/html_report.hpp"

#include "reports/atomic_file.hpp"
#include "reports/encoding.hpp"
#include "tests/reports/sample_results.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <regex>
#include <string>
#include <unistd.h>
#include <vector>

namespace wscheck::reports {
namespace {

using namespace testing;
using json = nlohmann::json;

/// The text of the <script type="application/json" id="..."> element, as the page's script
/// reads it (textContent: no entity decoding inside a script element).
std::string script_blob(const std::string& page, const std::string& id) {
    const std::string open = "<script type=\"application/json\" id=\"" + id + "\">";
    const auto from = page.find(open);
    if (from == std::string::npos) {
        return {};
    }
    const auto start = from + open.size();
    const auto end = page.find("</script>", start);
    return end == std::string::npos ? std::string{} : page.substr(start, end - start);
}

json index_of(const std::string& page) { return json::parse(script_blob(page, "wscheck-index")); }
json details_of(const std::string& page) { return json::parse(script_blob(page, "wscheck-details")); }

/// True when `pattern` (case-insensitive) occurs in `page`.
bool has(const std::string& page, const char* pattern) {
    return std::regex_search(page, std::regex{pattern, std::regex::icase});
}

/// How many times `needle` occurs in `hay`.
std::size_t count(const std::string& hay, const std::string& needle) {
    std::size_t n = 0;
    for (auto at = hay.find(needle); at != std::string::npos; at = hay.find(needle, at + 1)) {
        ++n;
    }
    return n;
}

run_result hostile_run() {
    run_result run = sample_run();
    run.agent = "evil</script><script>alert(1)</script>";
    auto& c = run.cases[0];
    c.description = "</script><script>alert(1)</script> <!-- <b>bold</b>";
    c.reason = "Received \"</script><script>alert(1)\" & more";
    c.received = {text_event("</script><script>alert(1)")};
    proto::frame_header h;
    h.op = proto::opcode::text;
    h.length = 25;
    c.wire.begin_frame(runner::direction::received, std::chrono::microseconds{600}, h);
    c.wire.frame_payload(as_bytes("</script><script>alert(1)"));
    return run;
}

TEST(HtmlReport, FetchesNothingFromTheNetwork) {
    // Even with URLs in the peer's bytes: they are data, escaped, never an address to load.
    run_result run = hostile_run();
    run.cases[1].handshake.request = "GET / HTTP/1.1\r\nOrigin: https://example.com\r\n\r\n";
    run.cases[1].received = {text_event("<img src=\"http://example.com/x.png\">")};
    const std::vector<run_result> runs{run};
    const std::string page = render_html_report(runs);
    // No URL of any scheme the browser would fetch, and no element or rule that loads one.
    EXPECT_EQ(page.find("http://"), std::string::npos);
    EXPECT_EQ(page.find("https://"), std::string::npos);
    EXPECT_EQ(page.find("//cdn"), std::string::npos);
    EXPECT_FALSE(has(page, R"((src|href)\s*=\s*["']?\s*(https?:)?//)"));
    EXPECT_FALSE(has(page, R"(<link\b)"));
    EXPECT_FALSE(has(page, R"(@import|url\s*\()"));
    EXPECT_FALSE(has(page, R"(<script[^>]*\bsrc\s*=)"));
    EXPECT_FALSE(std::regex_search(page, std::regex{R"(\bfetch\s*\(|XMLHttpRequest|WebSocket\s*\()"}));
    // The policy the page declares forbids any fetch too.
    EXPECT_NE(page.find("default-src 'none'"), std::string::npos);
}

TEST(HtmlReport, PeerBytesCannotBreakOutOfTheData) {
    const std::vector<run_result> runs{hostile_run()};
    const std::string page = render_html_report(runs);
    EXPECT_EQ(page.find("</script><script>alert(1)"), std::string::npos);
    EXPECT_EQ(page.find("<script>alert"), std::string::npos);
    EXPECT_EQ(page.find("<b>bold</b>"), std::string::npos);
    EXPECT_EQ(page.find("<!-- "), std::string::npos);
    // The page has exactly its three script elements: two data blobs and the code.
    EXPECT_EQ(count(page, "<script"), 3U);
    EXPECT_EQ(count(page, "</script>"), 3U);
    // The bytes are all still there, for the page to show as text.
    const json index = index_of(page);
    EXPECT_EQ(index["runs"][0]["agent"], "evil</script><script>alert(1)</script>");
    EXPECT_EQ(index["cases"][0]["description"], "</script><script>alert(1)</script> <!-- <b>bold</b>");
    const json details = details_of(page);
    EXPECT_EQ(details[0][0]["received"][0]["data"]["text"], "</script><script>alert(1)");
    EXPECT_EQ(details[0][0]["handshake"]["request"]["text"], runs[0].cases[0].handshake.request);
    bool seen_in_wire = false;
    for (const auto& f : details[0][0]["wire"]["frames"]) {
        seen_in_wire = seen_in_wire || (f["payload"].contains("text") && f["payload"]["text"] == "</script><script>alert(1)");
    }
    EXPECT_TRUE(seen_in_wire);
}

TEST(HtmlReport, TheTitleIsEscaped) {
    html_options o;
    o.title = "<img src=x onerror=alert(1)> & co";
    const std::vector<run_result> runs{sample_run()};
    const std::string page = render_html_report(runs, o);
    EXPECT_EQ(page.find("<img"), std::string::npos);
    EXPECT_NE(page.find("<title>&lt;img src=x onerror=alert(1)&gt; &amp; co</title>"), std::string::npos);
}

TEST(HtmlReport, EveryCaseAndAgentIsInTheData) {
    run_result a = sample_run();
    run_result b = sample_run();
    b.agent = "second";
    b.cases.erase(b.cases.begin() + 1); // 6.3.1 not run by the second agent
    case_result extra = informational_case();
    extra.id = "1.1.10"; // sorts after 1.1.2 (number by number), before 6.3.1
    b.cases.push_back(extra);
    const std::vector<run_result> runs{a, b};
    const std::string page = render_html_report(runs);
    const json index = index_of(page);

    ASSERT_EQ(index["runs"].size(), 2U);
    EXPECT_EQ(index["runs"][0]["agent"], "Reference Server/1.0");
    EXPECT_EQ(index["runs"][1]["agent"], "second");
    std::vector<std::string> ids;
    for (const auto& c : index["cases"]) {
        ids.push_back(c["id"]);
        EXPECT_EQ(c["cells"].size(), 2U) << c["id"];
    }
    EXPECT_EQ(ids, (std::vector<std::string>{"1.1.1", "1.1.2", "1.1.10", "6.3.1", "7.1.6"}));

    // 6.3.1: run by the first agent only, FAILED / WRONG CODE, at its place in that run.
    const json& broken = index["cases"][3];
    EXPECT_EQ(broken["sec"], "6.3");
    EXPECT_EQ(broken["clause"], "8.1");
    ASSERT_TRUE(broken["cells"][0].is_array());
    EXPECT_EQ(index["behaviors"][broken["cells"][0][0].get<std::size_t>()], "FAILED");
    EXPECT_EQ(index["close_behaviors"][broken["cells"][0][1].get<std::size_t>()], "WRONG CODE");
    EXPECT_EQ(broken["cells"][0][2], 1002);
    EXPECT_EQ(broken["cells"][0][3], 1);
    EXPECT_TRUE(broken["cells"][1].is_null());
    // 1.1.10 only in the second run, where it is the fourth case.
    EXPECT_TRUE(index["cases"][2]["cells"][0].is_null());
    EXPECT_EQ(index["cases"][2]["cells"][1][3], 3);

    // The details: per run, every case in run order, in wscheck-report/1's case shape.
    const json details = details_of(page);
    ASSERT_EQ(details.size(), 2U);
    ASSERT_EQ(details[0].size(), a.cases.size());
    ASSERT_EQ(details[1].size(), b.cases.size());
    for (std::size_t i = 0; i < a.cases.size(); ++i) {
        EXPECT_EQ(details[0][i]["id"], a.cases[i].id);
        EXPECT_EQ(details[0][i]["reason"], a.cases[i].reason);
    }
    EXPECT_EQ(details[0][1]["close"]["remote_code"], 1000);
    EXPECT_EQ(details[0][1]["peer_violations"][0], "5.1: a server sent a masked frame (frame 1)");
    EXPECT_EQ(details[0][0]["wire"]["frames"].size(), 3U);
    EXPECT_EQ(details[0][0]["wire"]["frames"][1]["payload"]["text"], "Hello");
}

TEST(HtmlReport, CarriesTheCatalogHeadingsAndSettings) {
    html_options o;
    o.sections = {{"1", "Framing"}, {"1.1", "Text Messages"}, {"6", "UTF-8 Handling"}};
    o.settings = {"cases: 1.*,6.*", "jobs: 4"};
    o.title = "nightly";
    const std::vector<run_result> runs{sample_run()};
    const std::string page = render_html_report(runs, o);
    const json index = index_of(page);
    EXPECT_EQ(index["title"], "nightly");
    EXPECT_EQ(index["settings"], (json{"cases: 1.*,6.*", "jobs: 4"}));
    ASSERT_EQ(index["sections"].size(), 3U);
    EXPECT_EQ(index["sections"][2]["id"], "6");
    EXPECT_EQ(index["sections"][2]["title"], "UTF-8 Handling");
    // The details come after the page's script, so the matrix is drawn before they are read.
    EXPECT_LT(page.find("<script>\n"), page.find("id=\"wscheck-details\""));
    EXPECT_LT(page.find("id=\"wscheck-index\""), page.find("<script>\n"));
}

TEST(HtmlReport, ManyAgentsGiveOneColumnEach) {
    std::vector<run_result> runs;
    for (const char* name : {"alpha", "beta", "gamma"}) {
        run_result r = sample_run();
        r.agent = name;
        runs.push_back(std::move(r));
    }
    const std::string page = render_html_report(runs);
    const json index = index_of(page);
    ASSERT_EQ(index["runs"].size(), 3U);
    for (const auto& c : index["cases"]) {
        EXPECT_EQ(c["cells"].size(), 3U);
        for (const auto& cell : c["cells"]) {
            EXPECT_TRUE(cell.is_array());
        }
    }
    EXPECT_EQ(index["cases"].size(), runs[0].cases.size());
    // The page draws one header cell per run, from this list, with this class.
    EXPECT_NE(page.find("runs.forEach(function (r) { html.push('<th class=\"agent\""), std::string::npos);
}

TEST(HtmlReport, LongWireLogsAndTracesAreThinned) {
    run_result run = sample_run();
    auto& c = run.cases[0];
    c.wire = runner::wire_log{};
    std::vector<std::uint8_t> big(256, 0x41);
    for (int i = 0; i < 300; ++i) {
        proto::frame_header h;
        h.op = proto::opcode::binary;
        h.length = 100000;
        c.wire.begin_frame(runner::direction::received, std::chrono::microseconds{i}, h);
        c.wire.frame_payload(big);
    }
    c.received.clear();
    for (int i = 0; i < 100; ++i) {
        c.received.push_back(text_event(std::to_string(i)));
    }
    html_options o;
    o.max_frames = 40;
    o.max_frame_payload_bytes = 16;
    o.max_events = 8;
    const std::vector<run_result> runs{run};
    const json details = details_of(render_html_report(runs, o));
    const json& frames = details[0][0]["wire"]["frames"];
    ASSERT_EQ(frames.size(), 41U); // 30 first, the gap, 10 last
    EXPECT_EQ(frames[30]["omitted"], 260);
    EXPECT_EQ(frames[0]["at_us"], 0);
    EXPECT_EQ(frames[31]["at_us"], 290);
    EXPECT_EQ(frames[40]["at_us"], 299);
    EXPECT_EQ(frames[0]["payload"]["text"], std::string(16, 'A'));
    EXPECT_EQ(frames[0]["payload"]["size"], 16);
    EXPECT_EQ(frames[0]["payload"]["full_size"], 256);
    EXPECT_EQ(frames[0]["payload"]["truncated"], true);
    EXPECT_EQ(frames[0]["length"], 100000);

    const json& received = details[0][0]["received"];
    ASSERT_EQ(received.size(), 9U); // 6 first, the gap, 2 last
    EXPECT_EQ(received[0]["data"]["text"], "0");
    EXPECT_EQ(received[5]["data"]["text"], "5");
    EXPECT_EQ(received[6]["omitted"], 92);
    EXPECT_EQ(received[7]["data"]["text"], "98");
    EXPECT_EQ(received[8]["data"]["text"], "99");
    // The expected trace is thinned the same way (here it has one event: kept whole).
    EXPECT_EQ(details[0][0]["expected"][0]["trace"].size(), 1U);
}

TEST(HtmlReport, AnEmptyRunStillMakesAPage) {
    run_result run;
    run.agent = "nobody";
    run.interrupted = true;
    const std::vector<run_result> runs{run};
    const std::string page = render_html_report(runs);
    const json index = index_of(page);
    EXPECT_EQ(index["cases"].size(), 0U);
    EXPECT_EQ(index["runs"][0]["interrupted"], true);
    EXPECT_NE(page.find("</html>"), std::string::npos);
    EXPECT_EQ(render_html_report({}).find("<!DOCTYPE html>"), 0U);
}

TEST(HtmlReport, WritesTheFile) {
    const auto dir = std::filesystem::temp_directory_path() /
                     ("wscheck-html-test-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir);
    const std::vector<run_result> runs{sample_run()};
    ASSERT_EQ(write_html_report(dir / "index.html", runs), "");
    std::string read;
    ASSERT_EQ(read_file(dir / "index.html", read), "");
    EXPECT_EQ(read, render_html_report(runs));
    std::filesystem::remove_all(dir);
}

} // namespace
} // namespace wscheck::reports
