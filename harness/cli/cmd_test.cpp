// wscheck test: run the case catalog against one or more servers and write the reports.
//
//   wscheck test                                 the embedded reference server (the control)
//   wscheck test --deflate                       the same with permessage-deflate on (12, 13, 22)
//   wscheck test ws://127.0.0.1:9001/ --agent my-server --cases '1.*,5.1-5.20' --exclude '9.*'
//   wscheck test --spec fuzzingclient.json       Autobahn's spec file, as it is
#include "harness/cli/commands.hpp"
#include "harness/cli/test_reports.hpp"
#include "cases/selection.hpp"
#include "harness/net/tls.hpp"
#include "harness/net/url.hpp"
#include "harness/runner/spec_file.hpp"
#include "harness/runner/test_run.hpp"
#include "harness/server/reference_server.hpp"

#include <CLI/CLI.hpp>
#include <boost/asio/signal_set.hpp>

#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>
#include <thread>

namespace wscheck::cli {

namespace {

/// The embedded reference server with --deflate compresses this much of each echo
/// (server_options::deflate_compress_limit).
constexpr std::size_t embedded_deflate_compress_limit = 2 * 1024;

struct test_args {
    std::vector<std::string> urls;
    std::vector<std::string> agents;
    std::string spec_file;
    std::string cases;
    std::string exclude;
    std::string out_dir = "wscheck-report";
    std::string junit_file;
    std::string markdown_file;
    unsigned jobs = 8;
    double connect_timeout_s = 5;
    double handshake_timeout_s = 5;
    double close_timeout_s = 1;
    double write_timeout_s = 10;
    std::string cacert;
    bool insecure = false;
    std::vector<std::string> headers;
    std::string origin;
    std::vector<std::string> protocols;
    bool list = false;
    bool quiet = false;
    bool reference_deflate = false;
};

struct target {
    std::string agent;
    std::string url_text;
    net::ws_url url;
    cases::selection select;
};

std::chrono::milliseconds seconds_option(double s, const char* name) {
    if (!(s > 0) || s > 3600) {
        throw usage_error(std::string{name} + " must be between 0 and 3600 seconds");
    }
    return std::chrono::milliseconds(static_cast<long long>(s * 1000));
}

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        throw usage_error("cannot read " + path);
    }
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

std::string join(const std::vector<std::string>& v) {
    std::string out;
    for (const auto& s : v) {
        out += (out.empty() ? "" : ",") + s;
    }
    return out;
}

cases::selection make_selection(const std::string& include, const std::string& exclude) {
    cases::selection sel;
    std::string error;
    if (!include.empty() && !sel.include(include, error)) {
        throw usage_error("--cases: " + error);
    }
    if (!exclude.empty() && !sel.exclude(exclude, error)) {
        throw usage_error("--exclude: " + error);
    }
    return sel;
}

std::vector<const cases::case_def*> selected_cases(const cases::catalog& cat, const cases::selection& sel) {
    std::vector<std::string> ids;
    std::vector<const cases::case_def*> out;
    for (const auto& c : cat.cases()) {
        ids.push_back(c.id);
        if (sel.selects(c.id)) {
            out.push_back(&c);
        }
    }
    if (const auto none = sel.unmatched(ids); !none.empty()) {
        throw usage_error("no case matches '" + none.front() + "' (wscheck test --list shows the ids)");
    }
    return out;
}

proto::http_field parse_header(const std::string& h) {
    const auto colon = h.find(':');
    if (colon == std::string::npos || colon == 0) {
        throw usage_error("--header '" + h + "' is not 'Name: value'");
    }
    std::string value = h.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) {
        value.erase(value.begin());
    }
    return {h.substr(0, colon), value};
}

/// One TCP (and TLS) connect before the run, so an unreachable target is one clear error
/// instead of a report full of identical failures.
void preflight(const target& t, net::ssl::context* tls, std::chrono::milliseconds timeout) {
    net::asio::io_context io;
    auto s = net::stream::make_client(io, t.url.secure ? tls : nullptr);
    std::error_code result = net::timed_out_error();
    s->async_connect(t.url.host, t.url.port, timeout, [&](std::error_code ec) { result = ec; });
    io.run();
    if (result) {
        throw usage_error("cannot connect to " + t.url_text + ": " +
                          (result == net::timed_out_error() ? std::string{"no answer within "} +
                                                                  std::to_string(timeout.count()) + " ms"
                                                            : result.message()) +
                          (t.url.secure && result.message().find("certificate") != std::string::npos
                               ? " (trust the server's certificate with --cacert FILE, or use --insecure)"
                               : ""));
    }
}

