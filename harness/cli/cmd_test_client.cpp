// wscheck test-client: wscheck becomes the server and plays the catalog against the WebSocket
// client that connects, through the Autobahn Testsuite's client protocol (its fuzzingserver):
//
//   wscheck test-client                                   listen on 127.0.0.1:9001, wait
//   wscheck test-client --exec 'python3 my_client.py {url}' --agent my-client
//   wscheck test-client --spec fuzzingserver.json         Autobahn's spec file, as it is
//   wscheck test-client --tls                             wss:// with a fresh self-signed
//                                                         certificate (or --cert/--key)
//
// When the run ends (docs/testing-clients.md):
//   - with --exec: when the started client exits (plus a short grace for its last connection)
//     or when --exec-timeout passes (the client's process group is then killed);
//   - without: once every agent seen has asked /updateReports (and at least --agents did) and
//     no connection is open;
//   - in both: on Ctrl-C / SIGTERM (reports still written), or after --idle-timeout seconds
//     with no connection open.
#include "harness/cli/commands.hpp"
#include "harness/cli/test_reports.hpp"
#include "cases/selection.hpp"
#include "harness/net/tls.hpp"
#include "harness/runner/client_listener.hpp"
#include "harness/runner/client_process.hpp"
#include "harness/runner/spec_file.hpp"
#include "harness/runner/test_run.hpp"

#include <CLI/CLI.hpp>
#include <boost/asio/signal_set.hpp>

#include <csignal>
#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>
#include <optional>

