// `wscheck fuzz` as a user runs it: against `wscheck serve` (no finding), against servers with
// planted bugs started with --exec (each found within its budget with a fixed seed, saved,
// shrunk, and replayed: reproducing against the buggy server, not against the reference
// server), Ctrl-C, and bad input (one line on stderr, exit status 2).
#include "fuzz/live/finding.hpp"
#include "tests/harness/integration/child_process.hpp"
#include "tests/harness/integration/raw_socket.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

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

struct run_result {
    int status = -1;
    std::string out;
    std::string err;
};

run_result run(const std::vector<std::string>& args, std::chrono::milliseconds timeout = 90s) {
    std::vector<std::string> argv{WSCHECK_BINARY};
    argv.insert(argv.end(), args.begin(), args.end());
    child_process child(argv);
    const auto status = child.wait(timeout);
    EXPECT_TRUE(status.has_value()) << "wscheck did not finish";
    return {status.value_or(-1), child.out(), child.err()};
}

void expect_one_line_error(const run_result& r, const std::string& what) {
    EXPECT_EQ(r.status, 2) << r.out << r.err;
    ASSERT_FALSE(r.err.empty());
    EXPECT_EQ(r.err.find('\n'), r.err.size() - 1) << "more than one line: " << r.err;
    EXPECT_EQ(r.err.rfind("wscheck: ", 0), 0u) << r.err;
    EXPECT_NE(r.err.find(what), std::string::npos) << r.err;
}

std::uint16_t free_port() {
    raw_listener probe;
    return probe.port();
}

fs::path fresh_dir(const std::string& name) {
    const fs::path d = fs::path{::testing::TempDir()} / ("wscheck_fuzz_" + name + "_" + std::to_string(::getpid()));
    fs::remove_all(d);
    return d;
}

nlohmann::json read_json(const fs::path& p) {
    std::ifstream in(p);
    std::stringstream s;
    s << in.rdbuf();
    return nlohmann::json::parse(s.str(), nullptr, false);
}

/// `wscheck serve` (with `flag`, if any) in the background; the first stdout line is its URL.
class serve_process {
public:
    explicit serve_process(const std::string& flag = "")
        : child_(flag.empty() ? std::vector<std::string>{WSCHECK_BINARY, "serve"}
                              : std::vector<std::string>{WSCHECK_BINARY, "serve", flag}) {
        url_ = child_.read_line(10s).value_or("");
    }
    const std::string& url() const { return url_; }

private:
    child_process child_;
    std::string url_;
};

std::string fragile_command(std::uint16_t port, const std::string& bug) {
    return std::string{WSCHECK_FRAGILE_SERVER} + " --port " + std::to_string(port) + " --bug " + bug;
}

std::string url_of(std::uint16_t port) {
    return "ws://127.0.0.1:" + std::to_string(port) + "/";
}

/// What a run against a fragile server found: the report and the one finding's file.
struct found {
    run_result result;
    nlohmann::json report;
    fs::path file;
    nlohmann::json finding;
};

found fuzz_fragile(const std::string& bug, const std::string& seed, const fs::path& out,
                   std::vector<std::string> extra = {}) {
    const auto port = free_port();
    std::vector<std::string> args{"fuzz", url_of(port), "--exec", fragile_command(port, bug), "--seed", seed,
                                  "--count", "400", "--time", "60", "--max-findings", "1", "-o", out.string()};
    args.insert(args.end(), extra.begin(), extra.end());
    found f;
    f.result = run(args, 120s);
    f.report = read_json(out / "fuzz.json");
    if (f.report.is_object() && f.report["findings"].is_array() && f.report["findings"].size() == 1) {
        f.file = f.report["findings"][0]["file"].get<std::string>();
        f.finding = read_json(f.file);
    }
    return f;
}

