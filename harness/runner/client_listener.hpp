// wscheck as the Autobahn Testsuite's fuzzingserver: it listens, and the client under test
// connects once per request of that suite's client protocol (autobahn_query.hpp). A runCase
// connection is handed to a case_runner in the server role; the other requests are answered
// with one text message (or none) and a Close, as that suite answers them.
//
// Theory of operation
//   accept -> (wss: the TLS handshake) -> read the request head (capped by http_parser, bounded by handshake_timeout, which the TLS handshake counts in)
//   -> route by its target. A target that is not part of the protocol, or that lacks a
//   parameter, is answered with an HTTP 400/404 and closed. Several clients (agents) may be
//   served at once; each agent's results are kept per case, in the order of the selection.
//   getCaseStatus for a case still running waits for its verdict (as that suite does); for a
//   case never run it answers "MISSING", rather than waiting forever.
//   Every connection ends: requests and control replies have deadlines, and cases have theirs.
#pragma once

#include "cases/catalog.hpp"
#include "harness/runner/case_runner.hpp"
#include "reports/result.hpp"

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <system_error>
#include <vector>

namespace wscheck::runner {

struct listener_options {
    runner_options connection;  ///< handshake, write and close timeouts; url and tls unused
    /// wss:// (RFC 6455 3): every connection starts with a TLS handshake presenting this
    /// server context, which must outlive the listener. Null: ws://.
    net::ssl::context* tls = nullptr;
    std::string host = "127.0.0.1";
    std::uint16_t port = 9001;  ///< 0: an ephemeral port (tests)
};

/// What one client (agent) has done so far.
struct agent_record {
    std::string name;
    std::vector<std::optional<reports::case_result>> results; ///< by position in the selection
    std::set<std::size_t> excluded;       ///< positions skipped for this agent (exclude-agent-cases)
    std::set<std::size_t> running;        ///< positions with a case running now
    bool reports_requested = false;       ///< it asked /updateReports
    std::chrono::system_clock::time_point first_seen{};
};

class client_listener : public std::enable_shared_from_this<client_listener> {
public:
    struct callbacks {
        /// A case finished for `agent` (on the io_context).
        std::function<void(const agent_record& agent, const reports::case_result& r)> on_case;
        /// The agent asked /updateReports: write the reports now.
        std::function<void(const agent_record& agent)> on_update_reports;
    };
    /// exclude(agent, case id): the case is skipped for that agent (Autobahn's
    /// exclude-agent-cases: a runCase for it is answered with a Close only).
    using exclusion = std::function<bool(const std::string& agent, const std::string& case_id)>;

    client_listener(net::asio::io_context& io, listener_options options, const cases::catalog& catalog,
                    std::vector<const cases::case_def*> selected, exclusion exclude, callbacks cb);

    /// Replaces the callbacks (before listen()).
    void set_callbacks(callbacks cb) { cb_ = std::move(cb); }
    /// Binds and starts accepting. A setup failure (port in use) is returned with `detail`.
    std::error_code listen(std::string& detail);
    std::uint16_t port() const noexcept { return port_; }
    /// The URL clients connect to: "ws://127.0.0.1:9001" (wss:// with options.tls).
    std::string url() const;
    /// Stops accepting and ends every connection now (running cases are interrupted, and
    /// their results dropped: they would be about our own drop).
    void stop();

    const std::vector<const cases::case_def*>& selected() const noexcept { return selected_; }
    const std::vector<agent_record>& agents() const noexcept { return agents_; }
    /// Connections being read, answered or running a case.
    std::size_t open_connections() const noexcept { return open_; }
    std::size_t cases_running() const noexcept;
    /// When the last connection was accepted or ended.
    std::chrono::steady_clock::time_point last_activity() const noexcept { return last_activity_; }
    /// Number of connections accepted so far.
    std::size_t accepted() const noexcept { return accepted_count_; }

private:
    struct incoming;
    void accept();
    void accept_tls(const std::shared_ptr<incoming>& in);
    void read_request(const std::shared_ptr<incoming>& in);
    void route(const std::shared_ptr<incoming>& in);
    void run_case(const std::shared_ptr<incoming>& in, agent_record& agent, std::size_t index);
    void reply(const std::shared_ptr<incoming>& in, std::optional<std::string> message);
    void refuse(const std::shared_ptr<incoming>& in, int status, const std::string& why);
    void connection_done();
    agent_record& agent_named(const std::string& name);
    std::string case_status_json(const agent_record& agent, std::size_t index) const;
    void answer_status_waiters(const std::string& agent, std::size_t index);

    net::asio::io_context& io_;
    listener_options options_;
    const cases::catalog& catalog_;
    std::vector<const cases::case_def*> selected_;
    exclusion exclude_;
    callbacks cb_;
    net::tcp::acceptor acceptor_;
    std::uint16_t port_ = 0;
    bool stopped_ = false;
    std::vector<agent_record> agents_;  ///< in the order first seen
    std::vector<std::shared_ptr<case_runner>> runners_;
    std::vector<std::weak_ptr<net::stream>> streams_;  ///< every stream, for stop()
    std::map<std::pair<std::string, std::size_t>, std::vector<std::shared_ptr<incoming>>> status_waiters_;
    std::size_t open_ = 0;
    std::size_t accepted_count_ = 0;
    std::chrono::steady_clock::time_point last_activity_ = std::chrono::steady_clock::now();
};

} // namespace wscheck::runner