/// The progress of a run: a line redrawn on a terminal, one line per case otherwise.
class progress_printer {
public:
    explicit progress_printer(bool quiet) : quiet_(quiet), tty_(isatty(STDERR_FILENO) == 1) {}

    void on_case(const reports::case_result& r, std::size_t done, std::size_t total) {
        if (quiet_) {
            return;
        }
        const std::string verdict = std::string{cases::to_string(r.behavior)} + "/" +
                                    std::string{cases::to_string(r.close_behavior)};
        if (tty_) {
            std::fprintf(stderr, "\r\033[K[%zu/%zu] %s %s", done, total, r.id.c_str(), verdict.c_str());
            std::fflush(stderr);
        } else {
            std::printf("[%zu/%zu] %-10s %-24s %lld ms\n", done, total, r.id.c_str(), verdict.c_str(),
                        static_cast<long long>(r.duration.count()));
        }
    }
    void end() const {
        if (tty_ && !quiet_) {
            std::fputs("\r\033[K", stderr);
        }
    }

private:
    bool quiet_;
    bool tty_;
};

reports::run_result run_target(const target& t, const test_args& args, const runner::run_options& base,
                               const cases::catalog& cat, bool& interrupted) {
    reports::run_result run;
    run.version = "0.1.0";
    run.agent = t.agent;
    run.target = t.url_text;
    run.started = std::chrono::system_clock::now();

    net::asio::io_context io;
    auto options = base;
    options.connection.url = t.url;
    progress_printer printer{args.quiet};
    auto tr = std::make_shared<runner::test_run>(
        io, options, cat, selected_cases(cat, t.select),
        [&](const reports::case_result& r, std::size_t done, std::size_t total) { printer.on_case(r, done, total); });

    // Ctrl-C: stop starting cases, end the running ones, and write what finished.
    net::asio::signal_set signals(io, SIGINT, SIGTERM);
    signals.async_wait([&](const boost::system::error_code& ec, int) {
        if (!ec) {
            interrupted = true;
            tr->stop();
        }
    });
    tr->start();
    net::run_until(io, [&] { return tr->finished(); }, net::clock::time_point::max());
    signals.cancel();
    printer.end();

    run.finished = std::chrono::system_clock::now();
    run.interrupted = tr->interrupted();
    run.notes = tr->notes();
    run.cases = tr->results();
    return run;
}

/// How the run was made, for the HTML report's header.
std::vector<std::string> settings_lines(const test_args& args) {
    auto secs = [](double s) {
        char buf[32];
        std::snprintf(buf, sizeof buf, "%g s", s);
        return std::string{buf};
    };
    std::vector<std::string> lines{
        "cases: " + (args.cases.empty() ? std::string{"all"} : args.cases) +
            (args.exclude.empty() ? "" : ", excluding " + args.exclude),
        "parallel connections: " + std::to_string(args.jobs),
        "timeouts: connect " + secs(args.connect_timeout_s) + ", handshake " + secs(args.handshake_timeout_s) +
            ", close " + secs(args.close_timeout_s) + ", write " + secs(args.write_timeout_s)};
    if (!args.spec_file.empty()) {
        lines.push_back("spec file: " + args.spec_file);
    }
    if (args.insecure || !args.cacert.empty()) {
        lines.push_back(args.insecure ? "TLS: any certificate accepted (--insecure)" : "TLS: trusting " + args.cacert);
    }
    if (!args.headers.empty() || !args.origin.empty() || !args.protocols.empty()) {
        lines.push_back("extra request headers: " + std::to_string(args.headers.size() + (args.origin.empty() ? 0u : 1u)) +
                        ", subprotocols offered: " + std::to_string(args.protocols.size()));
    }
    return lines;
}

