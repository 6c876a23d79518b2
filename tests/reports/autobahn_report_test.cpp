#include "reports/autobahn_report.hpp"

#include "reports/atomic_file.hpp"
#include "tests/reports/sample_results.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <set>
#include <unistd.h>

namespace {

using namespace wscheck;
using namespace wscheck::reports;
using namespace wscheck::reports::testing;
using json = nlohmann::json;
namespace fs = std::filesystem;

class temp_dir {
public:
    explicit temp_dir(const std::string& name)
        : path_(fs::temp_directory_path() / (name + "_" + std::to_string(::getpid()))) {
        fs::remove_all(path_);
    }
    ~temp_dir() { fs::remove_all(path_); }
    const fs::path& path() const { return path_; }

private:
    fs::path path_;
};

json read_json(const fs::path& p) {
    std::string text;
    EXPECT_EQ(read_file(p, text), "");
    return json::parse(text);
}

TEST(AutobahnReport, CleansNamesAsAutobahnDoes) {
    EXPECT_EQ(autobahn_clean_for_filename("AutobahnPython/0.6.0"), "autobahnpython_0_6_0");
    EXPECT_EQ(autobahn_clean_for_filename("  My Server 1.0  "), "my_server_1_0");
    EXPECT_EQ(autobahn_clean_for_filename("a--b"), "a__b");
    EXPECT_EQ(autobahn_clean_for_filename("a\xc3\xa9" "b"), "a_b"); // one code point, one '_'
    EXPECT_EQ(autobahn_clean_for_filename("\xc3\x9cn\xc3\xaf"), "n");
    EXPECT_EQ(autobahn_clean_for_filename("///"), "");
    EXPECT_EQ(autobahn_case_filename("Reference Server/1.0", "1.1.1"),
              "reference_server_1_0_case_1_1_1.json");
    EXPECT_EQ(autobahn_case_filename("x", "12.4.18"), "x_case_12_4_18.json");
}

TEST(AutobahnReport, IndexHoldsEveryAgentAndCase) {
    run_result a = sample_run();
    run_result b = sample_run();
    b.agent = "Other/2";
    b.cases.resize(1);
    b.cases[0].close.remote_code = 1001;
    run_result a_more = sample_run();
    a_more.cases = {echo_case()};
    a_more.cases[0].id = "9.1.1";
    a_more.cases[0].duration = std::chrono::milliseconds{1234};
    const std::vector<run_result> runs{a, b, a_more};
    const json index = autobahn_index_json(runs);

    ASSERT_EQ(index.size(), 2u);
    const json& ref = index.at("Reference Server/1.0");
    EXPECT_EQ(ref.size(), 5u); // four cases of the first run and 9.1.1
    const json& e = ref.at("1.1.1");
    EXPECT_EQ(e.size(), 5u);
    EXPECT_EQ(e.at("behavior"), "OK");
    EXPECT_EQ(e.at("behaviorClose"), "OK");
    EXPECT_EQ(e.at("duration"), 3);
    EXPECT_EQ(e.at("remoteCloseCode"), 1000);
    EXPECT_EQ(e.at("reportfile"), "reference_server_1_0_case_1_1_1.json");
    EXPECT_EQ(ref.at("6.3.1").at("behavior"), "FAILED");
    EXPECT_EQ(ref.at("6.3.1").at("behaviorClose"), "WRONG CODE");
    EXPECT_EQ(ref.at("1.1.2").at("remoteCloseCode"), nullptr);
    EXPECT_EQ(ref.at("9.1.1").at("duration"), 1234);
    EXPECT_EQ(index.at("Other/2").at("1.1.1").at("remoteCloseCode"), 1001);
    EXPECT_EQ(index.at("Other/2").at("1.1.1").at("reportfile"), "other_2_case_1_1_1.json");
}

TEST(AutobahnReport, PerCaseFileHasAutobahnsKeys) {
    const run_result run = sample_run();
    const json c = autobahn_case_json(run, 0, {});
    for (const char* key :
         {"agent", "behavior", "behaviorClose", "case", "closedByMe", "description", "droppedByMe",
          "duration", "expectation", "expected", "expectedClose", "failedByMe", "httpRequest",
          "httpResponse", "id", "isServer", "localCloseCode", "localCloseReason", "received",
          "remoteCloseCode", "remoteCloseReason", "reportTime", "result", "resultClose",
          "started", "wasClean", "wasNotCleanReason", "wirelog"}) {
        EXPECT_TRUE(c.contains(key)) << key;
    }
    EXPECT_EQ(c.at("agent"), "Reference Server/1.0");
    EXPECT_EQ(c.at("case"), 1);
    EXPECT_EQ(c.at("id"), "1.1.1");
    EXPECT_EQ(c.at("closedByMe"), true);
    EXPECT_EQ(c.at("droppedByMe"), false);
    EXPECT_EQ(c.at("failedByMe"), false);
    EXPECT_EQ(c.at("isServer"), false);
    EXPECT_EQ(c.at("localCloseCode"), 1000);
    EXPECT_EQ(c.at("localCloseReason"), "by"); // read back from our Close frame: 03 e8 'b' 'y'
    EXPECT_EQ(c.at("remoteCloseCode"), 1000);
    EXPECT_EQ(c.at("remoteCloseReason"), nullptr);
    EXPECT_EQ(c.at("wasClean"), true);
    EXPECT_EQ(c.at("wasNotCleanReason"), nullptr);
    EXPECT_EQ(c.at("received"), json::parse(R"([["message", "Hello", false]])"));
    EXPECT_EQ(c.at("expected"), json::parse(R"({"OK": [["message", "Hello", false]]})"));
    EXPECT_EQ(c.at("expectedClose"),
              json::parse(R"({"closedByMe": true, "closeCode": [1000], "requireClean": true})"));
    EXPECT_EQ(c.at("result"), run.cases[0].reason);
    EXPECT_EQ(c.at("resultClose"), run.cases[0].close_reason);
    EXPECT_EQ(c.at("started"), "2026-11-25T07:00:01.000123Z");

    // The wire log in time order: the request (raw, t=0), our frame, the echo, our Close.
    const json& wl = c.at("wirelog");
    ASSERT_EQ(wl.size(), 4u);
    EXPECT_EQ(wl[0][0], "TO");
    EXPECT_EQ(wl[0][1][0], 40);
    EXPECT_EQ(wl[1], json::parse(R"(["TF", [5, "Hello"], 1, true, 0, "12345678", null, null, false])"));
    EXPECT_EQ(wl[2], json::parse(R"(["RF", [5, "Hello"], 1, true, 0, false, null])"));
    EXPECT_EQ(wl[3][0], "TF");
    EXPECT_EQ(wl[3][2], 8);

    autobahn_options server;
    server.tester_is_server = true;
    EXPECT_EQ(autobahn_case_json(run, 0, server).at("isServer"), true);
}

TEST(AutobahnReport, BrokenPeerDataIsShownSafely) {
    const run_result run = sample_run();
    const json c = autobahn_case_json(run, 1, {});
    EXPECT_EQ(c.at("case"), 2);
    EXPECT_EQ(c.at("received")[0],
              json::parse(R"(["message", "0xcebae1bdb9cf83cebcceb5eda080656469746564", true])"));
    EXPECT_EQ(c.at("expected"), json::parse(R"({"OK": [], "NON-STRICT": [["message", "x", false]]})"));
    EXPECT_EQ(c.at("wasNotCleanReason"), "The peer closed TCP before our Close went out.");
    EXPECT_EQ(c.at("localCloseCode"), nullptr);
    EXPECT_EQ(c.at("localCloseReason"), nullptr);
    EXPECT_EQ(c.at("wirelog")[0], json::parse(R"(["RF", [1000, "0x000102ff"], 2, true, 4, true, "deadbeef"])"));
    EXPECT_EQ(c.at("wirelog")[1], json::parse(R"(["TO", [2, "8180"], false])"));
    // The peer's bytes in strings are made valid UTF-8, so any dump() of the value works.
    EXPECT_EQ(c.at("remoteCloseReason"), "\xef\xbf\xbd\xef\xbf\xbd bad");
    EXPECT_EQ(c.at("httpResponse"), "HTTP/1.1 101 OK\r\nX: \xef\xbf\xbd\r\n\r\n");
    EXPECT_NO_THROW((void)c.dump());
}

TEST(AutobahnReport, RepeatedVerdictsGetTheirOwnKeys) {
    run_result run = sample_run();
    run.cases[0].expected = {{cases::behavior::ok, {text_event("a")}},
                             {cases::behavior::ok, {text_event("b")}}};
    const json c = autobahn_case_json(run, 0, {});
    EXPECT_EQ(c.at("expected").at("OK"), json::parse(R"([["message", "a", false]])"));
    EXPECT_EQ(c.at("expected").at("OK (2)"), json::parse(R"([["message", "b", false]])"));
}

TEST(AutobahnReport, LongDataIsCutAsAutobahnDoes) {
    run_result run = sample_run();
    run.cases[0].received = {text_event(std::string(100, 'x'))};
    const json c = autobahn_case_json(run, 0, {});
    EXPECT_EQ(c.at("received")[0][1], std::string(64, 'x') + " ...");
}

TEST(AutobahnReport, WritesIndexAndOneFilePerAgentAndCase) {
    temp_dir dir{"wscheck_autobahn_test"};
    run_result a = sample_run();
    run_result b = sample_run();
    b.agent = "Other/2";
    const std::vector<run_result> runs{a, b};
    const fs::path out = dir.path() / "reports" / "servers";
    ASSERT_EQ(write_autobahn_report(out, runs), "");

    std::set<std::string> files;
    for (const auto& entry : fs::directory_iterator(out)) {
        files.insert(entry.path().filename().string());
    }
    const std::set<std::string> want{
        "index.json",
        "reference_server_1_0_case_1_1_1.json", "reference_server_1_0_case_6_3_1.json",
        "reference_server_1_0_case_1_1_2.json", "reference_server_1_0_case_7_1_6.json",
        "other_2_case_1_1_1.json", "other_2_case_6_3_1.json",
        "other_2_case_1_1_2.json", "other_2_case_7_1_6.json"};
    EXPECT_EQ(files, want);

    const json index = read_json(out / "index.json");
    for (const auto& [agent, agent_cases] : index.items()) {
        for (const auto& [id, entry] : agent_cases.items()) {
            const json c = read_json(out / entry.at("reportfile").get<std::string>());
            EXPECT_EQ(c.at("agent"), agent);
            EXPECT_EQ(c.at("id"), id);
            EXPECT_EQ(c.at("behavior"), entry.at("behavior"));
        }
    }
    // Autobahn's layout: keys sorted, three spaces per level, ASCII only.
    std::string text;
    ASSERT_EQ(read_file(out / "index.json", text), "");
    EXPECT_EQ(text.rfind("{\n   \"Other/2\": {\n      \"1.1.1\": {\n         \"behavior\"", 0), 0u)
        << text.substr(0, 120);
    ASSERT_EQ(read_file(out / "reference_server_1_0_case_6_3_1.json", text), "");
    EXPECT_TRUE(std::all_of(text.begin(), text.end(),
                            [](char ch) { return static_cast<unsigned char>(ch) < 0x80; }));
}

TEST(AutobahnReport, ReportsAnOutdirItCannotCreate) {
    temp_dir dir{"wscheck_autobahn_bad_outdir"};
    fs::create_directories(dir.path());
    const fs::path file = dir.path() / "a_file";
    ASSERT_EQ(write_file_atomically(file, "x"), "");
    const std::vector<run_result> runs{sample_run()};
    const std::string err = write_autobahn_report(file / "out", runs);
    EXPECT_FALSE(err.empty());
    EXPECT_EQ(err.back(), '.');
}

} // namespace
