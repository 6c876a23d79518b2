#include "harness/runner/judge.hpp"

#include "harness/proto/error.hpp"

#include <algorithm>
#include <string_view>
#include <cstdio>

namespace wscheck::runner {

namespace {

using cases::behavior;
using cases::close_behavior;

constexpr std::size_t shown_bytes = 24;

bool printable(std::span<const std::uint8_t> data) {
    return std::all_of(data.begin(), data.end(), [](std::uint8_t c) { return c >= 0x20 && c < 0x7f; });
}

std::string hex(std::span<const std::uint8_t> data) {
    std::string out;
    char buf[4];
    for (std::size_t i = 0; i < data.size(); ++i) {
        std::snprintf(buf, sizeof buf, i == 0 ? "%02x" : " %02x", data[i]);
        out += buf;
    }
    return out;
}

std::string codes_text(const std::vector<std::uint16_t>& codes) {
    std::string out;
    for (const auto c : codes) {
        out += (out.empty() ? "" : ", ") + std::to_string(c);
    }
    return out.empty() ? "none" : out;
}

std::string ms(std::chrono::milliseconds d) { return std::to_string(d.count()) + " ms"; }

/// The events compared with every outcome: the first equal trace wins (Autobahn's order).
void judge_events(const cases::script& script, const peer_observer& seen, reports::case_result& out) {
    const auto& got = seen.events();
    if (script.outcomes.empty()) {
        out.behavior = behavior::informational;
        out.reason = "This case judges only how the connection closes; received " + describe(got) + ".";
        return;
    }
    for (const auto& o : script.outcomes) {
        if (o.accepts ? o.accepts(got) : o.trace == got) {
            out.behavior = o.verdict;
            if (o.accepts) {
                out.reason = "Received " + std::to_string(got.size()) + " events " + describe(got) + ": " +
                             o.rule + ", as allowed.";
            } else {
                out.reason = got.empty() ? "Received no message, ping or pong, as expected."
                                         : "Received " + describe(got) + ", as expected.";
            }
            if (o.verdict == behavior::non_strict) {
                out.reason += " The RFC allows this but prefers another behaviour (a SHOULD).";
            }
            return;
        }
    }
    out.behavior = behavior::failed;
    if (script.outcomes.front().accepts) {
        out.reason = "Received " + std::to_string(got.size()) + " events " + describe(got) + "; expected " +
                     script.outcomes.front().rule + ".";
        return;
    }
    const auto& want = script.outcomes.front().trace;
    std::size_t i = 0;
    while (i < want.size() && i < got.size() && want[i] == got[i]) {
        ++i;
    }
    std::string where;
    if (i < want.size() && i < got.size()) {
        where = "event " + std::to_string(i + 1) + " was " + describe(got[i]) + " where " +
                describe(want[i]) + " was expected";
    } else if (i < want.size()) {
        where = "expected " + describe(want[i]) + " as event " + std::to_string(i + 1) +
                " but nothing more came";
    } else {
        where = "event " + std::to_string(i + 1) + ", " + describe(got[i]) + ", was not expected";
    }
    out.reason = "Received " + describe(got) + "; " + where + ".";
    if (seen.message_cut()) {
        out.reason += " A message exceeded the size wscheck keeps and was cut.";
    }
}

/// 4.2.1 / 4.2.2 from the tester's side: did the server accept or refuse as the case requires.
/// Returns false when the handshake decided the case (nothing else to judge).
bool judge_handshake(const cases::script& script, const connection_facts& facts,
                     reports::case_result& out) {
    const auto& hs = facts.handshake;
    const auto& spec = script.handshake;
    using expect = cases::handshake_spec::expect;
    // `either` is judged as `accept` once the server answered 101, as `reject` once it
    // answered anything else.
    if (spec.must == expect::accept || (spec.must == expect::either && (hs.completed || hs.status == 101))) {
        if (hs.completed) {
            return true;
        }
        out.behavior = behavior::failed;
        out.reason = hs.status != 0 ? "The opening handshake failed: HTTP " + std::to_string(hs.status) +
                                          (hs.error.empty() ? "" : "; " + hs.error) + "."
                                    : "The opening handshake failed: " +
                                          (hs.error.empty() ? std::string{"no response"} : hs.error) + ".";
        out.close_behavior = close_behavior::failed;
        out.close_reason = "The WebSocket connection never opened.";
        return false;
    }
    if (spec.must == expect::either && hs.status == 0) {
        // A server may close a connection whose request it will not serve, or let it time out.
        out.behavior = behavior::informational;
        out.reason = "Recorded, not judged: the server gave no HTTP response (" +
                     (hs.error.empty() ? std::string{"none"} : hs.error) +
                     "); refusing, accepting and closing are all allowed here.";
        out.close_behavior = close_behavior::informational;
        out.close_reason = "No WebSocket connection was established.";
        return false;
    }
    // The request breaks 4.2.1 (or `either`: the server chose to refuse it): the server must
    // answer with an HTTP error, not a 101.
    out.close_behavior = close_behavior::informational;
    out.close_reason = "No WebSocket connection is expected for a refused handshake.";
    if (hs.status == 101) {
        out.behavior = behavior::failed;
        out.reason = "The server accepted (101) a request that RFC 6455 4.2.1 requires it to refuse.";
        return false;
    }
    if (hs.status == 0) {
        out.behavior = behavior::failed;
        out.reason = "The server closed the connection without an HTTP response; 4.2.1 requires an "
                     "error response such as 400." + (hs.error.empty() ? "" : " (" + hs.error + ")");
        return false;
    }
    if (!hs.error.empty()) {
        // Set after a complete refusal only by what followed it (handshake_spec::listen_after_refusal).
        out.behavior = behavior::failed;
        out.reason = "The server refused with HTTP " + std::to_string(hs.status) + ", " + hs.error + ".";
        return false;
    }
    // Required fields (4.4: Sec-WebSocket-Version naming 13) are a MUST whatever the status.
    // They are the final response's: interim (1xx) heads before it are passed over.
    proto::http_parser parser{proto::http_parser::kind::response};
    std::string_view heads = hs.response;
    for (;;) {
        std::size_t used = 0;
        const auto st = parser.feed(heads, used);
        const int status = parser.head().status;
        if (st != proto::http_parser::status::done || status < 100 || status >= 200 || status == 101 ||
            used >= heads.size()) {
            break;
        }
        heads.remove_prefix(used);
        parser = proto::http_parser{proto::http_parser::kind::response};
    }
    for (const auto& f : spec.required_fields) {
        // A list such as "13, 8, 7" names 13 too.
        if (!parser.head().has_token(f.name, f.value)) {
            out.behavior = behavior::failed;
            out.reason = "The server refused with HTTP " + std::to_string(hs.status) + " but without \"" +
                         f.name + ": " + f.value + "\".";
            return false;
        }
    }
    const bool allowed_status =
        spec.reject_statuses.empty()
            ? (hs.status >= 400 && hs.status < 500)
            : std::find(spec.reject_statuses.begin(), spec.reject_statuses.end(), hs.status) !=
                  spec.reject_statuses.end();
    if (!allowed_status) {
        out.behavior = hs.status >= 400 && hs.status < 500 ? behavior::non_strict : behavior::failed;
        std::string allowed;
        for (const int s : spec.reject_statuses) {
            allowed += (allowed.empty() ? "" : ", ") + std::to_string(s);
        }
        out.reason = "The server refused with HTTP " + std::to_string(hs.status) + "; expected " +
                     (allowed.empty() ? std::string{"a 4xx status"} : allowed) + ".";
        return false;
    }
    out.behavior = behavior::ok;
    out.reason = "The server refused the request with HTTP " + std::to_string(hs.status) +
                 (spec.must == expect::either ? ", as allowed." : ", as required.");
    return false;
}

void fill_close(const peer_observer& seen, const connection_facts& facts, reports::close_record& c);

/// Testing a client: its request must be valid (4.1), and after a response it must refuse
/// (section 30: `must` is reject) it must fail the connection, that is close TCP without
/// sending a data frame. Returns false when the opening decided the case.
bool judge_client_opening(const cases::script& script, const peer_observer& seen, const connection_facts& facts,
                          reports::case_result& out) {
    const auto& hs = facts.handshake;
    if (!hs.error.empty()) {
        out.behavior = behavior::failed;
        out.reason = "The opening handshake failed: " + hs.error + ".";
        out.close_behavior = close_behavior::failed;
        out.close_reason = "The WebSocket connection never opened.";
        return false;
    }
    if (script.handshake.must != cases::handshake_spec::expect::reject) {
        return true;
    }
    fill_close(seen, facts, out.close);
    out.close_behavior = close_behavior::informational;
    out.close_reason = "No WebSocket connection is expected after a response the client must refuse.";
    // Section 31's responses break RFC 7692 5 ("the client MUST _Fail the WebSocket
    // Connection_"); section 30's break RFC 6455 4.1.
    const std::string rule = script.deflate ? "RFC 7692 5" : "RFC 6455 4.1";
    const auto& got = seen.events();
    const std::uint64_t close_frames = seen.close_received() ? 1 : 0;
    if (!got.empty() || seen.frames_received() > close_frames) {
        out.behavior = behavior::failed;
        out.reason = "The client accepted a response that " + rule + " requires it to refuse: it went on to send " +
                     (got.empty() ? std::to_string(seen.frames_received()) + " frames" : describe(got)) + ".";
        return false;
    }
    if (seen.peer_eof() && !facts.dropped_by_us) {
        out.behavior = behavior::ok;
        out.reason = seen.close_received()
                         ? "The client failed the connection: it sent a Close frame (code " +
                               (seen.remote_close_code() ? std::to_string(*seen.remote_close_code()) : std::string{"none"}) +
                               ") and no data, and closed TCP, as " + rule + " requires."
                         : "The client failed the connection: it closed TCP without sending a frame, as " + rule + " requires.";
        return false;
    }
    out.behavior = behavior::failed;
    out.reason = "The client did not fail the connection after a response " + rule + " requires it to refuse; "
                 "wscheck dropped TCP after " + ms(facts.waited) + ".";
    return false;
}

void fill_close(const peer_observer& seen, const connection_facts& facts, reports::close_record& c) {
    c.close_sent = seen.close_sent();
    c.close_received = seen.close_received();
    c.peer_closed_tcp = seen.peer_eof() && !facts.dropped_by_us;
    c.dropped_by_us = facts.dropped_by_us;
    c.remote_code = seen.remote_close_code();
    c.remote_reason = seen.remote_close_reason();
    c.local_code = seen.local_close_code();
    // Dropping a peer that never answered counts as our close: it never failed the connection.
    c.closed_by_us = seen.closed_by_us() ||
                     (facts.dropped_by_us && !seen.close_sent() && !seen.close_received());
    // 7.1.1: after the closing handshake the server closes TCP first; a client waits for it.
    const bool right_side_closed_tcp = facts.tester_is_client ? c.peer_closed_tcp : true;
    c.clean = seen.handshake_closed() && right_side_closed_tcp;
    if (c.clean) {
        return;
    }
    if (!seen.close_received() && !seen.close_sent()) {
        c.unclean_reason = facts.dropped_by_us
                               ? "No Close frame crossed; wscheck dropped TCP after waiting " + ms(facts.waited) + "."
                               : "The peer closed TCP without a closing handshake.";
    } else if (!seen.close_received()) {
        c.unclean_reason = facts.dropped_by_us
                               ? "The peer never answered our Close; wscheck dropped TCP after " + ms(facts.waited) + "."
                               : "The peer closed TCP without answering our Close.";
    } else if (!seen.close_sent()) {
        c.unclean_reason = "The connection ended before wscheck answered the peer's Close.";
    } else {
        c.unclean_reason = "The closing handshake completed but the server kept TCP open; wscheck "
                           "dropped it after " + ms(facts.waited) + ".";
    }
}

void judge_close(const cases::close_expectation& want, const connection_facts& facts,
                 reports::case_result& out) {
    const auto& c = out.close;
    const std::string peer = facts.tester_is_client ? "server" : "client";
    if (want.informational) {
        out.close_behavior = close_behavior::informational;
        out.close_reason = std::string{"Recorded, not judged: closed "} +
                           (c.closed_by_us ? "by wscheck" : "by the " + peer) +
                           (c.remote_code ? ", close code " + std::to_string(*c.remote_code) : "") +
                           (c.clean ? ", cleanly." : ". " + c.unclean_reason);
        return;
    }
    if (want.closed_by_us != c.closed_by_us && !want.either_may_close) {
        out.close_behavior = close_behavior::failed;
        if (want.closed_by_us) {
            out.close_reason = "The " + peer + " closed the connection where it was expected to wait "
                               "for wscheck to close it.";
        } else if (!c.close_sent) {
            out.close_reason = "The " + peer + " was expected to fail the connection but never did; "
                               "wscheck dropped TCP after " + ms(facts.waited) + ".";
        } else {
            out.close_reason = "The " + peer + " was expected to fail the connection but wscheck had "
                               "to start the closing handshake.";
        }
        if (want.wrong_closer_is_fatal) {
            out.behavior = behavior::failed;
            out.reason += " Since the " + peer + " did not fail the connection, it did not detect the fault.";
        }
        return;
    }
    if (want.require_clean && !c.clean) {
        out.close_behavior = close_behavior::unclean;
        out.close_reason = "The RFC requires a clean close here: " + c.unclean_reason;
        return;
    }
    // A peer answering the Close wscheck failed the connection with may echo its code (5.5.1).
    const bool echoes_ours = facts.decided && c.remote_code == facts.decided->code;
    if (c.remote_code && !echoes_ours &&
        std::find(want.codes.begin(), want.codes.end(), *c.remote_code) == want.codes.end()) {
        out.close_behavior = close_behavior::wrong_code;
        out.close_reason = "The " + peer + "'s close code was " + std::to_string(*c.remote_code) +
                           "; expected " + codes_text(want.codes) + " or none.";
        if (want.wrong_code_is_fatal) {
            out.behavior = behavior::failed;
            out.reason += " The close code is wrong: " + out.close_reason;
        }
        return;
    }
    if (facts.tester_is_client && c.dropped_by_us) {
        out.close_behavior = close_behavior::failed_by_client;
        out.close_reason = "wscheck had to drop TCP: the server should close it first (7.1.1). " +
                           c.unclean_reason;
        return;
    }
    out.close_behavior = close_behavior::ok;
    // Appended piece by piece: GCC 12 at -O3 misreads the chained temporaries (-Wrestrict).
    std::string reason = "Closed properly by ";
    reason += c.closed_by_us ? "wscheck" : "the " + peer;
    if (c.remote_code) {
        reason += ", close code " + std::to_string(*c.remote_code);
    }
    reason += c.clean ? ", cleanly." : ".";
    out.close_reason = std::move(reason);
}

} // namespace

std::string describe(const cases::event& e) {
    using kind = cases::event::kind;
    const auto bytes = e.data.view();
    if (e.what == kind::timeout) {
        return "pause \"" + std::string(bytes.begin(), bytes.end()) + "\"";
    }
    const char* name = e.what == kind::text     ? "text"
                       : e.what == kind::binary ? "binary"
                       : e.what == kind::ping   ? "ping"
                                                : "pong";
    std::string out = std::string{name} + "(" + std::to_string(bytes.size()) + ")";
    if (bytes.empty()) {
        return out;
    }
    const auto head = bytes.first(std::min(bytes.size(), shown_bytes));
    const bool cut = head.size() < bytes.size();
    if (printable(head)) {
        out += " \"" + std::string(head.begin(), head.end()) + (cut ? "...\"" : "\"");
    } else {
        out += " " + hex(head) + (cut ? " ..." : "");
    }
    return out;
}

std::string describe(const std::vector<cases::event>& trace) {
    constexpr std::size_t shown = 6;
    std::string out = "[";
    for (std::size_t i = 0; i < trace.size() && i < shown; ++i) {
        out += (i ? ", " : "") + describe(trace[i]);
    }
    if (trace.size() > shown) {
        out += ", ... " + std::to_string(trace.size() - shown) + " more";
    }
    return out + "]";
}

void judge(const cases::script& script, const peer_observer& seen, const connection_facts& facts,
           reports::case_result& out) {
    out.received = seen.events();
    out.expected = script.outcomes;
    out.expected_close = script.close;
    out.peer_violations.clear();
    out.deflate = facts.deflate;
    for (const auto& v : seen.violations()) {
        const std::string rfc = v.section.starts_with("RFC") ? "" : "RFC 6455 ";
        out.peer_violations.push_back(rfc + std::string{v.section} + ": " + std::string{v.message} +
                                      " (frame " + std::to_string(v.frame_index + 1) + " received)");
    }
    if (!facts.connected) {
        out.behavior = behavior::failed;
        out.reason = "Could not connect: " + facts.connect_error + ".";
        out.close_behavior = close_behavior::failed;
        out.close_reason = "No connection.";
        return;
    }
    const bool opened = facts.tester_is_client ? judge_handshake(script, facts, out)
                                               : judge_client_opening(script, seen, facts, out);
    if (!opened) {
        return;
    }
    fill_close(seen, facts, out.close);
    // As the Autobahn Testsuite: a case that needs permessage-deflate cannot run on a
    // connection without it. A server may decline any offer (RFC 6455 9.1); a client need not
    // offer it, or may offer nothing the case's answer applies to.
    if (!facts.deflate_untestable.empty()) {
        out.behavior = behavior::unimplemented;
        out.reason = facts.deflate_untestable;
        judge_close(script.close, facts, out);
        return;
    }
    judge_events(script, seen, out);
    if (!facts.script_note.empty()) {
        out.reason += " " + facts.script_note;
    } else if (out.behavior == behavior::failed && facts.series.count != 0) {
        // The series stopped short without an echo that differs: say how far it got rather
        // than list the (compared and forgotten) echoes.
        const std::size_t echoed = facts.series.sent == 0 ? 0 : facts.series.sent - 1;
        const std::string peer = facts.tester_is_client ? "server" : "client";
        out.reason = std::to_string(echoed) + " of " + std::to_string(facts.series.count) +
                     " echoes came back; while wscheck waited for echo " + std::to_string(echoed + 1) + ", " +
                     (out.close.closed_by_us ? std::string{"the case's time limit passed"}
                                             : "the " + peer + " closed the connection") +
                     "." + (seen.events().empty() ? "" : " Also received " + describe(seen.events()) + ".");
    }
    if (!facts.deflate.agreed.empty() && out.behavior == behavior::failed) {
        // Which parameters were in force matters for a compressed exchange that went wrong.
        out.reason += " permessage-deflate agreed: " + facts.deflate.agreed + ".";
    }
    if (!seen.violations().empty()) {
        // A rule broken on the wire decides the case, whatever else matched.
        out.behavior = behavior::failed;
        out.reason = "The peer broke " + out.peer_violations.front() + ". " + out.reason;
    }
    judge_close(script.close, facts, out);
    if (facts.decided) {
        const auto& d = *facts.decided;
        out.close_reason += d.code == proto::close_code::normal
                                ? " wscheck closed as soon as the verdict was decided (" + d.why + ")."
                                : " wscheck failed the connection with code " + std::to_string(d.code) +
                                      " as soon as " + d.why + " (RFC 6455 7.1.7).";
    }
}

} // namespace wscheck::runner
