// wscheck fuzz: send mutated traffic to a running WebSocket server and check after every input
// that it still serves a fresh connection (fuzz/live/engine.hpp, docs/fuzzing.md).
//
//   wscheck fuzz ws://127.0.0.1:9001/ --count 2000 --time 30 --seed 7
//   wscheck fuzz ws://127.0.0.1:9001/ --exec './my-server --port 9001'   restarted after a crash
//   wscheck fuzz ws://127.0.0.1:9001/ --deflate                  compressed traffic (RFC 7692)
//   wscheck fuzz --replay fuzz-out/crash-7-113.json ws://127.0.0.1:9001/
#include "harness/cli/commands.hpp"
#include "fuzz/live/engine.hpp"
#include "harness/net/tls.hpp"
#include "harness/net/url.hpp"
#include "reports/atomic_file.hpp"
#include "reports/encoding.hpp"
#include "reports/fuzz_report.hpp"

#include <CLI/CLI.hpp>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <iostream>
#include <memory>
#include <optional>
#include <random>

namespace wscheck::cli {

namespace {

struct fuzz_args {
    std::string url;
    std::string replay_file;
    std::uint64_t count = 1000;
    double time_s = 20;
    std::optional<std::uint64_t> seed;
    unsigned jobs = 1;
    std::string exec;
    std::string out_dir = "fuzz-out";
    double probe_timeout_s = 2;
    double close_timeout_s = 2;
    double ready_timeout_s = 10;
    bool no_shrink = false;
    std::size_t max_findings = 5;
    std::size_t shrink_attempts = 150;
    double shrink_time_s = 30;
    std::string cacert;
    bool insecure = false;
    bool deflate = false;
    bool quiet = false;
};

// Set by SIGINT/SIGTERM; the engine checks it between inputs. A lock-free atomic is safe to
// store from a signal handler.
std::atomic<bool> stop_requested{false};
static_assert(std::atomic<bool>::is_always_lock_free);

extern "C" void on_stop_signal(int) {
    stop_requested.store(true);
}

/// Ctrl-C and SIGTERM end the run cleanly (the report is still written); the previous
/// handlers come back when this goes out of scope. SIGPIPE needs nothing: Asio writes with
/// MSG_NOSIGNAL, and an ignored SIGPIPE would be inherited by an --exec server.
class stop_signals {
public:
    stop_signals() {
        struct sigaction sa {};
        sa.sa_handler = on_stop_signal;
        sigemptyset(&sa.sa_mask);
        sigaction(SIGINT, &sa, &old_int_);
        sigaction(SIGTERM, &sa, &old_term_);
    }
    ~stop_signals() {
        sigaction(SIGINT, &old_int_, nullptr);
        sigaction(SIGTERM, &old_term_, nullptr);
    }
    stop_signals(const stop_signals&) = delete;
    stop_signals& operator=(const stop_signals&) = delete;

private:
    struct sigaction old_int_ {};
    struct sigaction old_term_ {};
};

std::chrono::milliseconds seconds_arg(double s, const char* name, double max) {
    if (!(s > 0) || s > max) {
        throw usage_error(std::string{name} + " must be more than 0 and at most " + std::to_string(static_cast<long>(max)) +
                          " seconds");
    }
    return std::chrono::milliseconds(static_cast<long long>(s * 1000));
}

/// The target and the engine's options from the arguments (not the budget).
fuzz::fuzz_options base_options(const fuzz_args& args, std::optional<net::ssl::context>& tls) {
    std::string error;
    const auto url = net::parse_ws_url(args.url, error);
    if (!url) {
        throw usage_error("bad URL '" + args.url + "': " + error);
    }
    fuzz::fuzz_options o;
    o.tgt.url = *url;
    if (url->secure) {
        net::tls_client_options to;
        to.ca_file = args.cacert;
        to.insecure = args.insecure;
        tls.emplace(net::make_client_context(to));
        o.tgt.tls = &*tls;
    }
    o.tgt.deflate = args.deflate;
    o.limits.probe_timeout = seconds_arg(args.probe_timeout_s, "--probe-timeout", 600);
    o.limits.close_timeout = seconds_arg(args.close_timeout_s, "--close-timeout", 600);
    o.ready_timeout = seconds_arg(args.ready_timeout_s, "--ready-timeout", 600);
    o.out_dir = args.out_dir;
    o.stop = &stop_requested;
    o.shrink = !args.no_shrink;
    o.shrink_attempts = args.shrink_attempts;
    o.shrink_time = seconds_arg(args.shrink_time_s, "--shrink-time", 3600);
    if (!args.quiet) {
        o.on_log = [](const std::string& line) { std::cerr << "wscheck fuzz: " << line << "\n"; };
    }
    return o;
}

/// Starts the --exec server, when asked; a server that does not come up is a usage error.
std::unique_ptr<fuzz::target_process> start_server(const fuzz_args& args, fuzz::fuzz_options& o) {
    if (args.exec.empty()) {
        return nullptr;
    }
    std::error_code ec;
    std::filesystem::create_directories(args.out_dir, ec);
    auto p = std::make_unique<fuzz::target_process>(args.exec, std::filesystem::path{args.out_dir} / "server.log");
    std::string error;
    if (!p->start(o.tgt.url, o.ready_timeout, error)) {
        throw usage_error(error);
    }
    o.process = p.get();
    return p;
}

/// The liveness check before anything is sent: a target that fails it cannot be fuzzed.
void check_ready(const fuzz::fuzz_options& o, const std::string& url_text) {
    const auto p = fuzz::probe(o.tgt, "wscheck-fuzz-ready", o.limits);
    if (p.what != fuzz::probe_result::status::alive) {
        std::string hint;
        if (o.tgt.url.secure && p.detail.find("certificate") != std::string::npos) {
            hint = " (trust the server's certificate with --cacert FILE, or use --insecure)";
        }
        throw usage_error("cannot fuzz " + url_text + ": it does not pass the liveness check (handshake and echo) " +
                          "before any input: " + p.detail + hint);
    }
}

reports::fuzz_report make_report(const fuzz_args& args, const fuzz::fuzz_options& o, const fuzz::fuzz_outcome& out,
                                 std::chrono::system_clock::time_point started) {
    reports::fuzz_report r;
    r.target = o.tgt.url.to_string();
    r.exec = args.exec;
    r.seed = o.seed;
    r.seed_given = args.seed.has_value();
    r.count = o.count;
    r.time_s = args.time_s;
    r.jobs = o.jobs;
    r.probe_timeout_ms = o.limits.probe_timeout.count();
    r.close_timeout_ms = o.limits.close_timeout.count();
    r.shrink = o.shrink;
    r.deflate = o.tgt.deflate;
    r.started = started;
    r.finished = std::chrono::system_clock::now();
    r.end_reason = out.end_reason;
    r.interrupted = out.interrupted;
    r.inputs_sent = out.inputs_sent;
    r.bytes_sent = out.bytes_sent;
    r.fuzzing_seconds = static_cast<double>(out.fuzzing_time.count()) / 1000.0;
    r.strategies = out.strategies;
    r.restarts = out.restarts;
    r.notes = out.notes;
    for (const auto& f : out.findings) {
        std::vector<std::uint8_t> first;
        for (const auto& w : f.input.writes) {
            first.insert(first.end(), w.bytes.begin(), w.bytes.end());
        }
        first.resize(std::min<std::size_t>(first.size(), 256));
        r.findings.push_back({std::string{fuzz::to_string(f.kind)}, f.detail, f.input.index, f.input.strategy,
                              f.file.string(), f.input.writes.size(), f.input.total_bytes(), f.original_writes,
                              f.original_bytes, f.shrunk, f.reproduced, reports::to_hex(first), f.signature(),
                              f.occurrences, f.occurrence_inputs});
    }
    return r;
}

int run_fuzz_command(const fuzz_args& args) {
    if (args.url.empty()) {
        throw usage_error("fuzz needs the ws:// or wss:// URL of the server to fuzz");
    }
    if (args.count == 0) {
        throw usage_error("--count must be at least 1");
    }
    if (args.jobs == 0 || args.jobs > 64) {
        throw usage_error("--jobs must be between 1 and 64");
    }
    if (args.max_findings == 0) {
        throw usage_error("--max-findings must be at least 1");
    }
    std::optional<net::ssl::context> tls;
    auto o = base_options(args, tls);
    o.count = args.count;
    o.time = seconds_arg(args.time_s, "--time", 86400);
    o.jobs = args.jobs;
    o.max_findings = args.max_findings;
    o.seed = args.seed ? *args.seed : std::random_device{}() * 0x1'0000'0000ull + std::random_device{}();
    if (!args.seed && !args.quiet) {
        std::cout << "seed " << o.seed << " (rerun with --seed " << o.seed << ")" << std::endl;
    }
    std::error_code ec;
    std::filesystem::create_directories(args.out_dir, ec);
    if (ec) {
        throw usage_error("cannot create " + args.out_dir + ": " + ec.message());
    }

    stop_signals signals;
    const auto started = std::chrono::system_clock::now();
    const auto server = start_server(args, o);
    check_ready(o, args.url);
    const auto out = fuzz::run_fuzz(o);
    if (server) {
        server->stop();
    }
    const auto report = make_report(args, o, out, started);
    if (auto e = reports::write_fuzz_report(report, args.out_dir); !e.empty()) {
        throw usage_error(e);
    }

    char rate[32];
    std::snprintf(rate, sizeof rate, "%.1f", report.inputs_per_second());
    std::cout << "wscheck fuzz: " << out.inputs_sent << " inputs in " << report.fuzzing_seconds << " s (" << rate
              << "/s), seed " << o.seed << ": ";
    if (out.findings.empty()) {
        std::cout << "no finding";
    } else {
        std::cout << out.findings.size() << " finding(s)";
        for (const auto& f : out.findings) {
            std::cout << (&f == &out.findings.front() ? " (" : ", ") << fuzz::to_string(f.kind) << ": " << f.file.string();
        }
        std::cout << ")";
    }
    std::cout << "; report in " << (std::filesystem::path{args.out_dir} / "fuzz.json").string() << "\n";
    if (!out.findings.empty()) {
        return exit_failed;
    }
    if (out.interrupted) {
        std::cerr << "wscheck: interrupted; the partial report is in " << args.out_dir << "\n";
        return exit_usage;
    }
    return exit_ok;
}

int run_replay(const fuzz_args& args) {
    if (args.url.empty()) {
        throw usage_error("--replay needs the ws:// or wss:// URL of the server to replay against");
    }
    std::string text;
    if (auto e = reports::read_file(args.replay_file, text, std::size_t{64} << 20); !e.empty()) {
        throw usage_error(e);
    }
    std::string error;
    const auto f = fuzz::finding_from_json(text, error);
    if (!f) {
        throw usage_error(args.replay_file + ": " + error);
    }
    std::optional<net::ssl::context> tls;
    auto o = base_options(args, tls);
    o.seed = f->seed;
    o.tgt.deflate = o.tgt.deflate || f->deflate;
    stop_signals signals;
    const auto server = start_server(args, o);
    check_ready(o, args.url);
    const auto r = fuzz::run_trial(o, f->input, /*confirm_connection_hang=*/true);
    if (server) {
        server->stop();
    }
    if (!r.local_error.empty()) {
        throw usage_error("cannot tell whether it reproduces: " + r.local_error + " (on our side)");
    }
    if (!r.kind) {
        std::cout << "does not reproduce: the server passed the liveness check after the input ("
                  << f->input.writes.size() << " write(s), " << f->input.total_bytes() << " bytes)\n";
        return exit_ok;
    }
    std::cout << "reproduces: " << fuzz::to_string(*r.kind) << ": " << r.detail;
    if (*r.kind != f->kind) {
        std::cout << " (the file recorded a " << fuzz::to_string(f->kind) << ")";
    }
    std::cout << "\n";
    return exit_failed;
}

} // namespace

void add_fuzz_command(CLI::App& app, int& status) {
    auto args = std::make_shared<fuzz_args>();
    auto* cmd = app.add_subcommand(
        "fuzz", "Send mutated traffic to a WebSocket server and check after each input that it still serves "
                "(crash, hang, disconnect); findings are saved as replayable files");
    cmd->add_option("url", args->url, "ws:// or wss:// URL of the server");
    cmd->add_option("-n,--count", args->count, "Inputs to send at most")->capture_default_str();
    cmd->add_option("-t,--time", args->time_s, "Seconds of fuzzing at most")->capture_default_str();
    cmd->add_option("--seed", args->seed, "Seed: the same seed sends the same inputs (default: a random one, printed)");
    cmd->add_option("-j,--jobs", args->jobs, "Parallel connections")->capture_default_str();
    cmd->add_option("--exec", args->exec,
                    "Shell command that starts the server on the URL's port: wscheck starts it, restarts it after "
                    "a crash or hang, and stops it at the end");
    cmd->add_option("-o,--out", args->out_dir, "Directory for findings and fuzz.json/fuzz.html")->capture_default_str();
    cmd->add_option("--replay", args->replay_file, "Send a saved finding again and say whether it reproduces")
        ->check(CLI::ExistingFile);
    cmd->add_option("--probe-timeout", args->probe_timeout_s, "Seconds the liveness check (handshake + echo) may take")
        ->capture_default_str();
    cmd->add_option("--close-timeout", args->close_timeout_s,
                    "Seconds the server has to close an input's connection after our FIN")
        ->capture_default_str();
    cmd->add_option("--ready-timeout", args->ready_timeout_s, "Seconds an --exec server has to start listening")
        ->capture_default_str();
    cmd->add_flag("--no-shrink", args->no_shrink, "Save findings as found, without shrinking them");
    cmd->add_option("--shrink-attempts", args->shrink_attempts, "Trials per finding while shrinking, at most")
        ->capture_default_str();
    cmd->add_option("--shrink-time", args->shrink_time_s, "Seconds per finding while shrinking, at most")
        ->capture_default_str();
    cmd->add_option("--max-findings", args->max_findings, "Stop after this many findings")->capture_default_str();
    cmd->add_option("--cacert", args->cacert, "PEM file of certificates to trust for wss://")->check(CLI::ExistingFile);
    cmd->add_flag("-k,--insecure", args->insecure, "Accept any certificate for wss://");
    cmd->add_flag("--deflate", args->deflate,
                  "Offer permessage-deflate (each window and context-takeover combination in turn) and fuzz "
                  "compressed traffic; the liveness check offers it too");
    cmd->add_flag("-q,--quiet", args->quiet, "Print only the summary line");
    cmd->callback([args, &status] {
        stop_requested.store(false);
        status = args->replay_file.empty() ? run_fuzz_command(*args) : run_replay(*args);
    });
}

} // namespace wscheck::cli
