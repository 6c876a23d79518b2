// `wscheck test-client` end to end, through the binary as users run it.
#include <gtest/gtest.h>

#include <chrono>
#include <nlohmann/json.hpp>

#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

#if defined(__SANITIZE_ADDRESS__)
// Under AddressSanitizer at -O0 (ci/build.sh asan) section 9's messages of up to 16 MiB take
// about 37 s through the reference client; the release build runs them.
constexpr bool sanitized = true;
const std::string skip_when_sanitized = "-x '9.*' ";
#else
constexpr bool sanitized = false;
const std::string skip_when_sanitized;
#endif

/// The cases that need permessage-deflate when testing a client: 12, 13, 22.2, 25 and 31.
bool needs_deflate(const std::string& id) {
    return id.starts_with("12.") || id.starts_with("13.") || id.starts_with("22.2.") || id.starts_with("25.") ||
           id.starts_with("31.");
}

struct run {
    int exit_code = -1;
    json report;  ///< <agent>.wscheck.json
    std::string log;
};

/// Runs `wscheck test-client` with `args` (shell words) in a fresh directory and reads the
/// report of `agent`.
run test_client(const std::string& name, const std::string& args, const std::string& agent) {
    const fs::path dir = fs::temp_directory_path() / ("wscheck_client_testing_" + name + "_" + std::to_string(::getpid()));
    fs::remove_all(dir);
    fs::create_directories(dir);
    const std::string cmd = std::string{WSCHECK_BIN} + " test-client --listen 127.0.0.1:0 -q --idle-timeout 60 -o " +
                            (dir / "out").string() + " " + args + " > " + (dir / "log.txt").string() + " 2>&1";
    const int st = std::system(cmd.c_str());
    run r;
    r.exit_code = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    std::ifstream log(dir / "log.txt");
    std::ostringstream text;
    text << log.rdbuf();
    r.log = text.str();
    std::ifstream in(dir / "out" / (agent + ".wscheck.json"));
    if (in) {
        r.report = json::parse(in, nullptr, false);
    }
    fs::remove_all(dir);
    return r;
}

/// `wscheck test-client` on `selection` against tests/support/broken_client with `fault`.
run broken_client(const std::string& fault, const std::string& selection) {
    return test_client("broken_" + fault,
                       selection + " --exec '" + BROKEN_CLIENT_BIN + " {url} {agent} " + fault + "' --agent " + fault,
                       fault);
}

bool failing(const json& c) {
    const auto close = c.value("close_behavior", "");
    return c.value("behavior", "") == "FAILED" || (close != "OK" && close != "INFORMATIONAL");
}

std::set<std::string> failing_ids(const json& report) {
    std::set<std::string> out;
    for (const auto& c : report["cases"]) {
        if (failing(c)) {
            out.insert(c.value("id", ""));
        }
    }
    return out;
}

// The reference client through the Autobahn protocol: the control. Every case of the client
// catalog is OK (strictly: where a valid message and a bad frame arrive in one read, its echo
// goes out before the Close that fails the connection).
TEST(ClientTesting, ReferenceClientPassesEveryCase) {
    const auto r = test_client("reference",
                               skip_when_sanitized + "--exec '" + std::string{WSCHECK_BIN} + " echo-client {url} --agent {agent} -q -j 4' --agent reference",
                               "reference");
    ASSERT_EQ(r.exit_code, 0) << r.log;
    ASSERT_TRUE(r.report.is_object()) << r.log;
    std::size_t count = 0;
    std::size_t unimplemented = 0;
    for (const auto& c : r.report["cases"]) {
        ++count;
        const std::string id = c.value("id", "");
        EXPECT_FALSE(failing(c)) << id << ": " << c.value("reason", "") << " / " << c.value("close_reason", "");
        const std::string behavior = c.value("behavior", "");
        if (needs_deflate(id)) {
            // Without --deflate the client offers no permessage-deflate: those cases cannot run.
            EXPECT_EQ(behavior, "UNIMPLEMENTED") << id << ": " << c.value("reason", "");
            EXPECT_NE(c.value("reason", "").find("The client did not offer permessage-deflate"), std::string::npos)
                << id << ": " << c.value("reason", "");
            ++unimplemented;
            continue;
        }
        EXPECT_TRUE(behavior == "OK" || behavior == "INFORMATIONAL") << id << ": " << behavior << ": " << c.value("reason", "");
    }
    EXPECT_GT(count, sanitized ? 500u : 560u);
    EXPECT_EQ(unimplemented, 90u + 126u + 8u + 9u + 17u) << "12, 13, 22.2, 25 and 31";
}