int run_test(test_args& args) {
    const auto& cat = cases::full_catalog();
    if (args.list) {
        const auto sel = make_selection(args.cases, args.exclude);
        for (const auto* c : selected_cases(cat, sel)) {
            std::cout << c->id << "\t" << cat.section_title(c->id) << ": " << c->description << "\n";
        }
        return exit_ok;
    }
    if (args.jobs == 0 || args.jobs > 256) {
        throw usage_error("--jobs must be between 1 and 256");
    }

    runner::run_options base;
    base.jobs = args.jobs;
    auto& conn = base.connection;
    conn.connect_timeout = seconds_option(args.connect_timeout_s, "--connect-timeout");
    conn.handshake_timeout = seconds_option(args.handshake_timeout_s, "--handshake-timeout");
    conn.close_timeout = seconds_option(args.close_timeout_s, "--close-timeout");
    conn.write_timeout = seconds_option(args.write_timeout_s, "--write-timeout");
    for (const auto& h : args.headers) {
        conn.extra_headers.push_back(parse_header(h));
    }
    if (!args.origin.empty()) {
        conn.extra_headers.push_back({"Origin", args.origin});
    }
    conn.subprotocols = args.protocols;

    // The targets: a spec file's servers, then the URLs given; none means the embedded server.
    std::vector<target> targets;
    std::string out_dir = args.out_dir;
    if (!args.spec_file.empty()) {
        std::string error;
        const auto spec = runner::parse_client_spec(read_file(args.spec_file), error);
        if (!spec) {
            throw usage_error(args.spec_file + ": " + error);
        }
        if (!spec->outdir.empty() && args.out_dir == "wscheck-report") {
            out_dir = spec->outdir;
        }
        for (const auto& s : spec->servers) {
            auto excluded = spec->exclude_cases;
            if (const auto it = spec->exclude_agent_cases.find(s.agent); it != spec->exclude_agent_cases.end()) {
                excluded.insert(excluded.end(), it->second.begin(), it->second.end());
            }
            const std::string include = args.cases.empty() ? join(spec->cases) : args.cases;
            std::string exclude = join(excluded);
            if (!args.exclude.empty()) {
                exclude += (exclude.empty() ? "" : ",") + args.exclude;
            }
            targets.push_back({s.agent, s.url, {}, make_selection(include == "*" ? "" : include, exclude)});
        }
    }
    for (std::size_t i = 0; i < args.urls.size(); ++i) {
        targets.push_back({i < args.agents.size() ? args.agents[i] : "", args.urls[i], {},
                           make_selection(args.cases, args.exclude)});
    }
    if (args.agents.size() > args.urls.size() && args.spec_file.empty()) {
        throw usage_error("more --agent names than URLs");
    }

    for (const auto& t : targets) {
        (void)selected_cases(cat, t.select); // a pattern that selects nothing is a usage error
    }

    std::unique_ptr<server::background_server> embedded;
    if (targets.empty()) {
        auto sel = make_selection(args.cases, args.exclude);
        (void)selected_cases(cat, sel);
        // --deflate: permessage-deflate on, with the reference server's defaults, so that the
        // control run covers the compression cases (12, 13, 22; ci/main.sh). Off by default,
        // as `wscheck serve`: those cases are then UNIMPLEMENTED in seconds. Each echo's first
        // 2 KiB are compressed and the rest stored: 12.x and 13.x echo 11 GB, which zlib
        // would compress in minutes, so the control run takes well under one.
        server::server_options reference;
        // Its own threads, so that serving several cases at once uses every core (the cases'
        // echoes, compressed or not, are most of a control run's work).
        reference.threads = std::max(2u, std::thread::hardware_concurrency());
        if (args.reference_deflate) {
            reference.deflate = proto::deflate_server_policy{};
            reference.deflate_compress_limit = embedded_deflate_compress_limit;
        }
        embedded = std::make_unique<server::background_server>(reference);
        targets.push_back({"wscheck-reference", embedded->url(), {}, std::move(sel)});
        if (!args.quiet) {
            std::cout << "Testing the embedded reference server at " << embedded->url() << "\n";
        }
    }

    std::optional<net::ssl::context> tls;
    for (auto& t : targets) {
        std::string error;
        auto url = net::parse_ws_url(t.url_text, error);
        if (!url) {
            throw usage_error("bad URL '" + t.url_text + "': " + error);
        }
        t.url = *url;
        if (t.agent.empty()) {
            t.agent = t.url.host_literal() + ":" + std::to_string(t.url.port);
        }
        if (t.url.secure && !tls) {
            net::tls_client_options to;
            to.ca_file = args.cacert;
            to.insecure = args.insecure;
            tls.emplace(net::make_client_context(to));
        }
    }
    conn.tls = tls ? &*tls : nullptr;
    for (const auto& t : targets) {
        preflight(t, conn.tls, conn.connect_timeout);
    }

    std::vector<reports::run_result> runs;
    bool interrupted = false;
    for (const auto& t : targets) {
        if (!args.quiet) {
            std::cout << "Running " << selected_cases(cat, t.select).size() << " cases against " << t.url_text
                      << " (agent " << t.agent << ", " << args.jobs << " parallel)\n";
        }
        runs.push_back(run_target(t, args, base, cat, interrupted));
        // Written after each target, so an interrupted or crashed run keeps what it finished.
        write_test_reports(out_dir, runs, settings_lines(args));
        if (interrupted) {
            break;
        }
    }
    if (embedded) {
        embedded->stop();
    }
    write_ci_reports(args.junit_file, args.markdown_file, runs);
    const bool failed = print_test_summary(runs, out_dir, args.quiet);
    if (interrupted) {
        std::cerr << "wscheck: interrupted; the partial report is in " << out_dir << "\n";
        return exit_usage;
    }
    return failed ? exit_failed : exit_ok;
}

} // namespace

