// The wscheck binary as a user meets it: help, serve + send, and bad input (one line on stderr,
// exit status 2, no stack trace).
#include "tests/harness/integration/child_process.hpp"
#include "tests/harness/integration/raw_socket.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <atomic>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include <unistd.h>

#ifndef WSCHECK_JUNIT_XSD
#error "WSCHECK_JUNIT_XSD must name tests/reports/junit.xsd"
#endif

#ifndef WSCHECK_BINARY
#error "WSCHECK_BINARY must name the built wscheck executable"
#endif

namespace wscheck::test {
namespace {

using namespace std::chrono_literals;

struct run_result {
    int status = -1;
    std::string out;
    std::string err;
};

run_result run(const std::vector<std::string>& args) {
    std::vector<std::string> argv;
    argv.reserve(args.size() + 1);
    argv.emplace_back(WSCHECK_BINARY);
    for (const auto& a : args) {
        argv.push_back(a);
    }
    child_process child(argv);
    const auto status = child.wait(30s);
    EXPECT_TRUE(status.has_value()) << "wscheck did not finish";
    return {status.value_or(-1), child.out(), child.err()};
}

// Exit status 2 and exactly one line on stderr, starting "wscheck: " and containing `what`.
void expect_one_line_error(const run_result& r, const std::string& what) {
    EXPECT_EQ(r.status, 2) << r.err;
    ASSERT_FALSE(r.err.empty());
    EXPECT_EQ(r.err.find('\n'), r.err.size() - 1) << "more than one line: " << r.err;
    EXPECT_EQ(r.err.rfind("wscheck: ", 0), 0u) << r.err;
    EXPECT_NE(r.err.find(what), std::string::npos) << r.err;
    EXPECT_EQ(r.err.find("terminate"), std::string::npos) << r.err;
}

// A free port on 127.0.0.1 (bound and released).
std::uint16_t free_port() {
    raw_listener probe;
    return probe.port();
}

// `wscheck serve` in the background; the first stdout line is its URL.
class serve_process {
public:
    explicit serve_process(std::vector<std::string> extra = {}) {
        std::vector<std::string> args{WSCHECK_BINARY, "serve"};
        args.insert(args.end(), extra.begin(), extra.end());
        child_ = std::make_unique<child_process>(args);
        url_ = child_->read_line(10s).value_or("");
    }
    const std::string& url() const { return url_; }
    std::uint16_t port() const {
        const auto colon = url_.rfind(':');
        return static_cast<std::uint16_t>(std::stoi(url_.substr(colon + 1)));
    }
    child_process& process() { return *child_; }

private:
    std::unique_ptr<child_process> child_;
    std::string url_;
};

TEST(cli, help_lists_the_subcommands) {
    const auto r = run({"--help"});
    EXPECT_EQ(r.status, 0);
    EXPECT_NE(r.out.find("serve"), std::string::npos);
    EXPECT_NE(r.out.find("send"), std::string::npos);
    const auto serve = run({"serve", "--help"});
    EXPECT_EQ(serve.status, 0);
    EXPECT_NE(serve.out.find("--max-message-size"), std::string::npos);
    EXPECT_NE(serve.out.find("--idle-timeout"), std::string::npos);
    const auto send = run({"send", "--help"});
    EXPECT_EQ(send.status, 0);
    EXPECT_NE(send.out.find("--insecure"), std::string::npos);
}

TEST(cli, no_subcommand_is_a_usage_error) {
    expect_one_line_error(run({}), "subcommand");
    expect_one_line_error(run({"frobnicate"}), "frobnicate");
    expect_one_line_error(run({"serve", "--port", "notaport"}), "notaport");
}

TEST(cli, serve_prints_its_url_first_and_send_gets_the_echoes) {
    serve_process server;
    ASSERT_EQ(server.url().rfind("ws://127.0.0.1:", 0), 0u) << server.url();
    const auto r = run({"send", server.url(), "hello", "wörld"});
    EXPECT_EQ(r.status, 0) << r.err;
    EXPECT_EQ(r.out, "hello\nwörld\n");
    const auto binary = run({"send", "--binary", "--ping", server.url(), "bytes"});
    EXPECT_EQ(binary.status, 0) << binary.err;
    EXPECT_EQ(binary.out, "pong: wscheck\nbytes\n");
    // -v: the traffic on stderr; the server's echo of "hi" is an unmasked text frame.
    const auto verbose = run({"send", "-v", server.url(), "hi"});
    EXPECT_EQ(verbose.status, 0) << verbose.err;
    EXPECT_NE(verbose.err.find(" > "), std::string::npos) << verbose.err;
    EXPECT_NE(verbose.err.find(" < 4 bytes  81 02 68 69\n"), std::string::npos) << verbose.err;
    // SIGTERM: graceful shutdown, exit 0.
    server.process().send_signal(SIGTERM);
    EXPECT_EQ(server.process().wait(10s), 0);
}

TEST(cli, sigterm_closes_open_sessions_with_1001_and_exits_0) {
    serve_process server;
    raw_socket peer(server.port());
    ASSERT_TRUE(peer.send(valid_request(server.port())));
    const auto head = peer.read_head(5s);
    ASSERT_TRUE(head.has_value());
    ASSERT_EQ(head->rfind("HTTP/1.1 101 ", 0), 0u) << *head;
    server.process().send_signal(SIGTERM);
    // 7.4.1: 1001, the server is going away.
    const auto close = peer.read_frame(5s);
    ASSERT_TRUE(close.has_value());
    EXPECT_EQ(close->header.op, proto::opcode::close);
    ASSERT_GE(close->payload.size(), 2u);
    EXPECT_EQ((close->payload[0] << 8) | close->payload[1], 1001);
    ASSERT_TRUE(peer.send(client_frame(proto::opcode::close, close->payload)));
    // The server closes the connection first (7.1.1); we close our side, as a client does,
    // and the server exits 0.
    EXPECT_TRUE(peer.read_to_eof(5s));
    peer.shutdown_send();
    const auto start = std::chrono::steady_clock::now();
    EXPECT_EQ(server.process().wait(10s), 0);
    EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);
}

TEST(cli, serve_limits_reach_the_server) {
    serve_process server({"--max-message-size", "4", "--idle-timeout", "0.3"});
    // Over the limit: the server closes with 1009 (7.4.1), and send reports the peer's close.
    const auto r = run({"send", server.url(), "12345"});
    EXPECT_EQ(r.status, 1);
    EXPECT_EQ(r.err, "wscheck: the peer closed the connection (code 1009)\n");
    const auto ok = run({"send", server.url(), "1234"});
    EXPECT_EQ(ok.status, 0) << ok.err;
    // Idle past 0.3 s: 1001.
    raw_socket peer(server.port());
    ASSERT_TRUE(peer.send(valid_request(server.port())));
    ASSERT_TRUE(peer.read_head(5s).has_value());
    const auto close = peer.read_frame(5s);
    ASSERT_TRUE(close.has_value());
    ASSERT_GE(close->payload.size(), 2u);
    EXPECT_EQ((close->payload[0] << 8) | close->payload[1], 1001);
    expect_one_line_error(run({"serve", "--idle-timeout", "0"}), "--idle-timeout must be more than 0");
    expect_one_line_error(run({"serve", "--max-message-size", "0"}), "--max-message-size");
}

TEST(cli, serve_over_tls_and_send_with_insecure_or_the_certificate) {
    serve_process server({"--tls"});
    ASSERT_EQ(server.url().rfind("wss://127.0.0.1:", 0), 0u) << server.url();
    const auto r = run({"send", "--insecure", server.url(), "secret"});
    EXPECT_EQ(r.status, 0) << r.err;
    EXPECT_EQ(r.out, "secret\n");
    // Without trust in the self-signed certificate: one line, with the way out.
    const auto refused = run({"send", server.url(), "secret"});
    expect_one_line_error(refused, "certificate verify failed");
    EXPECT_NE(refused.err.find("--insecure"), std::string::npos);
    server.process().send_signal(SIGINT);
    EXPECT_EQ(server.process().wait(10s), 0);
}

TEST(cli, serve_with_given_certificate_files) {
    // Written by OpenSSL's command line tool, as a user would.
    const auto dir = std::filesystem::temp_directory_path() /
                     ("wscheck-cli-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    const auto cert = (dir / "cert.pem").string();
    const auto key = (dir / "key.pem").string();
    ASSERT_TRUE(command_succeeds({"openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                                  "ec_paramgen_curve:P-256", "-nodes", "-days", "1", "-subj",
                                  "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1",
                                  "-keyout", key, "-out", cert}));
    {
        serve_process server({"--cert", cert, "--key", key});
        ASSERT_EQ(server.url().rfind("wss://", 0), 0u) << server.url();
        const auto r = run({"send", "--cacert", cert, server.url(), "trusted"});
        EXPECT_EQ(r.status, 0) << r.err;
        EXPECT_EQ(r.out, "trusted\n");
    }
    std::filesystem::remove_all(dir);
}

TEST(cli, malformed_url) {
    expect_one_line_error(run({"send", "http://127.0.0.1/", "x"}), "unsupported scheme 'http'");
    expect_one_line_error(run({"send", "ws://127.0.0.1:99999/", "x"}), "out of range");
    expect_one_line_error(run({"send", "not a url", "x"}), "not a WebSocket URL");
}

TEST(cli, refused_port) {
    const auto port = free_port();
    expect_one_line_error(run({"send", "ws://127.0.0.1:" + std::to_string(port) + "/", "x"}),
                          "Connection refused");
}

TEST(cli, port_in_use) {
    raw_listener taken;
    expect_one_line_error(run({"serve", "--port", std::to_string(taken.port())}),
                          "Address already in use");
}

TEST(cli, missing_certificate_file) {
    expect_one_line_error(run({"serve", "--cert", "/nonexistent/cert.pem", "--key", "/nonexistent/key.pem"}),
                          "cannot read certificate file '/nonexistent/cert.pem'");
    expect_one_line_error(run({"serve", "--cert", "/nonexistent/cert.pem"}), "--cert and --key");
    expect_one_line_error(run({"send", "--cacert", "/nonexistent/ca.pem", "wss://127.0.0.1:1/", "x"}),
                          "cannot read CA file '/nonexistent/ca.pem'");
}

TEST(cli, send_needs_something_to_send) {
    expect_one_line_error(run({"send", "ws://127.0.0.1:1/"}), "nothing to send");
}

TEST(cli, handshake_refused_by_the_peer_is_a_failure_not_a_usage_error) {
    // A server that answers 404 to everything: the peer failed, exit 1.
    raw_listener listener;
    std::thread peer([&] {
        const int fd = listener.accept(10s);
        if (fd < 0) {
            return;
        }
        raw_socket s(fd);
        s.read_head(5s);
        s.send(std::string("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"));
    });
    const auto r = run({"send", "ws://127.0.0.1:" + std::to_string(listener.port()) + "/", "x"});
    peer.join();
    EXPECT_EQ(r.status, 1) << r.err;
    EXPECT_EQ(r.err, "wscheck: handshake refused: the server answered 404 Not Found instead of 101\n");
}

// ---- wscheck test

std::string temp_dir(const std::string& name) {
    const auto dir = std::filesystem::temp_directory_path() /
                     ("wscheck-cli-" + name + "-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir);
    return dir.string();
}

TEST(cli_test, embedded_server_passes_and_writes_both_reports) {
    const auto out = temp_dir("embedded");
    const auto r = run({"test", "-q", "-c", "1.1,2,5.1-5.3,7.7.1", "-o", out});
    EXPECT_EQ(r.status, 0) << r.out << r.err;
    EXPECT_NE(r.out.find("total"), std::string::npos) << r.out;
    EXPECT_TRUE(std::filesystem::exists(std::filesystem::path{out} / "wscheck-reference.wscheck.json"));
    EXPECT_TRUE(std::filesystem::exists(std::filesystem::path{out} / "index.json"));
    EXPECT_TRUE(std::filesystem::exists(std::filesystem::path{out} / "wscheck_reference_case_7_7_1.json"));
    // The HTML report's header says how the run was made, and never echoes header values.
    std::ifstream html(std::filesystem::path{out} / "index.html");
    std::stringstream page;
    page << html.rdbuf();
    EXPECT_NE(page.str().find("parallel connections: 8"), std::string::npos);
    EXPECT_NE(page.str().find("cases: 1.1,2,5.1-5.3,7.7.1"), std::string::npos);
    std::filesystem::remove_all(out);
}

TEST(cli_test, a_failing_server_exits_1) {
    // Completes no handshake: every case fails, which is the peer's failure, not ours.
    raw_listener listener;
    std::thread peer([&] {
        for (int i = 0; i < 3; ++i) {
            const int fd = listener.accept(10s);
            if (fd < 0) {
                return;
            }
            raw_socket s(fd);
            s.read_head(5s);
            s.send(std::string("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"));
        }
    });
    const auto out = temp_dir("failing");
    const auto r = run({"test", "-c", "1.1.1,1.1.2", "-o", out,
                        "ws://127.0.0.1:" + std::to_string(listener.port()) + "/"});
    peer.join();
    EXPECT_EQ(r.status, 1) << r.out << r.err;
    EXPECT_NE(r.out.find("status 200 instead of 101"), std::string::npos) << r.out;
    std::filesystem::remove_all(out);
}

TEST(cli_test, bad_input_is_one_line_and_exit_2) {
    expect_one_line_error(run({"test", "http://127.0.0.1/"}), "bad URL 'http://127.0.0.1/'");
    expect_one_line_error(run({"test", "ws://127.0.0.1:" + std::to_string(free_port()) + "/"}),
                          "cannot connect to ws://127.0.0.1:");
    expect_one_line_error(run({"test", "-c", "99.*"}), "no case matches '99.*'");
    expect_one_line_error(run({"test", "-c", "5.20-5.1x"}), "--cases");
    expect_one_line_error(run({"test", "-j", "0"}), "--jobs");
    expect_one_line_error(run({"test", "-H", "no colon here"}), "is not 'Name: value'");
}

TEST(cli_test, reads_an_autobahn_spec_file) {
    serve_process server;
    ASSERT_FALSE(server.url().empty());
    const auto dir = temp_dir("spec");
    std::filesystem::create_directories(dir);
    const auto spec = dir + "/fuzzingclient.json";
    std::ofstream(spec) << R"({"outdir": ")" << dir << R"(/out", "servers": [{"agent": "Spec Agent", "url": ")"
                        << server.url() << R"("}], "cases": ["1.1.*", "2.1"], "exclude-cases": ["1.1.8"],
                          "exclude-agent-cases": {"Spec Agent": ["1.1.7"]}})";
    const auto r = run({"test", "-q", "--spec", spec});
    EXPECT_EQ(r.status, 0) << r.out << r.err;
    EXPECT_NE(r.out.find("Spec Agent"), std::string::npos) << r.out;
    std::ifstream index(dir + "/out/index.json");
    std::stringstream read;
    read << index.rdbuf();
    const std::string text = read.str();
    EXPECT_NE(text.find("\"1.1.6\""), std::string::npos) << text;
    EXPECT_NE(text.find("\"2.1\""), std::string::npos) << text;
    EXPECT_EQ(text.find("\"1.1.7\""), std::string::npos) << "excluded for this agent";
    EXPECT_EQ(text.find("\"1.1.8\""), std::string::npos) << "excluded for all";
    expect_one_line_error(run({"test", "--spec", "/nonexistent.json"}), "/nonexistent.json");
    std::ofstream(spec) << "{not json";
    expect_one_line_error(run({"test", "--spec", spec}), "not valid JSON");
    std::filesystem::remove_all(dir);
}