// permessage-deflate (RFC 7692): the reference client with --deflate through the Autobahn
// protocol, on section 22's frame cases, section 31, and a cut of 12 and 13 (the first sizes of
// 12.1, the first case of each parameter set of 13; the whole of both takes minutes). Every
// case is OK but those its offer makes untestable, each for its reason. Twice: with the
// default offer ("permessage-deflate; client_max_window_bits"), then with one that asks the
// server for a small window without context takeover and limits the client's window, so that
// 31.1.10 to 31.1.12 have a response to refuse.
TEST(ClientTesting, ReferenceClientWithDeflate) {
    const auto check = [](const run& r, const std::map<std::string, std::string>& untestable, std::size_t cases) {
        ASSERT_EQ(r.exit_code, 0) << r.log;
        ASSERT_TRUE(r.report.is_object()) << r.log;
        std::size_t count = 0;
        for (const auto& c : r.report["cases"]) {
            ++count;
            const std::string id = c.value("id", "");
            const std::string behavior = c.value("behavior", "");
            const std::string reason = c.value("reason", "");
            EXPECT_FALSE(failing(c)) << id << ": " << reason << " / " << c.value("close_reason", "");
            if (const auto u = untestable.find(id); u != untestable.end()) {
                EXPECT_EQ(behavior, "UNIMPLEMENTED") << id << ": " << reason;
                EXPECT_NE(reason.find(u->second), std::string::npos) << id << ": " << reason;
                continue;
            }
            EXPECT_TRUE(behavior == "OK" || behavior == "INFORMATIONAL") << id << ": " << behavior << ": " << reason;
            const auto deflate = c.value("deflate", json::object());
            EXPECT_TRUE(deflate.value("offered", false)) << id;
            // Every case but the declined offer (31.2.5) and the responses to refuse runs
            // with the extension agreed.
            if (id != "31.2.5" && !id.starts_with("31.1.")) {
                EXPECT_FALSE(deflate.value("agreed", "").empty()) << id;
            }
        }
        EXPECT_EQ(count, cases);
    };
    const std::string cut = "-c '22,25,31,12.1.1,12.1.2,12.1.3,13.1.1,13.2.1,13.3.1,13.4.1,13.5.1,13.6.1,13.7.1' ";
    const auto plain = test_client("deflate", cut + "--exec '" + std::string{WSCHECK_BIN} +
                                                  " echo-client {url} --agent {agent} -q -j 2 --deflate' --agent deflate",
                                   "deflate");
    check(plain,
          {{"31.1.9", "the client offered client_max_window_bits"},
           {"31.1.10", "no server_max_window_bits below 15"},
           {"31.1.11", "no client_max_window_bits value below 15"},
           {"31.1.12", "does not ask for server_no_context_takeover"}},
          8 + 9 + 17 + 10);
    ASSERT_TRUE(plain.report.is_object());
    for (const auto& c : plain.report["cases"]) {
        // What the 13.x answers ask of the client, as the Autobahn Testsuite's accept3/accept5.
        if (c.value("id", "") == "13.3.1") {
            EXPECT_EQ(c["deflate"].value("response", ""), "permessage-deflate; client_max_window_bits=8");
        } else if (c.value("id", "") == "13.5.1") {
            EXPECT_EQ(c["deflate"].value("response", ""),
                      "permessage-deflate; client_no_context_takeover; client_max_window_bits=8");
        }
    }
    const auto asking = test_client("deflate_asking",
                                    "-c '31' --exec '" + std::string{WSCHECK_BIN} +
                                        " echo-client {url} --agent {agent} -q -j 2 --deflate-server-no-context-takeover "
                                        "--deflate-server-max-window-bits 12 --deflate-client-max-window-bits 12' "
                                        "--agent asking",
                                    "asking");
    check(asking, {{"31.1.9", "the client offered client_max_window_bits"}}, 17);
}

