// What a run found: one case_result per case, one run_result per target, as every reporter
// (JSON, Autobahn's index.json, and later HTML and JUnit) reads them.
#pragma once

#include "cases/case.hpp"
#include "cases/verdict.hpp"
#include "harness/runner/wire_log.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace wscheck::reports {

/// How the connection of a case ended, from the tester's side.
struct close_record {
    bool closed_by_us = false;      ///< we sent the first Close, or dropped a peer that never closed
    bool dropped_by_us = false;     ///< we closed TCP without the peer closing it first
    bool peer_closed_tcp = false;   ///< the peer closed TCP first
    bool close_sent = false;
    bool close_received = false;
    bool clean = false;             ///< both Close frames crossed and the right side closed TCP
    std::string unclean_reason;     ///< why not clean, in a sentence
    std::optional<std::uint16_t> remote_code;
    std::string remote_reason;
    std::optional<std::uint16_t> local_code;
};

struct handshake_record {
    bool attempted = false;
    bool completed = false;         ///< a 101 that passed the checks of 4.1
    int status = 0;                 ///< HTTP status received; 0 when none
    std::string request;            ///< the request head as sent (capped)
    std::string response;           ///< the response head as received (capped)
    std::string error;              ///< why it failed, in a sentence
};

/// permessage-deflate in a case that offered it (RFC 7692): what was offered and agreed.
struct deflate_record {
    bool offered = false;
    std::string offer;              ///< the Sec-WebSocket-Extensions value sent
    std::string response;           ///< the server's permessage-deflate element ("" when it declined)
    std::string agreed;             ///< deflate_agreement::describe(); "" when none was agreed
};

struct case_result {
    // the case
    std::string id;
    std::string section;            ///< title of its deepest section
    std::string description;
    std::string expectation;
    std::string rfc_clause;
    std::string rfc_requirement;
    bool report_time = false;

    // the verdict
    cases::behavior behavior = cases::behavior::failed;
    std::string reason;             ///< one sentence with the evidence
    cases::close_behavior close_behavior = cases::close_behavior::failed;
    std::string close_reason;

    // the evidence
    std::vector<cases::event> received;
    std::vector<cases::outcome> expected;
    cases::close_expectation expected_close;
    std::vector<std::string> peer_violations; ///< "5.1: a server sent a masked frame (frame 3)"
    close_record close;
    handshake_record handshake;
    deflate_record deflate;
    runner::wire_log wire;

    // timing
    std::chrono::system_clock::time_point started{};
    std::chrono::milliseconds duration{};
    /// For the run's scheduler (runner::test_run), not reported: after the connection opened,
    /// the peer sent a frame or closed TCP (answered); or it did neither while it owed an answer
    /// (silent); or it owed none and did neither (nothing learnt).
    enum class after_open { nothing_learnt, answered, silent } peer = after_open::nothing_learnt;
};

struct run_result {
    std::string tool = "wscheck";
    std::string version;
    std::string agent;              ///< the name results are filed under
    std::string target;             ///< URL tested
    std::chrono::system_clock::time_point started{};
    std::chrono::system_clock::time_point finished{};
    bool interrupted = false;       ///< stopped early (Ctrl-C): the cases listed are all that ran
    std::vector<std::string> notes; ///< run-level findings ("the target went down after 7.1.1")
    std::vector<case_result> cases;
};

} // namespace wscheck::reports