/// The checks every planted bug shares: found within the budget (not on the first input),
/// reproduced, saved, listed in both reports, and the process group gone.
void expect_found(const found& f, const std::string& kind, std::uint64_t max_bytes) {
    EXPECT_EQ(f.result.status, 1) << f.result.out << f.result.err;
    ASSERT_TRUE(f.report.is_object()) << f.result.out << f.result.err;
    ASSERT_EQ(f.report["findings"].size(), 1u) << f.report.dump(2);
    const auto& listed = f.report["findings"][0];
    EXPECT_EQ(listed["kind"], kind);
    EXPECT_GT(listed["input_index"].get<std::uint64_t>(), 0u) << "the bug must not be hit by the first input";
    EXPECT_TRUE(listed["reproduced"].get<bool>());
    ASSERT_TRUE(fs::exists(f.file));
    EXPECT_EQ(f.finding["kind"], kind);
    EXPECT_EQ(f.finding["format"], "wscheck-fuzz-finding");
    EXPECT_LE(f.finding["bytes"].get<std::uint64_t>(), max_bytes) << f.finding.dump(2);
    EXPECT_LE(f.finding["bytes"].get<std::uint64_t>(), f.finding["original"]["bytes"].get<std::uint64_t>());
    EXPECT_NE(f.result.out.find("1 finding(s)"), std::string::npos) << f.result.out;
    std::ifstream html(f.file.parent_path() / "fuzz.html");
    std::stringstream page;
    page << html.rdbuf();
    EXPECT_NE(page.str().find(f.file.filename().string()), std::string::npos);
}

/// Replays against the buggy server (started by --exec) and against the reference server.
void expect_replays(const fs::path& file, const std::string& bug, const std::string& kind) {
    const auto port = free_port();
    const auto again = run({"fuzz", "--replay", file.string(), url_of(port), "--exec", fragile_command(port, bug),
                            "-o", (file.parent_path() / "replay").string()});
    EXPECT_EQ(again.status, 1) << again.out << again.err;
    EXPECT_NE(again.out.find("reproduces: " + kind), std::string::npos) << again.out;

    serve_process reference;
    const auto control = run({"fuzz", "--replay", file.string(), reference.url()});
    EXPECT_EQ(control.status, 0) << control.out << control.err;
    EXPECT_NE(control.out.find("does not reproduce"), std::string::npos) << control.out;
}