// wss://: the reference client through the Autobahn protocol over TLS, a few sections (the
// framing cases, close, and the client's own duties), first against a fresh self-signed
// certificate it is told to accept (--insecure), then against a certificate given with
// --cert/--key that it verifies (--cacert, host 127.0.0.1 in the subjectAltName).
TEST(ClientTesting, ReferenceClientOverTls) {
    const std::string sections = "-c '1.*,2.*,3.*,5.*,6.1.*,7.1.*,30' ";
    const auto expect_all_ok = [](const run& r) {
        ASSERT_EQ(r.exit_code, 0) << r.log;
        ASSERT_TRUE(r.report.is_object()) << r.log;
        EXPECT_NE(r.report.value("target", "").find("wss://127.0.0.1:"), std::string::npos)
            << r.report.value("target", "");
        std::size_t count = 0;
        for (const auto& c : r.report["cases"]) {
            ++count;
            const std::string behavior = c.value("behavior", "");
            EXPECT_FALSE(failing(c)) << c.value("id", "") << ": " << c.value("reason", "");
            EXPECT_TRUE(behavior == "OK" || behavior == "INFORMATIONAL") << c.value("id", "") << ": " << behavior;
        }
        EXPECT_GT(count, 80u);
    };
    expect_all_ok(test_client("tls_self_signed",
                              sections + "--tls --exec '" + std::string{WSCHECK_BIN} +
                                  " echo-client {url} --agent {agent} -q -j 2 --insecure' --agent tls",
                              "tls"));

    const fs::path dir = fs::temp_directory_path() / ("wscheck_client_testing_cert_" + std::to_string(::getpid()));
    fs::create_directories(dir);
    const std::string cert = (dir / "cert.pem").string();
    const std::string key = (dir / "key.pem").string();
    const std::string make_cert = "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 "
                                  "-subj /CN=localhost -addext subjectAltName=IP:127.0.0.1 "
                                  "-addext basicConstraints=critical,CA:TRUE -keyout " + key + " -out " + cert +
                                  " > /dev/null 2>&1";
    ASSERT_EQ(std::system(make_cert.c_str()), 0) << "openssl req failed (ci/install.sh installs openssl)";
    expect_all_ok(test_client("tls_cert",
                              sections + "--cert " + cert + " --key " + key + " --exec '" + std::string{WSCHECK_BIN} +
                                  " echo-client {url} --agent {agent} -q -j 2 --cacert " + cert + "' --agent tls",
                              "tls"));
    // Without being told to trust it, the client refuses the self-signed certificate: it
    // never gets a case, and the run says so.
    const auto refused = test_client("tls_untrusted",
                                     "-c '1.1.1' --tls --exec '" + std::string{WSCHECK_BIN} +
                                         " echo-client {url} --agent {agent} -q' --agent tls",
                                     "tls");
    EXPECT_EQ(refused.exit_code, 1) << refused.log;
    fs::remove_all(dir);
}

