// The verdict of one case, from what the tester observed. Pure: no I/O, no clocks.
//
// Two axes, with the Autobahn Testsuite's names and meanings (cases/verdict.hpp):
//   behavior        the events received are compared with each outcome's trace in order; the
//                   first equal one gives the verdict, none gives FAILED. A rule the peer broke
//                   on the wire (a masked frame from a server, invalid UTF-8 in its text, a
//                   reserved close code, ...) is FAILED whatever the events, with the rule named.
//   close_behavior  who closed against who had to, then cleanliness, then the peer's close
//                   code against those allowed, then whether the client had to drop TCP.
//
// Where wscheck is stricter than that suite, and why: it counts "we dropped TCP because the
// peer never closed" as closed by us. The suite counts only Close frames, so a server that
// silently ignores a frame it must fail the connection for (say, one with RSV1 set) passes
// there; here the close axis says FAILED, because the peer never failed the connection.
#pragma once

#include "cases/case.hpp"
#include "harness/runner/peer_observer.hpp"
#include "reports/result.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace wscheck::runner {

/// What the runner knows about the connection beyond the frames.
struct connection_facts {
    bool connected = false;
    std::string connect_error;          ///< why the TCP/TLS connect failed
    reports::handshake_record handshake;
    bool tester_is_client = true;       ///< testing a server
    bool dropped_by_us = false;         ///< we closed TCP while the peer had not
    /// Why we dropped: the case's time ran out with the peer still connected (Autobahn's
    /// killAfter), or the closing handshake was done and the server kept TCP open.
    enum class drop_reason { none, case_timeout, close_timeout, our_step } drop = drop_reason::none;
    std::chrono::milliseconds waited{}; ///< how long we waited before dropping
    /// permessage-deflate offered and agreed, when the case offered it (RFC 7692).
    reports::deflate_record deflate;
    /// Why permessage-deflate leaves the case nothing to test: the server declined our offers,
    /// or the client offered none the case's answer applies to. The case is then UNIMPLEMENTED.
    std::string deflate_untestable;
    /// Why the runner ended a script early, in a sentence (an echo that differs, 12.x).
    std::string script_note;
    /// The verdict was decided before the case's end, so wscheck closed at once (the peer broke
    /// a rule on the wire: it failed the connection with the rule's code, RFC 6455 7.1.7; or
    /// no allowed outcome began with the events received: a normal close).
    struct early_end {
        std::uint16_t code = 0; ///< the code of our Close
        std::string why;        ///< "the peer broke RFC 6455 5.4"
    };
    std::optional<early_end> decided;
    /// The echo_series step, when the script has one: messages sent so far, of `count`.
    struct series_progress {
        std::size_t sent = 0;
        std::size_t count = 0;
    } series;
};

/// Fills the verdict fields of `out` (behavior, reason, close_behavior, close_reason, close,
/// received, expected, expected_close, peer_violations).
void judge(const cases::script& script, const peer_observer& seen, const connection_facts& facts,
           reports::case_result& out);

/// One event for people: `text(5) "Hello"`, `binary(16) 00 01 02 ...`, `ping(0)`.
std::string describe(const cases::event& e);
/// A trace for people: `[text(5) "Hello", pong(0)]`, `[]` when empty.
std::string describe(const std::vector<cases::event>& trace);

} // namespace wscheck::runner