TEST(wscheck_fuzz, reference_server_no_finding_and_reports) {
    serve_process server;
    const auto out = fresh_dir("reference");
    const auto r = run({"fuzz", server.url(), "--count", "150", "--seed", "5", "-o", out.string()});
    EXPECT_EQ(r.status, 0) << r.out << r.err;
    EXPECT_NE(r.out.find("150 inputs"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("seed 5: no finding"), std::string::npos) << r.out;
    const auto report = read_json(out / "fuzz.json");
    ASSERT_TRUE(report.is_object());
    EXPECT_EQ(report["inputs_sent"], 150);
    EXPECT_EQ(report["seed"], 5);
    EXPECT_TRUE(report["seed_given"].get<bool>());
    EXPECT_EQ(report["end_reason"], "count");
    EXPECT_TRUE(report["findings"].empty());
    EXPECT_GT(report["inputs_per_second"].get<double>(), 0);
    EXPECT_TRUE(fs::exists(out / "fuzz.html"));
}

TEST(wscheck_fuzz, deflate_against_the_reference_server_with_deflate_no_finding) {
    serve_process server{"--deflate"};
    const auto out = fresh_dir("deflate_reference");
    const auto r = run({"fuzz", server.url(), "--deflate", "--count", "150", "--seed", "5", "-o", out.string()});
    EXPECT_EQ(r.status, 0) << r.out << r.err;
    EXPECT_NE(r.out.find("seed 5: no finding"), std::string::npos) << r.out;
    const auto report = read_json(out / "fuzz.json");
    ASSERT_TRUE(report.is_object());
    EXPECT_TRUE(report["settings"]["deflate"].get<bool>());
    EXPECT_GE(report["strategies"]["deflate"].get<unsigned>(), 50u) << report["strategies"];
    EXPECT_EQ(report["inputs_sent"], 150);
}

TEST(wscheck_fuzz, wss_with_insecure_no_finding_and_untrusted_certificate_refused) {
    child_process server({WSCHECK_BINARY, "serve", "--tls"});
    const auto url = server.read_line(10s).value_or("");
    ASSERT_EQ(url.rfind("wss://", 0), 0u) << url;
    const auto r = run({"fuzz", url, "--insecure", "--count", "20", "--seed", "3", "-o", fresh_dir("wss").string()});
    EXPECT_EQ(r.status, 0) << r.out << r.err;
    EXPECT_NE(r.out.find("20 inputs"), std::string::npos) << r.out;
    // The self-signed certificate is not trusted without --insecure or --cacert.
    expect_one_line_error(run({"fuzz", url, "--count", "1", "-o", fresh_dir("wss_untrusted").string()}), "--cacert");
}

TEST(wscheck_fuzz, prints_the_seed_it_drew) {
    serve_process server;
    const auto r = run({"fuzz", server.url(), "--count", "3", "-o", fresh_dir("drawn").string()});
    EXPECT_EQ(r.status, 0) << r.err;
    EXPECT_EQ(r.out.rfind("seed ", 0), 0u) << r.out;
    EXPECT_NE(r.out.find("(rerun with --seed "), std::string::npos) << r.out;
}

TEST(wscheck_fuzz, finds_an_abort_on_a_ping_shrinks_and_replays_it) {
    const auto f = fuzz_fragile("abort-on-zero-ping", "7", fresh_dir("abort"), {"--shrink-attempts", "60"});
    expect_found(f, "crash", 256);
    EXPECT_NE(f.finding["detail"].get<std::string>().find("signal 6"), std::string::npos) << f.finding["detail"];
    EXPECT_TRUE(f.finding["shrunk"].get<bool>());
    EXPECT_GE(f.report["restarts"].get<unsigned>(), 1u);
    expect_replays(f.file, "abort-on-zero-ping", "crash");
}

TEST(wscheck_fuzz, finds_an_exit_on_rsv2_continuation) {
    const auto f = fuzz_fragile("exit-on-rsv2-cont", "7", fresh_dir("exit"), {"--shrink-attempts", "60"});
    expect_found(f, "crash", 400);
    EXPECT_NE(f.finding["detail"].get<std::string>().find("exited with status 3"), std::string::npos)
        << f.finding["detail"];
    expect_replays(f.file, "exit-on-rsv2-cont", "crash");
}

TEST(wscheck_fuzz, finds_a_connection_that_stops_being_read) {
    const auto f = fuzz_fragile("hang-on-short-close", "2", fresh_dir("hang"),
                                {"--close-timeout", "1.5", "--shrink-attempts", "5"});
    expect_found(f, "hang", 400);
    EXPECT_NE(f.finding["detail"].get<std::string>().find("did not close the input's connection"), std::string::npos)
        << f.finding["detail"];
    expect_replays(f.file, "hang-on-short-close", "hang");
}

TEST(wscheck_fuzz, finds_a_server_that_freezes) {
    const auto f = fuzz_fragile("freeze-on-tilde", "3", fresh_dir("freeze"), {"--probe-timeout", "1.5", "--close-timeout", "1", "--no-shrink"});
    expect_found(f, "hang", 128 * 1024);
    EXPECT_NE(f.finding["detail"].get<std::string>().find("liveness check got no answer"), std::string::npos)
        << f.finding["detail"];
    EXPECT_FALSE(f.finding["shrunk"].get<bool>());
}

TEST(wscheck_fuzz, deflate_finds_an_inflate_bug_shrinks_and_replays_it) {
    // The planted bug needs permessage-deflate: without --deflate nothing reaches it.
    const std::string bug = "abort-on-inflate-ratio --deflate 1";
    const auto f = fuzz_fragile(bug, "10", fresh_dir("inflate"), {"--deflate", "--shrink-attempts", "60"});
    expect_found(f, "crash", 400);
    EXPECT_TRUE(f.finding["deflate"].get<bool>());
    EXPECT_TRUE(f.finding["shrunk"].get<bool>());
    EXPECT_EQ(f.finding["strategy"], "deflate");
    EXPECT_NE(f.finding["input_shape"].get<std::string>().find("+rsv1"), std::string::npos) << f.finding["input_shape"];
    EXPECT_LT(f.finding["bytes"].get<std::uint64_t>(), f.finding["original"]["bytes"].get<std::uint64_t>());
    expect_replays(f.file, bug, "crash");
    // The reference server with permessage-deflate inflates the same message and is fine.
    serve_process reference{"--deflate"};
    const auto control = run({"fuzz", "--replay", f.file.string(), reference.url()});
    EXPECT_EQ(control.status, 0) << control.out << control.err;
    EXPECT_NE(control.out.find("does not reproduce"), std::string::npos) << control.out;

    const auto plain = fuzz_fragile(bug, "10", fresh_dir("inflate_plain"), {"--no-shrink"});
    EXPECT_EQ(plain.result.status, 0) << plain.result.out << plain.result.err;
}

/// The finding in `report` whose signature ends with `shape` and whose detail holds `how`.
const nlohmann::json* finding_of(const nlohmann::json& report, const std::string& how, const std::string& shape) {
    for (const auto& f : report["findings"]) {
        const auto sig = f["signature"].get<std::string>();
        if (f["detail"].get<std::string>().find(how) != std::string::npos && sig.size() >= shape.size() &&
            sig.compare(sig.size() - shape.size(), shape.size(), shape) == 0) {
            return &f;
        }
    }
    return nullptr;
}

TEST(wscheck_fuzz, counts_a_bug_found_again_on_its_finding_and_tells_two_bugs_apart) {
    // Two planted bugs at once; with seed 14 each is hit twice within 200 inputs (each time
    // shrinking to the same reproducer). Which inputs hit them depends on the catalog, whose
    // cases seed the generator: a new section can move them, and then another seed is needed
    // (each bug hit at least twice).
    const auto port = free_port();
    const auto out = fresh_dir("dedup");
    const auto r = run({"fuzz", url_of(port), "--exec", fragile_command(port, "abort-on-zero-ping,exit-on-rsv2-cont"),
                        "--seed", "14", "--count", "200", "--time", "60", "--shrink-attempts", "60", "-o", out.string()},
                       120s);
    EXPECT_EQ(r.status, 1) << r.out << r.err;
    const auto report = read_json(out / "fuzz.json");
    ASSERT_TRUE(report.is_object()) << r.out << r.err;
    const auto* ping = finding_of(report, "signal 6", " | request ping");
    const auto* rsv2 = finding_of(report, "status 3", " | request cont+rsv2");
    ASSERT_NE(ping, nullptr) << report.dump(2);
    ASSERT_NE(rsv2, nullptr) << report.dump(2);
    // One finding per bug, each counting its occurrences and the inputs that caused them.
    std::set<std::string> signatures;
    std::uint64_t occurrences = 0;
    for (const auto& f : report["findings"]) {
        EXPECT_TRUE(signatures.insert(f["signature"].get<std::string>()).second) << "listed twice: " << f["signature"];
        EXPECT_EQ(f["occurrence_inputs"].size(), f["occurrences"].get<std::size_t>());
        EXPECT_EQ(f["occurrence_inputs"][0], f["input_index"]);
        occurrences += f["occurrences"].get<std::uint64_t>();
    }
    EXPECT_GE((*ping)["occurrences"].get<int>(), 2) << report.dump(2);
    EXPECT_GE((*rsv2)["occurrences"].get<int>(), 2) << report.dump(2);
    EXPECT_LT(report["findings"].size(), occurrences);
    EXPECT_NE(r.err.find("the same bug as crash-14-" + std::to_string((*ping)["input_index"].get<int>()) + ".json"),
              std::string::npos)
        << r.err;
    // The finding's file was rewritten with each occurrence, and the page lists them.
    const auto file = read_json((*ping)["file"].get<std::string>());
    EXPECT_EQ(file["occurrences"], (*ping)["occurrences"]);
    EXPECT_EQ(file["occurrence_inputs"], (*ping)["occurrence_inputs"]);
    EXPECT_EQ(file["input_shape"], "request ping");
    std::ifstream html(out / "fuzz.html");
    std::stringstream page;
    page << html.rdbuf();
    EXPECT_NE(page.str().find("(inputs #" + std::to_string((*ping)["input_index"].get<int>()) + ", #"), std::string::npos);
    // The count did not cost a finding: the limit (5) was not reached.
    EXPECT_EQ(report["end_reason"], "count");
}

TEST(wscheck_fuzz, without_exec_a_crash_ends_the_run_with_the_finding_saved) {
    const auto port = free_port();
    child_process server({WSCHECK_FRAGILE_SERVER, "--port", std::to_string(port), "--bug", "abort-on-zero-ping"});
    ASSERT_TRUE(server.read_line(10s).has_value());
    const auto out = fresh_dir("noexec");
    const auto r = run({"fuzz", url_of(port), "--seed", "7", "--count", "400", "-o", out.string()});
    EXPECT_EQ(r.status, 1) << r.out << r.err;
    const auto report = read_json(out / "fuzz.json");
    ASSERT_TRUE(report.is_object());
    EXPECT_EQ(report["end_reason"], "target down");
    ASSERT_EQ(report["findings"].size(), 1u);
    EXPECT_EQ(report["findings"][0]["kind"], "crash");
    EXPECT_FALSE(report["findings"][0]["reproduced"].get<bool>()) << "nothing could restart the server";
    EXPECT_TRUE(fs::exists(report["findings"][0]["file"].get<std::string>()));
}

/// Lines of `path` that start with `prefix` (0 when it cannot be read).
std::size_t lines_starting(const fs::path& path, const std::string& prefix) {
    std::ifstream in(path);
    std::size_t n = 0;
    for (std::string line; std::getline(in, line);) {
        n += line.rfind(prefix, 0) == 0 ? 1u : 0u;
    }
    return n;
}

TEST(wscheck_fuzz, ctrl_c_stops_and_still_writes_the_report) {
    const auto port = free_port();
    const auto out = fresh_dir("interrupt");
    child_process fuzz({WSCHECK_BINARY, "fuzz", url_of(port), "--exec", fragile_command(port, "none") + " --log-accepts 1",
                        "--count", "100000000", "--time", "600", "--seed", "1", "-o", out.string()});
    // Ctrl-C once inputs are arriving (the server logs each connection: the liveness checks
    // before the run take two or three), however long the start takes on a busy machine.
    const auto give_up = std::chrono::steady_clock::now() + 60s;
    while (lines_starting(out / "server.log", "accepted ") < 10 && std::chrono::steady_clock::now() < give_up) {
        std::this_thread::sleep_for(20ms);
    }
    fuzz.send_signal(SIGINT);
    const auto status = fuzz.wait(20s);
    ASSERT_TRUE(status.has_value());
    EXPECT_EQ(*status, 2) << fuzz.err();
    const auto report = read_json(out / "fuzz.json");
    ASSERT_TRUE(report.is_object()) << fuzz.out() << fuzz.err();
    EXPECT_TRUE(report["interrupted"].get<bool>());
    EXPECT_GT(report["inputs_sent"].get<std::uint64_t>(), 0u);
}

TEST(wscheck_fuzz, bad_input_is_one_line_and_status_2) {
    expect_one_line_error(run({"fuzz", "http://127.0.0.1:1/"}), "bad URL");
    expect_one_line_error(run({"fuzz"}), "URL");
    expect_one_line_error(run({"fuzz", "ws://127.0.0.1:1/", "--count", "0"}), "--count");
    expect_one_line_error(run({"fuzz", "ws://127.0.0.1:1/", "--jobs", "0"}), "--jobs");
    expect_one_line_error(run({"fuzz", "ws://127.0.0.1:1/", "--time", "-1"}), "--time");
    expect_one_line_error(run({"fuzz", "ws://127.0.0.1:" + std::to_string(free_port()) + "/", "--count", "1", "-o",
                               fresh_dir("unreachable").string()}),
                          "liveness check");
    expect_one_line_error(run({"fuzz", "--replay", "/nonexistent/finding.json", "ws://127.0.0.1:1/"}), "replay");

    const auto dir = fresh_dir("garbled");
    fs::create_directories(dir);
    const auto garbled = dir / "garbled.json";
    std::ofstream(garbled) << "{\"format\": \"wscheck-fuzz-finding\", \"format_version\": 1, \"kind\": \"crash\", "
                              "\"writes\": [{\"pause_ms\": 0, \"hex\": \"zz\"}]}";
    expect_one_line_error(run({"fuzz", "--replay", garbled.string(), "ws://127.0.0.1:1/"}), "hex");
    const auto not_json = dir / "not.json";
    std::ofstream(not_json) << "GET / HTTP/1.1\r\n";
    expect_one_line_error(run({"fuzz", "--replay", not_json.string(), "ws://127.0.0.1:1/"}), "JSON");
    expect_one_line_error(run({"fuzz", "--replay", garbled.string()}), "URL");
    expect_one_line_error(run({"fuzz", "ws://127.0.0.1:1/", "--exec", "exit 7", "-o", fresh_dir("exec").string()}),
                          "exited with status 7");
}

} // namespace
} // namespace wscheck::test