// Each broken client is caught by the cases for its fault and by no other case.
TEST(ClientTesting, BrokenClientsAreCaughtByTheirCasesOnly) {
    const std::string selection = "-c '1.1.1,2.1,3.1,4.1.1,5.3,6.3.1,7.1.1,7.1.3,7.5.1,30' --close-timeout 0.3";
    struct expectation {
        std::set<std::string> must_fail;
        std::set<std::string> may_fail; ///< besides must_fail
    };
    const std::set<std::string> client_sends_frames{"1.1.1", "2.1", "3.1", "4.1.1", "5.3", "6.3.1", "7.1.1", "7.1.3",
                                                    "7.5.1", "30.2.1", "30.2.2", "30.2.3", "30.2.4", "30.2.5",
                                                    "30.3.1", "30.3.2", "30.3.3"};
    const std::map<std::string, expectation> faults{
        {"none", {{}, {}}},
        // 5.1: every frame the client sends is a violation, and nothing else is.
        {"unmasked", {{"1.1.1", "2.1", "7.1.1", "30.2.1", "30.3.1"}, client_sends_frames}},
        // 5.3: caught where the client sends two frames or more (a reused key).
        {"zero-mask", {{"1.1.1", "2.1", "7.1.1", "30.2.1"}, client_sends_frames}},
        {"no-accept-check", {{"30.1.1", "30.1.2", "30.1.3", "30.1.4"}, {}}},
        {"accept-masked", {{"30.3.1", "30.3.2", "30.3.3"}, {}}},
        {"no-utf8-check", {{"6.3.1"}, {}}},
        {"no-close-reply", {{"1.1.1", "2.1", "7.1.1", "30.2.1"}, client_sends_frames}},
    };
    for (const auto& [fault, want] : faults) {
        SCOPED_TRACE(fault);
        const auto r = broken_client(fault, selection);
        ASSERT_TRUE(r.report.is_object()) << r.log;
        EXPECT_EQ(r.exit_code, want.must_fail.empty() ? 0 : 1) << r.log;
        const auto failed = failing_ids(r.report);
        for (const auto& id : want.must_fail) {
            EXPECT_TRUE(failed.count(id) != 0) << id << " was not caught";
        }
        for (const auto& id : failed) {
            EXPECT_TRUE(want.must_fail.count(id) != 0 || want.may_fail.count(id) != 0) << id << " failed unrelated to the fault";
        }
        // A client that refuses every broken handshake correctly is never blamed for them.
        if (fault != "no-accept-check") {
            for (const auto& id : {"30.1.1", "30.1.5", "30.1.9", "30.1.11", "30.1.12"}) {
                EXPECT_TRUE(failed.count(id) == 0) << id;
            }
        }
    }
}

// The permessage-deflate faults: a client that keeps its compression context after agreeing
// client_no_context_takeover is caught where the answer asks for it (13.2, 13.5, 31.2.3) and
// nowhere else; one that takes any response is caught by the responses it must refuse that
// its offer leaves testable (31.1.1-31.1.8). The conformant control gets no FAILED, and
// UNIMPLEMENTED only where its offer ("permessage-deflate; client_max_window_bits") makes a
// response valid (31.1.9-31.1.12).
TEST(ClientTesting, BrokenDeflateClientsAreCaughtByTheirCasesOnly) {
    // Not 22.2.4: this client feeds what it reads to its observer a byte at a time, which for
    // the 1 MiB bomb takes seconds (the reference client runs it).
    const std::string selection = "-c '12.1.1,13.1.1,13.2.1,13.5.1,22,31' -x 22.2.4 --close-timeout 0.3";
    const std::set<std::string> untestable{"31.1.9", "31.1.10", "31.1.11", "31.1.12"};
    const std::map<std::string, std::set<std::string>> faults{
        {"deflate", {}},
        {"deflate-keeps-context", {"13.2.1", "13.5.1", "31.2.3"}},
        {"deflate-accepts-any", {"31.1.1", "31.1.2", "31.1.3", "31.1.4", "31.1.5", "31.1.6", "31.1.7", "31.1.8"}},
    };
    for (const auto& [fault, must_fail] : faults) {
        SCOPED_TRACE(fault);
        const auto r = broken_client(fault, selection);
        ASSERT_TRUE(r.report.is_object()) << r.log;
        EXPECT_EQ(r.exit_code, must_fail.empty() ? 0 : 1) << r.log;
        EXPECT_EQ(failing_ids(r.report), must_fail);
        std::size_t count = 0;
        for (const auto& c : r.report["cases"]) {
            ++count;
            const std::string id = c.value("id", "");
            EXPECT_EQ(c.value("behavior", "") == "UNIMPLEMENTED", untestable.count(id) != 0)
                << id << ": " << c.value("reason", "");
        }
        EXPECT_EQ(count, 4u + 7u + 17u);
    }
}