namespace wscheck::cli {

namespace {

struct client_test_args {
    std::string listen = "127.0.0.1:9001";
    std::string spec_file;
    std::string cases;
    std::string exclude;
    std::string out_dir = "wscheck-client-report";
    std::string junit_file;
    std::string markdown_file;
    std::string exec;
    std::string agent = "client";
    unsigned agents = 1;
    double exec_timeout_s = 0; ///< 0: the selected cases' time limits added up (exec_budget)
    double idle_timeout_s = 60;
    double handshake_timeout_s = 5;
    double close_timeout_s = 1;
    double write_timeout_s = 10;
    bool tls = false;
    std::string cert_file;
    std::string key_file;
    bool list = false;
    bool quiet = false;
};

std::chrono::milliseconds ms_of(double seconds) {
    return std::chrono::milliseconds(static_cast<long long>(seconds * 1000));
}

/// How long a client that runs the selected cases one after the other may take at most: each
/// case's own limit, its opening and closing handshakes, and a second to connect for the next.
/// A fixed default would cut off a real client in the middle of 12 and 13 (1000 messages per
/// case, up to 480 s each), while a client that hangs is already ended sooner, by a case's
/// limit or by --idle-timeout; this only bounds the whole run.
std::chrono::milliseconds exec_budget(const std::vector<const cases::case_def*>& selected,
                                      const runner::listener_options& lo) {
    std::chrono::milliseconds total{0};
    for (const auto* c : selected) {
        total += std::max(c->timeout, c->deadline.value_or(c->timeout)) + lo.connection.handshake_timeout +
                 lo.connection.close_timeout + std::chrono::seconds{1};
    }
    return total;
}

/// Autobahn's agent patterns: '*' matches any run of characters, the rest literally.
bool agent_matches(std::string_view pattern, std::string_view name) {
    if (pattern.empty()) {
        return name.empty();
    }
    if (pattern.front() == '*') {
        for (std::size_t skip = 0; skip <= name.size(); ++skip) {
            if (agent_matches(pattern.substr(1), name.substr(skip))) {
                return true;
            }
        }
        return false;
    }
    return !name.empty() && pattern.front() == name.front() && agent_matches(pattern.substr(1), name.substr(1));
}

/// "127.0.0.1:9001", "[::1]:9001", "ws://127.0.0.1:9001", "wss://..." -> host and port.
std::pair<std::string, std::uint16_t> parse_listen(std::string text) {
    if (text.starts_with("ws://")) {
        text.erase(0, 5);
    } else if (text.starts_with("wss://")) {
        text.erase(0, 6);
    }
    while (!text.empty() && text.back() == '/') {
        text.pop_back();
    }
    const auto colon = text.rfind(':');
    if (colon == std::string::npos) {
        throw usage_error("--listen '" + text + "' is not HOST:PORT");
    }
    std::string host = text.substr(0, colon);
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
        host = host.substr(1, host.size() - 2);
    }
    unsigned long port = 0;
    try {
        std::size_t used = 0;
        port = std::stoul(text.substr(colon + 1), &used);
        if (used != text.size() - colon - 1) {
            port = 70000;
        }
    } catch (const std::exception&) {
        port = 70000;
    }
    if (port > 65535) {
        throw usage_error("--listen '" + text + "': the port must be a number from 0 to 65535");
    }
    return {host, static_cast<std::uint16_t>(port)};
}

std::string slurp(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        throw usage_error("cannot read " + path);
    }
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::string comma_joined(const std::vector<std::string>& parts) {
    std::string out;
    for (const auto& p : parts) {
        out += (out.empty() ? "" : ",") + p;
    }
    return out;
}

/// Replaces every "{name}" in `text` by `value`.
std::string substitute(std::string text, std::string_view name, std::string_view value) {
    const std::string key = "{" + std::string{name} + "}";
    for (auto at = text.find(key); at != std::string::npos; at = text.find(key, at + value.size())) {
        text.replace(at, key.size(), value);
    }
    return text;
}

struct run_end {
    bool ended = false;
    bool interrupted = false;
    std::string why;  ///< for cases never run: "the client exited with status 1"
};

int run_test_client(client_test_args& args) {
    const auto& cat = cases::client_catalog();
    std::map<std::string, std::vector<std::string>> agent_excludes;
    std::string listen = args.listen;
    std::string out_dir = args.out_dir;
    std::string include = args.cases;
    std::string exclude = args.exclude;
    if (!args.spec_file.empty()) {
        std::string error;
        const auto spec = runner::parse_server_spec(slurp(args.spec_file), error);
        if (!spec) {
            throw usage_error(args.spec_file + ": " + error);
        }
        if (!spec->url.empty() && args.listen == "127.0.0.1:9001") {
            listen = spec->url;
        }
        if (!spec->outdir.empty() && args.out_dir == "wscheck-client-report") {
            out_dir = spec->outdir;
        }
        if (include.empty() && !(spec->cases.size() == 1 && spec->cases.front() == "*")) {
            include = comma_joined(spec->cases);
        }
        const std::string spec_exclude = comma_joined(spec->exclude_cases);
        exclude = exclude.empty() ? spec_exclude : spec_exclude.empty() ? exclude : spec_exclude + "," + exclude;
        agent_excludes = spec->exclude_agent_cases;
    }
    cases::selection sel;
    std::string error;
    if ((!include.empty() && !sel.include(include, error)) || (!exclude.empty() && !sel.exclude(exclude, error))) {
        throw usage_error("case selection: " + error);
    }
    std::vector<const cases::case_def*> selected;
    std::vector<std::string> ids;
    for (const auto& c : cat.cases()) {
        ids.push_back(c.id);
        if (sel.selects(c.id)) {
            selected.push_back(&c);
        }
    }
    if (const auto none = sel.unmatched(ids); !none.empty()) {
        throw usage_error("no case matches '" + none.front() + "' (wscheck test-client --list shows the ids)");
    }
    if (args.list) {
        for (std::size_t i = 0; i < selected.size(); ++i) {
            std::cout << i + 1 << "\t" << selected[i]->id << "\t" << cat.section_title(selected[i]->id) << ": "
                      << selected[i]->description << "\n";
        }
        return exit_ok;
    }
    if (selected.empty()) {
        throw usage_error("the selection holds no case");
    }
    std::map<std::string, cases::selection> exclusions;
    for (const auto& [agent, patterns] : agent_excludes) {
        cases::selection s;
        if (!s.include(comma_joined(patterns), error)) {
            throw usage_error("exclude-agent-cases for '" + agent + "': " + error);
        }
        exclusions.emplace(agent, std::move(s));
    }

    runner::listener_options lo;
    std::tie(lo.host, lo.port) = parse_listen(listen);
    // wss://: a certificate given, or a fresh self-signed one, as `wscheck serve --tls`.
    if (args.cert_file.empty() != args.key_file.empty()) {
        throw usage_error("--cert and --key go together");
    }
    const bool tls = args.tls || !args.cert_file.empty() || listen.starts_with("wss://");
    std::optional<net::ssl::context> tls_context;
    if (tls) {
        // Throws setup_error (main reports it) when a file does not load or OpenSSL fails.
        tls_context.emplace(net::make_server_context(args.cert_file.empty()
                                                         ? net::generate_self_signed()
                                                         : net::load_certificate_files(args.cert_file, args.key_file)));
        lo.tls = &*tls_context;
    }
    lo.connection.handshake_timeout = ms_of(args.handshake_timeout_s);
    lo.connection.close_timeout = ms_of(args.close_timeout_s);
    lo.connection.write_timeout = ms_of(args.write_timeout_s);

    net::asio::io_context io;
    const auto started = std::chrono::system_clock::now();
    std::vector<reports::run_result> runs;
    auto listener = std::make_shared<runner::client_listener>(
        io, lo, cat, selected,
        [&exclusions](const std::string& agent, const std::string& id) {
            for (const auto& [pattern, s] : exclusions) {
                if (agent_matches(pattern, agent) && s.selects(id)) {
                    return true;
                }
            }
            return false;
        },
        runner::client_listener::callbacks{});

    const std::string settings_cases = (include.empty() ? std::string{"all"} : include) +
                                       (exclude.empty() ? "" : ", excluding " + exclude);
    // The reports of every agent so far; `why` names the cases not (yet) run.
    auto build_runs = [&](const std::string& why, bool interrupted) {
        std::vector<reports::run_result> out;
        for (const auto& a : listener->agents()) {
            reports::run_result run;
            run.version = "0.1.0";
            run.agent = a.name;
            run.target = "client under test, connecting to " + listener->url();
            run.started = a.first_seen;
            run.finished = std::chrono::system_clock::now();
            run.interrupted = interrupted;
            for (std::size_t i = 0; i < selected.size(); ++i) {
                if (a.excluded.count(i) != 0) {
                    continue; // excluded for this agent by the spec file, as in Autobahn's reports
                }
                if (a.results[i]) {
                    run.cases.push_back(*a.results[i]);
                } else if (!why.empty()) {
                    run.cases.push_back(runner::not_run_result(
                        *selected[i], std::string{cat.section_title(selected[i]->id)},
                        "the client never ran this case (runCase?case=" + std::to_string(i + 1) + "); " + why));
                }
            }
            out.push_back(std::move(run));
        }
        return out;
    };
    std::vector<std::string> settings{"role: testing clients (wscheck is the server)",
                                      "cases: " + settings_cases};
    if (!args.exec.empty()) {
        settings.push_back("client command: " + args.exec);
    }
    if (!args.spec_file.empty()) {
        settings.push_back("spec file: " + args.spec_file);
    }
    listener->set_callbacks({[&](const runner::agent_record& a, const reports::case_result& r) {
                                 if (!args.quiet) {
                                     std::cout << "[" << a.name << "] " << r.id << " " << cases::to_string(r.behavior)
                                               << "/" << cases::to_string(r.close_behavior) << " "
                                               << r.duration.count() << " ms\n" << std::flush;
                                 }
                             },
                             [&](const runner::agent_record&) {
                                 write_test_reports(out_dir, build_runs("", false), settings);
                             }});

    std::string detail;
    if (listener->listen(detail)) {
        throw usage_error(detail);
    }
    if (!args.quiet) {
        std::cout << "Serving " << selected.size() << " cases to clients at " << listener->url()
                  << " (Autobahn client protocol: /getCaseCount, /runCase?case=N&agent=NAME, /updateReports?agent=NAME)\n"
                  << std::flush;
    }

    std::optional<runner::client_process> child;
    if (!args.exec.empty()) {
        const std::string command = substitute(substitute(args.exec, "url", listener->url()), "agent", args.agent);
        auto started_child = runner::client_process::start(command, error);
        if (!started_child) {
            throw usage_error(error);
        }
        child.emplace(std::move(*started_child));
    }

    run_end end;
    net::asio::signal_set signals(io, SIGINT, SIGTERM);
    signals.async_wait([&](const boost::system::error_code& ec, int) {
        if (!ec) {
            end = {true, true, "the run was interrupted (Ctrl-C)."};
        }
    });
    const auto exec_limit = args.exec_timeout_s > 0 ? ms_of(args.exec_timeout_s) : exec_budget(selected, lo);
    const auto exec_deadline = std::chrono::steady_clock::now() + exec_limit;
    std::optional<std::chrono::steady_clock::time_point> exited_at;
    // Checked every 50 ms: whether the run is over (see the top of this file).
    net::asio::steady_timer tick(io);
    std::function<void()> check = [&] {
        if (end.ended) {
            return;
        }
        const auto now = std::chrono::steady_clock::now();
        const bool quiet_now = listener->open_connections() == 0;
        if (child) {
            if (!exited_at && child->exited()) {
                exited_at = now;
            }
            // A client that exited may leave its last connection for us to finish: a grace
            // of the close timeout and a second.
            if (exited_at && (quiet_now || now - *exited_at > lo.connection.close_timeout + std::chrono::seconds{1})) {
                end = {true, false, listener->accepted() == 0 ? "the client " + child->describe_exit() + " without connecting."
                                                              : "the client " + child->describe_exit() + "."};
            } else if (!exited_at && now > exec_deadline) {
                child->kill_group();
                const std::string limit =
                    std::to_string(std::chrono::duration_cast<std::chrono::seconds>(exec_limit).count()) + " s";
                end = {true, false, args.exec_timeout_s > 0
                                        ? "the client was still running after --exec-timeout (" + limit + ") and was killed."
                                        : "the client was still running after " + limit + ", the selected cases' time "
                                          "limits added up (--exec-timeout sets another), and was killed."};
            }
        } else {
            const auto& agents = listener->agents();
            const bool all_reported = !agents.empty() && agents.size() >= args.agents &&
                                      std::all_of(agents.begin(), agents.end(),
                                                  [](const runner::agent_record& a) { return a.reports_requested; });
            if (all_reported && quiet_now) {
                end = {true, false, "the client asked for the reports without running it."};
            }
        }
        if (!end.ended && quiet_now && now - listener->last_activity() > ms_of(args.idle_timeout_s)) {
            end = {true, false, "no client connected for --idle-timeout (" +
                                    std::to_string(static_cast<long long>(args.idle_timeout_s)) + " s)."};
        }
        if (end.ended) {
            return;
        }
        tick.expires_after(std::chrono::milliseconds{50});
        tick.async_wait([&](const boost::system::error_code& ec) {
            if (!ec) {
                check();
            }
        });
    };
    check();
    net::run_until(io, [&] { return end.ended; }, net::clock::time_point::max());
    signals.cancel();
    tick.cancel();
    listener->stop();
    if (child) {
        child->kill_group();
    }

    runs = build_runs(end.why, end.interrupted);
    if (runs.empty() && child) {
        // It never connected: every case is filed as not run, under the agent name given.
        reports::run_result run;
        run.version = "0.1.0";
        run.agent = args.agent;
        run.target = "client under test, started with --exec";
        run.started = started;
        run.finished = std::chrono::system_clock::now();
        run.notes.push_back("The client never connected: " + end.why);
        for (const auto* c : selected) {
            run.cases.push_back(runner::not_run_result(*c, std::string{cat.section_title(c->id)}, end.why));
        }
        runs.push_back(std::move(run));
    }
    if (runs.empty()) {
        std::cerr << "wscheck: no client connected; " << end.why << "\n";
        return exit_usage;
    }
    write_test_reports(out_dir, runs, settings);
    write_ci_reports(args.junit_file, args.markdown_file, runs);
    const bool failed = print_test_summary(runs, out_dir, args.quiet);
    if (end.interrupted) {
        std::cerr << "wscheck: interrupted; the partial report is in " << out_dir << "\n";
        return exit_usage;
    }
    return failed ? exit_failed : exit_ok;
}

} // namespace

