// wscheck echo-client: the reference client (harness/client) driven through the Autobahn
// Testsuite's client protocol, as every client's test script is:
//
//   wscheck echo-client ws://127.0.0.1:9001 --agent wscheck-reference
//   wscheck echo-client wss://127.0.0.1:9001 --insecure      (or --cacert FILE)
//   wscheck echo-client ws://127.0.0.1:9001 --deflate        (offers permessage-deflate, as `send`)
//
// asks /getCaseCount, runs /runCase?case=N&agent=NAME for N = 1..count echoing every text and
// binary message back, then asks /updateReports. It is the control of `wscheck test-client`:
// a conformant client, so every case there must be OK.
#include "harness/cli/commands.hpp"
#include "harness/cli/deflate_options.hpp"
#include "harness/client/client_error.hpp"
#include "harness/client/reference_client.hpp"

#include <CLI/CLI.hpp>

#include <cctype>
#include <charconv>
#include <iostream>
#include <atomic>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace wscheck::cli {

namespace {

struct echo_args {
    std::string url = "ws://127.0.0.1:9001";
    std::string agent = "wscheck-reference";
    // Above the catalog's longest case: 12.x and 13.x allow 480 s (Autobahn's WAITSECS), and a
    // loaded machine needs them; wscheck bounds every case itself.
    double case_timeout_s = 600;
    unsigned jobs = 1;
    std::string cacert;
    bool insecure = false;
    bool quiet = false;
    deflate_offer_args deflate;
};

using event_kind = proto::session_event::kind;

std::string query_value(const std::string& s) {
    static const char* const hex = "0123456789ABCDEF";
    std::string out;
    for (const char ch : s) {
        const auto c = static_cast<unsigned char>(ch);
        if (std::isalnum(c) != 0 || c == '-' || c == '_' || c == '.' || c == '~') {
            out += ch;
        } else {
            out += '%';
            out += hex[c >> 4];
            out += hex[c & 15];
        }
    }
    return out;
}

client::client_options options_for(const echo_args& args, std::chrono::milliseconds call_timeout) {
    client::client_options o;
    o.timeout = call_timeout;
    o.tls.ca_file = args.cacert;
    o.tls.insecure = args.insecure;
    o.max_message_size = 64 * 1024 * 1024; // 9.x sends 16 MiB messages
    if (const auto offer = args.deflate.offer_to_send()) {
        o.deflate_offers.push_back(*offer);
    }
    return o;
}

/// One connection of the protocol: connects to `target`, answers as an echo client until the
/// connection is over or `limit` passes. Returns the text messages received (getCaseCount's
/// answer), echoing them only when `echo`.
std::vector<std::string> converse(const echo_args& args, const std::string& base, const std::string& target,
                                  bool echo, std::chrono::milliseconds limit) {
    client::reference_client c{options_for(args, std::chrono::milliseconds{10'000})};
    std::vector<std::string> texts;
    if (c.connect(base + target)) {
        return texts; // the handshake was refused or broken: the tester judges that, we go on
    }
    const auto until = std::chrono::steady_clock::now() + limit;
    // Bounded by `limit`: each receive waits at most the client's 10 s call timeout.
    while (std::chrono::steady_clock::now() < until) {
        proto::session_event ev;
        const auto ec = c.receive(ev);
        if (ec == net::timed_out_error()) {
            continue;
        }
        if (ec) {
            break; // connection over
        }
        if (ev.what == event_kind::text) {
            texts.emplace_back(ev.text());
            if (echo && c.send_text(ev.text())) {
                break;
            }
        } else if (ev.what == event_kind::binary) {
            if (echo && c.send_binary(ev.data)) {
                break;
            }
        } else if (ev.what == event_kind::close || ev.what == event_kind::failed) {
            break; // answered by the session; close() below waits for the server's TCP close
        }
    }
    c.close();
    return texts;
}

int run_echo_client(const echo_args& args) {
    std::string base = args.url;
    while (!base.empty() && base.back() == '/') {
        base.pop_back();
    }
    const auto limit = std::chrono::milliseconds(static_cast<long long>(args.case_timeout_s * 1000));
    if (!base.starts_with("wss://") && (args.insecure || !args.cacert.empty())) {
        throw usage_error("--cacert and --insecure apply to wss:// URLs only");
    }
    const auto count_texts = converse(args, base, "/getCaseCount", false, limit);
    long count = -1;
    if (!count_texts.empty()) {
        const auto& t = count_texts.front();
        const auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), count);
        if (ec != std::errc{} || end != t.data() + t.size()) {
            count = -1;
        }
    }
    if (count < 0) {
        throw usage_error("no case count from " + base + "/getCaseCount (is `wscheck test-client` listening there?)");
    }
    const std::string agent = query_value(args.agent);
    // Cases are independent connections: with --jobs, several run at once, each thread taking
    // the next case number (the protocol does not order them; the tester files them by number).
    std::atomic<long> next{1};
    std::mutex print;
    auto work = [&] {
        for (long n = next++; n <= count; n = next++) {
            if (!args.quiet) {
                const std::lock_guard lock{print};
                std::cout << "case " << n << "/" << count << "\n" << std::flush;
            }
            converse(args, base, "/runCase?case=" + std::to_string(n) + "&agent=" + agent, true, limit);
        }
    };
    std::vector<std::thread> threads;
    for (unsigned i = 1; i < args.jobs; ++i) {
        threads.emplace_back(work);
    }
    work();
    for (auto& t : threads) {
        t.join();
    }
    converse(args, base, "/updateReports?agent=" + agent, false, limit);
    return exit_ok;
}

} // namespace

void add_echo_client_command(CLI::App& app, int& status) {
    auto args = std::make_shared<echo_args>();
    auto* cmd = app.add_subcommand(
        "echo-client", "Run the reference client against an Autobahn-protocol fuzzing server (wscheck test-client)");
    cmd->add_option("url", args->url, "The fuzzing server's ws:// URL")->capture_default_str();
    cmd->add_option("-a,--agent", args->agent, "Agent name the results are filed under")->capture_default_str();
    cmd->add_option("--case-timeout", args->case_timeout_s, "Seconds one case may last at most")
        ->check(CLI::Range(1.0, 3600.0))
        ->capture_default_str();
    cmd->add_option("-j,--jobs", args->jobs, "Cases run at once, each on its own connection")
        ->check(CLI::Range(1u, 64u))
        ->capture_default_str();
    cmd->add_option("--cacert", args->cacert, "PEM file of certificates to trust (wss://)");
    cmd->add_flag("-k,--insecure", args->insecure, "Accept any server certificate (wss://)");
    cmd->add_flag("-q,--quiet", args->quiet, "Print nothing");
    add_deflate_offer_options(*cmd, args->deflate);
    cmd->callback([args, &status] { status = run_echo_client(*args); });
}

} // namespace wscheck::cli