// A client that never connects, one that crashes after two cases, and one that hangs: the
// run ends, and every case it did not run is listed as not run with the reason.
TEST(ClientTesting, ClientsThatCrashHangOrNeverConnect) {
    {
        const auto r = test_client("never", "-c '1.1' --exec 'exit 3' --agent never", "never");
        ASSERT_TRUE(r.report.is_object()) << r.log;
        EXPECT_EQ(r.exit_code, 1);
        ASSERT_EQ(r.report["cases"].size(), 8u);
        EXPECT_NE(r.report["cases"][0].value("reason", "").find("exited with status 3 without connecting"),
                  std::string::npos)
            << r.report["cases"][0].value("reason", "");
    }
    {
        // Runs cases 1 and 2 of 8, then aborts during case 3.
        const auto r = test_client("crash", "-c '1.1' --exec '" + std::string{BROKEN_CLIENT_BIN} +
                                                " {url} {agent} crash' --agent crash",
                                   "crash");
        ASSERT_TRUE(r.report.is_object()) << r.log;
        EXPECT_EQ(r.exit_code, 1) << r.log;
        const auto& cases = r.report["cases"];
        ASSERT_EQ(cases.size(), 8u);
        EXPECT_FALSE(failing(cases[0]));
        EXPECT_FALSE(failing(cases[1]));
        EXPECT_TRUE(failing(cases[2])) << "the client died during case 3";
        EXPECT_EQ(cases[2].value("reason", "").find("Not run"), std::string::npos);
        for (std::size_t i = 3; i < 8; ++i) {
            const auto reason = cases[i].value("reason", "");
            EXPECT_EQ(reason.find("Not run"), 0u) << reason;
            // sh runs the command in place (signal 6), or reports it as status 134.
            EXPECT_TRUE(reason.find("signal 6") != std::string::npos || reason.find("status 134") != std::string::npos)
                << reason;
        }
    }
    {
        const auto r = test_client("hang", "-c '1.1.1' --exec 'sleep 30' --exec-timeout 1 --agent hang", "hang");
        ASSERT_TRUE(r.report.is_object()) << r.log;
        EXPECT_EQ(r.exit_code, 1);
        EXPECT_NE(r.report["cases"][0].value("reason", "").find("--exec-timeout"), std::string::npos)
            << r.report["cases"][0].value("reason", "");
    }
    {
        // No --exec-timeout: the limit is the selected case's own (1 s), plus its handshake
        // (1 s here), close (0.5 s) and a second to connect: 3.5 s, not a fixed default.
        const auto started = std::chrono::steady_clock::now();
        const auto r = test_client("hang_default",
                                   "-c '1.1.1' --exec 'sleep 30' --handshake-timeout 1 --close-timeout 0.5 "
                                   "--agent hang_default",
                                   "hang_default");
        const auto took = std::chrono::steady_clock::now() - started;
        ASSERT_TRUE(r.report.is_object()) << r.log;
        EXPECT_EQ(r.exit_code, 1);
        const auto reason = r.report["cases"][0].value("reason", "");
        EXPECT_NE(reason.find("still running after 3 s, the selected cases' time limits added up"), std::string::npos)
            << reason;
        EXPECT_LT(took, std::chrono::seconds{25}) << "ended by the cases' limit, not by sleep 30";
    }
}

} // namespace