void add_test_client_command(CLI::App& app, int& status) {
    auto args = std::make_shared<client_test_args>();
    auto* cmd = app.add_subcommand(
        "test-client", "Serve the conformance cases to a WebSocket client (the Autobahn fuzzingserver protocol)");
    cmd->add_option("-l,--listen", args->listen, "HOST:PORT to listen on (loopback only is sensible)")
        ->capture_default_str();
    cmd->add_option("--spec", args->spec_file, "Read url, cases and outdir from an Autobahn fuzzingserver.json")
        ->check(CLI::ExistingFile);
    cmd->add_option("-c,--cases", args->cases, "Cases to serve: ids, sections, globs, ranges ('1.*,30')");
    cmd->add_option("-x,--exclude", args->exclude, "Cases to leave out, same syntax ('9.*')");
    cmd->add_option("-o,--out", args->out_dir, "Directory for the reports")->capture_default_str();
    cmd->add_option("--junit", args->junit_file, "Also write JUnit XML for CI to FILE");
    cmd->add_option("--markdown", args->markdown_file, "Also write a Markdown summary to FILE");
    cmd->add_option("--exec", args->exec,
                    "Start the client under test with this shell command; {url} and {agent} are replaced");
    cmd->add_option("-a,--agent", args->agent, "The agent name the --exec client uses ({agent})")
        ->capture_default_str();
    cmd->add_option("--agents", args->agents,
                    "Without --exec: wait for this many agents to ask /updateReports before ending")
        ->check(CLI::Range(1u, 1000u))
        ->capture_default_str();
    cmd->add_option("--exec-timeout", args->exec_timeout_s,
                    "Seconds the --exec client may run (default: the selected cases' time limits added up)")
        ->check(CLI::Range(1.0, 7 * 86400.0));
    cmd->add_option("--idle-timeout", args->idle_timeout_s, "End after this many seconds with no connection")
        ->check(CLI::Range(1.0, 86400.0))
        ->capture_default_str();
    cmd->add_option("--handshake-timeout", args->handshake_timeout_s, "Seconds for a client's request head")
        ->check(CLI::Range(0.01, 3600.0))
        ->capture_default_str();
    cmd->add_option("--close-timeout", args->close_timeout_s,
                    "Seconds the client has to answer a Close and then to close TCP")
        ->check(CLI::Range(0.01, 3600.0))
        ->capture_default_str();
    cmd->add_option("--write-timeout", args->write_timeout_s, "Seconds a write may make no progress")
        ->check(CLI::Range(0.01, 3600.0))
        ->capture_default_str();
    cmd->add_flag("--tls", args->tls, "Serve wss:// (self-signed certificate unless --cert/--key)");
    cmd->add_option("--cert", args->cert_file, "PEM certificate (chain) file; implies --tls");
    cmd->add_option("--key", args->key_file, "PEM private key file for --cert");
    cmd->add_flag("--list", args->list, "List the selected cases with their runCase numbers and exit");
    cmd->add_flag("-q,--quiet", args->quiet, "Print only the summary");
    cmd->callback([args, &status] { status = run_test_client(*args); });
}

} // namespace wscheck::cli
