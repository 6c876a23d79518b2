// Cases 20.5.9-20.5.13 (a request's content: Content-Length, chunked, Expect: 100-continue, and
// a request smuggled inside the content of a refused one) run by the wscheck binary against
// tests/support's fragile server in each of its content modes: one conformant, and one broken
// peer per rule, each failing exactly the case for its rule; and against `wscheck serve`.
#include "tests/harness/integration/child_process.hpp"
#include "tests/harness/integration/raw_socket.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include <unistd.h>

#ifndef WSCHECK_BINARY
#error "WSCHECK_BINARY must name the built wscheck executable"
#endif
#ifndef WSCHECK_FRAGILE_SERVER
#error "WSCHECK_FRAGILE_SERVER must name tests/support's wscheck_fragile_server"
#endif

namespace wscheck::test {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;
using verdicts = std::map<std::string, std::string>;

constexpr const char* cases = "20.5.9,20.5.10,20.5.11,20.5.12,20.5.13";

/// Runs the five cases against `url`: the behaviour of each case, by id.
verdicts run_cases(const std::string& url, const std::string& name) {
    const fs::path out = fs::path{::testing::TempDir()} / ("wscheck_content_" + name + "_" + std::to_string(::getpid()));
    fs::remove_all(out);
    child_process wscheck({WSCHECK_BINARY, "test", "-q", "-c", cases, url, "-o", out.string()});
    EXPECT_TRUE(wscheck.wait(60s).has_value()) << "wscheck did not finish";
    verdicts v;
    for (const auto& entry : fs::directory_iterator(out)) {
        if (!entry.path().string().ends_with(".wscheck.json")) {
            continue;
        }
        std::ifstream in(entry.path());
        std::stringstream text;
        text << in.rdbuf();
        const auto report = nlohmann::json::parse(text.str(), nullptr, false);
        for (const auto& c : report["cases"]) {
            v[c["id"].get<std::string>()] = c["behavior"].get<std::string>() + ": " + c["reason"].get<std::string>();
        }
    }
    return v;
}

/// The fragile server with `args` on a free port.
verdicts against_fragile(std::vector<std::string> args, const std::string& name) {
    std::uint16_t port = 0;
    {
        raw_listener probe;
        port = probe.port();
    }
    std::vector<std::string> argv{WSCHECK_FRAGILE_SERVER, "--port", std::to_string(port)};
    argv.insert(argv.end(), args.begin(), args.end());
    child_process server(argv);
    EXPECT_TRUE(server.read_line(10s).has_value()) << "the fragile server did not start";
    return run_cases("ws://127.0.0.1:" + std::to_string(port) + "/", name);
}

/// Every case OK but those in `failed`, which fail with a reason holding the text given.
void expect_only(const verdicts& got, const std::map<std::string, std::string>& failed) {
    ASSERT_EQ(got.size(), 5u);
    for (const auto& [id, verdict] : got) {
        SCOPED_TRACE(id);
        const auto it = failed.find(id);
        if (it == failed.end()) {
            EXPECT_TRUE(verdict.starts_with("OK: ")) << verdict;
        } else {
            EXPECT_TRUE(verdict.starts_with("FAILED: ")) << verdict;
            EXPECT_NE(verdict.find(it->second), std::string::npos) << verdict;
        }
    }
}

TEST(request_content, reference_server_refuses_content_and_passes_all) {
    child_process server({WSCHECK_BINARY, "serve"});
    const auto url = server.read_line(10s).value_or("");
    ASSERT_FALSE(url.empty());
    const auto got = run_cases(url, "reference");
    expect_only(got, {});
    EXPECT_NE(got.at("20.5.11").find("HTTP 400"), std::string::npos) << got.at("20.5.11");
}

TEST(request_content, a_server_that_reads_content_and_sends_100_first_passes_all) {
    const auto got = against_fragile({"--content", "read"}, "read");
    expect_only(got, {});
    // Accepted, not refused: the content was read as content and the message echoed.
    EXPECT_NE(got.at("20.5.9").find("Hello, handshake!"), std::string::npos) << got.at("20.5.9");
    EXPECT_NE(got.at("20.5.11").find("Hello, handshake!"), std::string::npos) << got.at("20.5.11");
}

TEST(request_content, a_101_without_100_fails_the_expect_case_only) {
    expect_only(against_fragile({"--content", "read-no-continue"}, "no_continue"),
                {{"20.5.11", "without a 100 (Continue)"}});
}

TEST(request_content, a_smuggled_request_answered_fails_both_smuggling_cases) {
    expect_only(against_fragile({"--content", "read", "--bug", "answers-content-as-request"}, "smuggled"),
                {{"20.5.12", "answered again (\"HTTP/1.1 101"}, {"20.5.13", "answered again (\"HTTP/1.1 400"}});
}

TEST(request_content, content_read_as_frames_fails_the_content_cases) {
    expect_only(against_fragile({}, "frames"),
                {{"20.5.9", "nothing more came"}, {"20.5.10", "nothing more came"},
                 {"20.5.11", "without a 100 (Continue)"}});
}

} // namespace
} // namespace wscheck::test