// ---- wscheck report and wscheck compare

std::string read_text(const std::string& file) {
    std::ifstream in(file, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

nlohmann::json read_json(const std::string& file) {
    return nlohmann::json::parse(read_text(file), nullptr, false);
}

/// Cases of a wscheck JSON report that fail on either axis.
std::vector<std::string> failing_ids(const nlohmann::json& report) {
    std::vector<std::string> out;
    for (const auto& c : report["cases"]) {
        if (c["behavior"] == "FAILED" || (c["close_behavior"] != "OK" && c["close_behavior"] != "INFORMATIONAL")) {
            out.push_back(c["id"].get<std::string>());
        }
    }
    return out;
}

/// The number in attribute `name` of the <testsuites> element.
std::size_t testsuites_count(const std::string& xml, const std::string& name) {
    const auto open = xml.find("<testsuites ");
    const auto at = xml.find(" " + name + "=\"", open);
    if (open == std::string::npos || at == std::string::npos || at > xml.find('>', open)) {
        return static_cast<std::size_t>(-1);
    }
    return std::stoul(xml.substr(at + name.size() + 3));
}

/// A server that completes no valid handshake: its 101 carries a wrong Sec-WebSocket-Accept
/// (4.1: the client must fail the connection). Serves until stopped, one connection at a time.
class broken_server {
public:
    broken_server()
        : thread_([this] {
              for (int i = 0; i < 500 && !stop_; ++i) {
                  const int fd = listener_.accept(200ms);
                  if (fd < 0) {
                      continue;
                  }
                  raw_socket s(fd);
                  if (s.read_head(2s)) {
                      s.send(std::string("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                                         "Connection: Upgrade\r\nSec-WebSocket-Accept: d3Jvbmc=\r\n\r\n"));
                  }
              }
          }) {}
    ~broken_server() {
        stop_ = true;
        thread_.join();
    }
    std::string url() const { return "ws://127.0.0.1:" + std::to_string(listener_.port()) + "/"; }

private:
    raw_listener listener_;
    std::atomic<bool> stop_{false};
    std::thread thread_;
};

TEST(cli_report, merges_runs_of_several_agents_into_every_report) {
    const auto dir = temp_dir("report");
    const auto good = run({"test", "-q", "-c", "1.1.1-1.1.3,2.1", "-o", dir + "/good"});
    ASSERT_EQ(good.status, 0) << good.out << good.err;
    {
        broken_server broken;
        const auto bad = run({"test", "-q", "-c", "1.1.1,1.1.2", "-a", "broken", "-o", dir + "/bad", broken.url()});
        ASSERT_EQ(bad.status, 1) << bad.out << bad.err;
    }
    const auto good_json = dir + "/good/wscheck-reference.wscheck.json";
    const auto bad_json = dir + "/bad/broken.wscheck.json";
    const auto out = dir + "/merged";
    const auto r = run({"report", good_json, bad_json, "-o", out, "--junit", out + "/junit.xml", "--markdown",
                        out + "/summary.md"});
    EXPECT_EQ(r.status, 0) << r.out << r.err;
    EXPECT_NE(r.out.find("wscheck-reference"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("broken"), std::string::npos) << r.out;

    // The JSON reports come back as they were read.
    EXPECT_EQ(read_json(out + "/wscheck-reference.wscheck.json"), read_json(good_json));
    EXPECT_EQ(read_json(out + "/broken.wscheck.json"), read_json(bad_json));
    const auto index = read_json(out + "/index.json");
    ASSERT_TRUE(index.is_object()) << read_text(out + "/index.json");
    EXPECT_EQ(index["wscheck-reference"].size(), 4u);
    EXPECT_EQ(index["broken"].size(), 2u);
    EXPECT_TRUE(std::filesystem::exists(out + "/broken_case_1_1_2.json"));
    // The HTML report of both agents, one page.
    const auto html = read_text(out + "/index.html");
    EXPECT_NE(html.find("wscheck-reference"), std::string::npos);
    EXPECT_NE(html.find("broken"), std::string::npos);

    // JUnit: valid against the schema, counts as in the JSON reports.
    const auto xml = read_text(out + "/junit.xml");
    EXPECT_TRUE(command_succeeds({"xmllint", "--noout", "--schema", WSCHECK_JUNIT_XSD, out + "/junit.xml"})) << xml;
    EXPECT_EQ(testsuites_count(xml, "tests"), 6u) << xml;
    EXPECT_EQ(testsuites_count(xml, "failures"),
              failing_ids(read_json(good_json)).size() + failing_ids(read_json(bad_json)).size());
    EXPECT_EQ(testsuites_count(xml, "failures"), 2u);
    EXPECT_NE(xml.find("<testsuite name=\"broken: 1.1 Text Messages\""), std::string::npos) << xml;

    const auto md = read_text(out + "/summary.md");
    EXPECT_NE(md.find("### ✅ `wscheck-reference`: 0 of 4 cases failing"), std::string::npos) << md;
    EXPECT_NE(md.find("### ❌ `broken`: 2 of 2 cases failing"), std::string::npos) << md;

    // The same agent twice: one run, later results replace earlier ones.
    const auto twice = run({"report", "-q", bad_json, bad_json, "--junit", dir + "/twice.xml"});
    EXPECT_EQ(twice.status, 0) << twice.err;
    EXPECT_EQ(testsuites_count(read_text(dir + "/twice.xml"), "tests"), 2u);
    std::filesystem::remove_all(dir);
}

TEST(cli_report, help_lists_report_and_compare) {
    const auto r = run({"--help"});
    EXPECT_NE(r.out.find("report"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("compare"), std::string::npos) << r.out;
    const auto test = run({"test", "--help"});
    EXPECT_NE(test.out.find("--junit"), std::string::npos) << test.out;
    EXPECT_NE(test.out.find("--markdown"), std::string::npos) << test.out;
    const auto compare = run({"compare", "--help"});
    EXPECT_EQ(compare.status, 0);
    EXPECT_NE(compare.out.find("--baseline"), std::string::npos) << compare.out;
    EXPECT_NE(compare.out.find("--time-threshold"), std::string::npos) << compare.out;
}

TEST(cli_report, bad_input_is_one_line_and_exit_2) {
    const auto dir = temp_dir("report-bad");
    std::filesystem::create_directories(dir);
    expect_one_line_error(run({"report", dir + "/missing.json"}), dir + "/missing.json");
    std::ofstream(dir + "/other.json") << R"({"schema": "something-else/1", "cases": []})";
    expect_one_line_error(run({"report", dir + "/other.json"}), "other.json");
    std::ofstream(dir + "/text.json") << "not json at all";
    expect_one_line_error(run({"report", dir + "/text.json"}), "not valid JSON");
    expect_one_line_error(run({"report"}), "reports");
    std::filesystem::remove_all(dir);
}

TEST(cli_compare, on_real_runs_a_regression_and_a_baseline) {
    const auto dir = temp_dir("compare");
    const std::string cases = "1.*,2.*";
    ASSERT_EQ(run({"test", "-q", "-c", cases, "-o", dir + "/a"}).status, 0);
    ASSERT_EQ(run({"test", "-q", "-c", cases, "-o", dir + "/b"}).status, 0);
    const auto a = dir + "/a/wscheck-reference.wscheck.json";
    const auto b = dir + "/b/wscheck-reference.wscheck.json";

    // No change in the server: no regression.
    const auto same = run({"compare", a, b, "--markdown", dir + "/same.md"});
    EXPECT_EQ(same.status, 0) << same.out << same.err;
    EXPECT_NE(same.out.find("No change."), std::string::npos) << same.out;
    EXPECT_NE(same.out.find("0 regressions, 27 unchanged"), std::string::npos) << same.out;
    EXPECT_NE(read_text(dir + "/same.md").find("✅"), std::string::npos);

    // A server that breaks the handshake, filed under the same agent: every case regresses.
    {
        broken_server broken;
        const auto r = run({"test", "-q", "-c", cases, "-a", "wscheck-reference", "-o", dir + "/broken", broken.url()});
        ASSERT_EQ(r.status, 1) << r.out << r.err;
    }
    const auto bad = dir + "/broken/wscheck-reference.wscheck.json";
    const auto failing = failing_ids(read_json(bad));
    ASSERT_EQ(failing.size(), 27u);
    const auto regressed = run({"compare", a, bad});
    EXPECT_EQ(regressed.status, 1) << regressed.out << regressed.err;
    EXPECT_NE(regressed.out.find("27 regressions"), std::string::npos) << regressed.out;
    EXPECT_NE(regressed.out.find("REGRESSION  1.1.1 "), std::string::npos) << regressed.out;
    EXPECT_TRUE(regressed.err.empty()) << regressed.err;
    // Backwards, the same cases are fixed.
    const auto fixed = run({"compare", bad, a});
    EXPECT_EQ(fixed.status, 0) << fixed.out;
    EXPECT_NE(fixed.out.find("27 fixed"), std::string::npos) << fixed.out;

    // A baseline accepting those failures: the gate passes.
    nlohmann::json baseline = {{"accepted", nlohmann::json::array()}};
    for (const auto& id : failing) {
        baseline["accepted"].push_back({{"id", id}, {"reason", "the test server is broken on purpose"}});
    }
    std::ofstream(dir + "/baseline.json") << baseline.dump(2);
    const auto gated = run({"compare", a, bad, "--baseline", dir + "/baseline.json"});
    EXPECT_EQ(gated.status, 0) << gated.out << gated.err;
    EXPECT_NE(gated.out.find("0 regressions, 27 accepted"), std::string::npos) << gated.out;
    // Against the good run, the same baseline is all removable.
    const auto removable = run({"compare", a, b, "--baseline", dir + "/baseline.json"});
    EXPECT_EQ(removable.status, 0);
    EXPECT_NE(removable.out.find("27 removable from baseline"), std::string::npos) << removable.out;

    // Bad input: one line, exit 2.
    std::ofstream(dir + "/no-reason.json") << R"({"accepted": [{"id": "1.1.1"}]})";
    expect_one_line_error(run({"compare", a, bad, "--baseline", dir + "/no-reason.json"}), "has no \"reason\"");
    expect_one_line_error(run({"compare", a, bad, "--baseline", dir + "/none.json"}), "none.json");
    expect_one_line_error(run({"compare", a, dir + "/missing.json"}), "missing.json");
    expect_one_line_error(run({"compare", a, dir + "/baseline.json"}), "baseline.json");
    expect_one_line_error(run({"compare", a, b, "--time-threshold", "-5"}), "--time-threshold");
    expect_one_line_error(run({"compare", a}), "new");
    std::filesystem::remove_all(dir);
}

TEST(cli_test, junit_and_markdown_flags) {
    const auto dir = temp_dir("ci-flags");
    const auto r = run({"test", "-q", "-c", "1.1.1-1.1.4", "-o", dir, "--junit", dir + "/ci/junit.xml", "--markdown",
                        dir + "/ci/summary.md"});
    EXPECT_EQ(r.status, 0) << r.out << r.err;
    const auto xml = read_text(dir + "/ci/junit.xml");
    EXPECT_TRUE(command_succeeds({"xmllint", "--noout", "--schema", WSCHECK_JUNIT_XSD, dir + "/ci/junit.xml"})) << xml;
    EXPECT_EQ(testsuites_count(xml, "tests"), 4u) << xml;
    EXPECT_EQ(testsuites_count(xml, "failures"), 0u) << xml;
    EXPECT_NE(read_text(dir + "/ci/summary.md").find("0 of 4 cases failing"), std::string::npos);
    expect_one_line_error(run({"test", "-q", "-c", "1.1.1", "-o", dir, "--junit", "/proc/nope/junit.xml"}),
                          "/proc/nope");
    std::filesystem::remove_all(dir);
}

} // namespace
} // namespace wscheck::test