void add_test_command(CLI::App& app, int& status) {
    auto args = std::make_shared<test_args>();
    auto* cmd = app.add_subcommand(
        "test", "Run the conformance cases against WebSocket servers (default: the embedded reference server)");
    cmd->add_option("urls", args->urls, "ws:// or wss:// URLs of the servers to test");
    cmd->add_option("-a,--agent", args->agents, "Name each URL's results are filed under (repeatable, in URL order)")
        ->allow_extra_args(false);
    cmd->add_option("--spec", args->spec_file, "Read targets and case selection from an Autobahn fuzzingclient.json")
        ->check(CLI::ExistingFile);
    cmd->add_option("-c,--cases", args->cases, "Cases to run: ids, sections, globs, ranges ('1.*,5.1-5.20')");
    cmd->add_option("-x,--exclude", args->exclude, "Cases to leave out, same syntax ('9.*')");
    cmd->add_option("-o,--out", args->out_dir, "Directory for the reports")->capture_default_str();
    cmd->add_option("--junit", args->junit_file, "Also write JUnit XML for CI to FILE");
    cmd->add_option("--markdown", args->markdown_file,
                    "Also write a Markdown summary to FILE (e.g. \"$GITHUB_STEP_SUMMARY\")");
    cmd->add_option("-j,--jobs", args->jobs, "Cases run in parallel (serial ones always run alone)")
        ->capture_default_str();
    cmd->add_option("--connect-timeout", args->connect_timeout_s, "Seconds for TCP (and TLS) connect")
        ->capture_default_str();
    cmd->add_option("--handshake-timeout", args->handshake_timeout_s, "Seconds for the opening handshake")
        ->capture_default_str();
    cmd->add_option("--close-timeout", args->close_timeout_s,
                    "Seconds the server has to answer a Close and then to close TCP")
        ->capture_default_str();
    cmd->add_option("--write-timeout", args->write_timeout_s, "Seconds a write may make no progress")
        ->capture_default_str();
    cmd->add_option("--cacert", args->cacert, "PEM file of certificates to trust for wss://")
        ->check(CLI::ExistingFile);
    cmd->add_flag("-k,--insecure", args->insecure, "Accept any certificate for wss://");
    cmd->add_option("-H,--header", args->headers, "Extra request header 'Name: value' (repeatable)")
        ->allow_extra_args(false);
    cmd->add_option("--origin", args->origin, "Origin header to send");
    cmd->add_option("--protocol", args->protocols, "Subprotocol to offer (repeatable)")
        ->allow_extra_args(false);
    cmd->add_flag("--list", args->list, "List the selected cases and exit");
    cmd->add_flag("-q,--quiet", args->quiet, "Print only the summary");
    cmd->add_flag("--deflate", args->reference_deflate,
                  "With no URL: the embedded reference server accepts permessage-deflate, so sections 12, 13 "
                  "and 22 run instead of being UNIMPLEMENTED (minutes: 12 and 13 send 216,000 compressed echoes)");
    cmd->callback([args, &status] { status = run_test(*args); });
}

} // namespace wscheck::cli
