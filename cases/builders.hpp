// Small builders shared by the section files, so that a case reads like the Autobahn Testsuite
// case it mirrors: frames, events, outcomes and the two usual close expectations.
//
// Steps go into a script with `sc.steps.emplace_back(...)`, not push_back: push_back(step)
// moves a temporary variant, and GCC 12 at -O3 follows that move into every alternative and
// reports echo_series::count "may be used uninitialized" (-Werror breaks the Release build; a
// false positive, the temporary holds another step). emplace_back constructs the variant in
// place from the step, so there is no temporary variant to move.
#pragma once

#include "cases/case.hpp"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace wscheck::cases::build {

// ---------------------------------------------------------------- cases

/// A case from what every case states: its id, what we send, what a conformant peer does, the
/// RFC clause it checks, and its script (built on demand). Everything else keeps case_def's
/// defaults (MUST, run in parallel, 1 s timeout then TCP dropped, no deadline, for both
/// roles); the caller sets what differs, so that a section reads as the cases it lists:
///
///     auto c = build::make_case("2.6", "Send a Ping ..., written octet by octet.",
///                               "A Pong with the Ping's payload ...", pong_rule, [] { ... });
///     c.timeout = milliseconds{2000};
///     c.on_timeout = timeout_action::close;
///     b.add(std::move(c));
///
/// A section whose cases share a shape wraps it in a small function of its own that calls
/// this one (s02's ping_case, s07's close_case).
case_def make_case(std::string id, std::string description, std::string expectation, rfc_ref rfc,
                   std::function<script()> build);

/// `c` as a case that measures time (9.x, 21.x): it runs alone, so that other cases' traffic
/// does not skew it, and its duration is part of the result; `timeout` after the last step,
/// then `on_timeout`.
inline case_def timed(case_def c, milliseconds timeout, timeout_action on_timeout) {
    c.schedule = scheduling::serial;
    c.report_time = true;
    c.timeout = timeout;
    c.on_timeout = on_timeout;
    return c;
}

/// `pattern` repeated and cut to `length` bytes: Autobahn's sendFrame(payload, payload_len).
payload repeated(std::string_view pattern, std::size_t length);
/// `count` copies of `byte`.
payload filled(std::uint8_t byte, std::size_t count);
/// Bytes written as numbers, for payloads that are not text.
payload bytes(std::initializer_list<std::uint8_t> list);
/// Concatenation.
payload join(std::initializer_list<payload> parts);
/// Bytes [from, from + count) of `p` (clamped to its end).
payload slice(const payload& p, std::size_t from, std::size_t count = static_cast<std::size_t>(-1));

/// `mib` MiB of zeros as one compressed message (about 1 KiB a MiB): the first MiB compressed
/// after a sync flush, then the same block again for every later MiB, which refers only to the
/// zeros before it, so a bomb of any size costs one compression. Without the final
/// 0x00 0x00 0xff 0xff (7.2.1).
payload deflated_zeros(std::size_t mib);

/// `p` compressed as one permessage-deflate message (RFC 7692 7.2.1) by a fresh compressor
/// with a 2^window_bits window: it refers to nothing sent before, so it inflates the same
/// with or without context takeover, and within any agreed window as long as the message is
/// no longer than 2^window_bits bytes.
payload deflated(const payload& p, std::uint8_t window_bits = 8);

// ---------------------------------------------------------------- steps

/// One frame as given (Autobahn's sendFrame); fin set unless said otherwise.
inline send_frame frame(proto::opcode op, payload data = {}, bool fin = true) {
    send_frame f;
    f.op = op;
    f.data = std::move(data);
    f.fin = fin;
    return f;
}
inline send_frame chopped(send_frame f, std::size_t chop) {
    f.chop = chop;
    return f;
}
inline send_frame synced(send_frame f) {
    f.sync = true;
    return f;
}
inline send_frame with_rsv(send_frame f, std::uint8_t rsv) {
    f.rsv = rsv;
    return f;
}

/// Appends a wait of up to `within` for the peer's answer (`count` events in all), then the
/// event (`label`, timeout) if the connection is still open: the labelled pause of `within` it
/// replaces, ended as soon as the answer is in. Only for cases whose verdict, once the answer
/// came, no longer depends on whether the peer closes the connection afterwards (21.3.1,
/// 25.2.4: echoed is OK either way); until then it waits as long as the pause did.
inline void add_answer_wait(script& sc, std::size_t count, milliseconds within, std::string label) {
    sc.steps.emplace_back(await_events{count, within});
    sc.steps.emplace_back(pause{milliseconds{0}, std::move(label)});
}

// ---------------------------------------------------------------- events and outcomes

inline event text(payload p) { return {event::kind::text, std::move(p)}; }
inline event binary(payload p) { return {event::kind::binary, std::move(p)}; }
inline event ping(payload p) { return {event::kind::ping, std::move(p)}; }
inline event pong(payload p) { return {event::kind::pong, std::move(p)}; }
inline event timed_out(std::string_view label) { return {event::kind::timeout, payload{label}}; }

/// The event the runner records once an echo_series got every echo back as sent.
inline event series_done(std::size_t count) {
    return {event::kind::timeout, payload{std::to_string(count) + " echoes as sent"}};
}

inline outcome ok(std::vector<event> trace = {}) { return {behavior::ok, std::move(trace)}; }
/// An outcome decided by a predicate (case.hpp), with its rule for people.
inline outcome matching(behavior verdict, std::string rule, std::function<bool(const std::vector<event>&)> accepts) {
    outcome o;
    o.verdict = verdict;
    o.rule = std::move(rule);
    o.accepts = std::move(accepts);
    return o;
}
inline outcome non_strict(std::vector<event> trace = {}) {
    return {behavior::non_strict, std::move(trace)};
}

// ---------------------------------------------------------------- close expectations

/// We start the closing handshake (after the expected events); a clean close with one of
/// `codes` (absent allowed) is required.
inline close_expectation we_close(std::vector<std::uint16_t> codes = {1000}) {
    close_expectation c;
    c.closed_by_us = true;
    c.codes = std::move(codes);
    c.require_clean = true;
    return c;
}

/// The peer must fail the connection (7.1.7), with one of `codes` if it sends a Close frame;
/// dropping TCP without one is allowed.
inline close_expectation peer_fails(std::vector<std::uint16_t> codes = {1002}) {
    close_expectation c;
    c.closed_by_us = false;
    c.codes = std::move(codes);
    c.require_clean = false;
    return c;
}

/// How the peer ends the connection is recorded, not judged (where the RFC leaves the reaction
/// to it: section 21, 25): it is expected to close, with one of `codes` if it sends a Close.
inline close_expectation recorded_close(std::vector<std::uint16_t> codes) {
    close_expectation c;
    c.closed_by_us = false;
    c.require_clean = false;
    c.codes = std::move(codes);
    c.informational = true;
    return c;
}

// ---------------------------------------------------------------- whole scripts

/// The peer must fail the connection at `f` (7.1.7): nothing comes back, and it closes, with
/// one of `codes` if it sends a Close.
inline std::function<script()> fails_at(send_frame f, std::vector<std::uint16_t> codes = {1002}) {
    return [f, codes] {
        script sc;
        sc.steps.emplace_back(f);
        sc.outcomes = {ok()};
        sc.close = peer_fails(codes);
        return sc;
    };
}

} // namespace wscheck::cases::build
