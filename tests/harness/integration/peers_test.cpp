// Third-party peers: Python's `websockets` and Node's `ws`, as clients of the reference server
// and as servers for the reference client (scripts in tests/peers/). A missing peer skips the
// test with the reason, unless the environment variable CI is set: then it fails.
#include "harness/client/reference_client.hpp"
#include "harness/net/tls.hpp"
#include "harness/server/reference_server.hpp"
#include "tests/harness/integration/child_process.hpp"
#include "tests/harness/integration/echo_exchange.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <optional>
#include <fstream>

#ifndef WSCHECK_SOURCE_DIR
#error "WSCHECK_SOURCE_DIR must name the source tree (tests/peers/ holds the peer scripts)"
#endif

namespace wscheck::test {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

const std::string source_dir = WSCHECK_SOURCE_DIR;
const std::string python = "/usr/bin/python3";

std::string script(const std::string& name) { return source_dir + "/tests/peers/" + name; }

std::string node_modules() {
    const char* env = std::getenv("NODE_PATH");
    return env != nullptr && *env != '\0' ? env : source_dir + "/build-peers/node/node_modules";
}

std::vector<std::string> node_env() { return {"NODE_PATH=" + node_modules()}; }

// Why a peer cannot run, or "" when it can. Probed once per process.
const std::string& python_missing() {
    static const std::string why = [] {
        if (!fs::exists(python)) {
            return python + " not found";
        }
        if (!command_succeeds({python, "-c", "import websockets"})) {
            return std::string("python3-websockets is not installed (import websockets failed)");
        }
        return std::string();
    }();
    return why;
}

const std::string& node_missing() {
    static const std::string why = [] {
        if (!command_succeeds({"node", "--version"})) {
            return std::string("node not found in PATH");
        }
        if (!command_succeeds({"node", "-e", "require('ws')"}, node_env())) {
            return "the ws module is not in " + node_modules() + " (run ci/install.sh)";
        }
        return std::string();
    }();
    return why;
}

#define REQUIRE_PEER(missing, name)                                                            \
    do {                                                                                       \
        if (!(missing).empty()) {                                                              \
            if (running_in_ci()) {                                                             \
                FAIL() << name << " is required when CI is set: " << (missing);                \
            }                                                                                  \
            GTEST_SKIP() << name << " unavailable: " << (missing);                            \
        }                                                                                      \
    } while (false)

// A temporary directory removed at the end of the test.
class temp_dir {
public:
    temp_dir() {
        std::string pattern = (fs::temp_directory_path() / "wscheck-peers-XXXXXX").string();
        if (mkdtemp(pattern.data()) == nullptr) {
            throw std::runtime_error("mkdtemp failed");
        }
        path_ = pattern;
    }
    ~temp_dir() {
        std::error_code ignored;
        fs::remove_all(path_, ignored);
    }
    std::string write(const std::string& name, const std::string& text) const {
        const auto file = (path_ / name).string();
        std::ofstream(file) << text;
        return file;
    }

private:
    fs::path path_;
};

// ---- third-party clients against the reference server

void run_client_against_reference(std::vector<std::string> argv, std::vector<std::string> env,
                                  bool tls, bool deflate = false) {
    server::server_options options;
    options.tls = tls;
    if (deflate) {
        // The peer script checks that permessage-deflate was agreed (tests/peers/README.md).
        options.deflate = proto::deflate_server_policy{};
        env.push_back("WSCHECK_PEER_DEFLATE=1");
    }
    server::background_server server(options);
    temp_dir dir;
    argv.push_back(server.url());
    if (tls) {
        argv.push_back(dir.write("ca.pem", server.certificate_pem()));
    }
    child_process peer(argv, env);
    const auto status = peer.wait(120s);
    ASSERT_TRUE(status.has_value()) << "peer did not finish in 120 s; stderr: " << peer.err();
    EXPECT_EQ(*status, 0) << "stderr: " << peer.err();
    EXPECT_EQ(peer.out(), "OK\n");
}

TEST(peers, python_websockets_client_against_reference_server) {
    REQUIRE_PEER(python_missing(), "Python websockets");
    run_client_against_reference({python, script("python_echo_client.py")}, {}, false);
}

TEST(peers, python_websockets_client_against_reference_server_over_tls) {
    REQUIRE_PEER(python_missing(), "Python websockets");
    run_client_against_reference({python, script("python_echo_client.py")}, {}, true);
}

TEST(peers, node_ws_client_against_reference_server) {
    REQUIRE_PEER(node_missing(), "Node ws");
    run_client_against_reference({"node", script("node_echo_client.js")}, node_env(), false);
}

TEST(peers, node_ws_client_against_reference_server_over_tls) {
    REQUIRE_PEER(node_missing(), "Node ws");
    run_client_against_reference({"node", script("node_echo_client.js")}, node_env(), true);
}

// permessage-deflate (RFC 7692) on both sides, with the same exchange (16 MiB messages too).
TEST(peers, python_websockets_client_against_reference_server_with_deflate) {
    REQUIRE_PEER(python_missing(), "Python websockets");
    run_client_against_reference({python, script("python_echo_client.py")}, {}, false, true);
}

TEST(peers, python_websockets_client_against_reference_server_with_deflate_over_tls) {
    REQUIRE_PEER(python_missing(), "Python websockets");
    run_client_against_reference({python, script("python_echo_client.py")}, {}, true, true);
}

TEST(peers, node_ws_client_against_reference_server_with_deflate) {
    REQUIRE_PEER(node_missing(), "Node ws");
    run_client_against_reference({"node", script("node_echo_client.js")}, node_env(), false, true);
}

TEST(peers, node_ws_client_against_reference_server_with_deflate_over_tls) {
    REQUIRE_PEER(node_missing(), "Node ws");
    run_client_against_reference({"node", script("node_echo_client.js")}, node_env(), true, true);
}

// ---- the reference client against third-party servers

/// The offer the reference client makes by default with --deflate.
proto::deflate_offer usual_offer() {
    proto::deflate_offer offer;
    offer.client_max_window_bits = true;
    return offer;
}

void run_reference_against_server(std::vector<std::string> argv, std::vector<std::string> env,
                                  bool tls, std::optional<proto::deflate_offer> deflate = std::nullopt) {
    temp_dir dir;
    client::client_options options;
    options.timeout = 30s;
    if (deflate) {
        options.deflate_offers = {*deflate};
        env.push_back("WSCHECK_PEER_DEFLATE=1");
    }
    if (tls) {
        const auto pair = net::generate_self_signed();
        argv.push_back(dir.write("cert.pem", pair.cert_pem));
        argv.push_back(dir.write("key.pem", pair.key_pem));
        options.tls.ca_pem = pair.cert_pem; // verification on
    }
    child_process peer(argv, env);
    const auto url = peer.read_line(20s);
    ASSERT_TRUE(url.has_value()) << "the peer printed no URL; stderr: " << peer.err();
    EXPECT_EQ(url->rfind(tls ? "wss://127.0.0.1:" : "ws://127.0.0.1:", 0), 0u) << *url;
    client::reference_client client(options);
    ASSERT_FALSE(client.connect(*url)) << client.error_detail() << "; peer stderr: " << peer.err();
    EXPECT_EQ(client.deflate().has_value(), deflate.has_value())
        << client.response_head().single("Sec-WebSocket-Extensions").value_or("(no extensions)");
    run_echo_exchange(client);
    peer.send_signal(SIGTERM);
    EXPECT_TRUE(peer.wait(10s).has_value());
}

TEST(peers, reference_client_against_python_websockets_server) {
    REQUIRE_PEER(python_missing(), "Python websockets");
    run_reference_against_server({python, script("python_echo_server.py")}, {}, false);
}

TEST(peers, reference_client_against_python_websockets_server_over_tls) {
    REQUIRE_PEER(python_missing(), "Python websockets");
    run_reference_against_server({python, script("python_echo_server.py")}, {}, true);
}

TEST(peers, reference_client_against_node_ws_server) {
    REQUIRE_PEER(node_missing(), "Node ws");
    run_reference_against_server({"node", script("node_echo_server.js")}, node_env(), false);
}

TEST(peers, reference_client_against_node_ws_server_over_tls) {
    REQUIRE_PEER(node_missing(), "Node ws");
    run_reference_against_server({"node", script("node_echo_server.js")}, node_env(), true);
}

TEST(peers, reference_client_against_python_websockets_server_with_deflate) {
    REQUIRE_PEER(python_missing(), "Python websockets");
    run_reference_against_server({python, script("python_echo_server.py")}, {}, false, usual_offer());
}

TEST(peers, reference_client_against_python_websockets_server_with_deflate_over_tls) {
    REQUIRE_PEER(python_missing(), "Python websockets");
    run_reference_against_server({python, script("python_echo_server.py")}, {}, true, usual_offer());
}

TEST(peers, reference_client_against_node_ws_server_with_deflate) {
    REQUIRE_PEER(node_missing(), "Node ws");
    run_reference_against_server({"node", script("node_echo_server.js")}, node_env(), false, usual_offer());
}

TEST(peers, reference_client_against_node_ws_server_with_deflate_over_tls) {
    REQUIRE_PEER(node_missing(), "Node ws");
    run_reference_against_server({"node", script("node_echo_server.js")}, node_env(), true, usual_offer());
}

TEST(peers, reference_client_against_node_ws_server_with_deflate_windows_of_8_bits) {
    // The smallest window both ways: zlib deflates 8 as 9 on our side (deflate_stream.hpp).
    // (Python websockets 10.4 answers server_max_window_bits=8 with 500: its zlib refuses
    // the window; docs/permessage-deflate.md.)
    REQUIRE_PEER(node_missing(), "Node ws");
    proto::deflate_offer offer = usual_offer();
    offer.server_max_window_bits = 8;
    offer.client_max_window_bits_value = 8;
    run_reference_against_server({"node", script("node_echo_server.js")}, node_env(), false, offer);
}

} // namespace
} // namespace wscheck::test
