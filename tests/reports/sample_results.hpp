// Results made by hand for the reporter tests: no network, no runner.
#pragma once

#include "harness/proto/error.hpp"
#include "reports/result.hpp"

#include <chrono>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

namespace wscheck::reports::testing {

using namespace std::chrono_literals;

/// A report's text cut into lines, for tests that look for one line.
inline std::vector<std::string> lines_of(const std::string& s) {
    std::vector<std::string> out;
    std::istringstream in{s};
    for (std::string line; std::getline(in, line);) {
        out.push_back(line);
    }
    return out;
}

inline cases::event text_event(std::string_view s) {
    return {cases::event::kind::text, cases::payload{s}};
}

inline cases::event binary_event(std::vector<std::uint8_t> b) {
    return {cases::event::kind::binary, cases::payload{std::move(b)}};
}

/// 2026-11-25T07:00:00Z plus `us` microseconds.
inline std::chrono::system_clock::time_point at(std::int64_t us) {
    using namespace std::chrono;
    return system_clock::time_point{
        duration_cast<system_clock::duration>(sys_days{year{2026} / 11 / 25}.time_since_epoch() +
                                              hours{7} + microseconds{us})};
}

/// 1.1.1-like: an echoed text message and a clean close by us; a full wire log.
inline case_result echo_case() {
    case_result c;
    c.id = "1.1.1";
    c.section = "Text Messages";
    c.description = "Send text message with payload 0.";
    c.expectation = "Receive echo'ed text message (with empty payload). Clean close with normal code.";
    c.rfc_clause = "5.6";
    c.rfc_requirement = "An endpoint echoes what it receives.";
    c.behavior = cases::behavior::ok;
    c.reason = "Received [text(5) \"Hello\"], as expected.";
    c.close_behavior = cases::close_behavior::ok;
    c.close_reason = "Closed cleanly by us with 1000.";
    c.received = {text_event("Hello")};
    c.expected = {{cases::behavior::ok, {text_event("Hello")}}};
    c.expected_close = {};
    c.close.closed_by_us = true;
    c.close.close_sent = true;
    c.close.close_received = true;
    c.close.peer_closed_tcp = true;
    c.close.clean = true;
    c.close.remote_code = 1000;
    c.close.local_code = 1000;
    c.handshake.attempted = true;
    c.handshake.completed = true;
    c.handshake.status = 101;
    c.handshake.request = "GET / HTTP/1.1\r\nHost: 127.0.0.1:9001\r\n\r\n";
    c.handshake.response = "HTTP/1.1 101 Switching Protocols\r\n\r\n";

    using runner::direction;
    const std::string req = c.handshake.request;
    c.wire.bytes(direction::sent, 0us, "http request",
                 {reinterpret_cast<const std::uint8_t*>(req.data()), req.size()});
    proto::frame_header sent;
    sent.op = proto::opcode::text;
    sent.masked = true;
    sent.key = {0x12, 0x34, 0x56, 0x78};
    sent.length = 5;
    c.wire.begin_frame(direction::sent, 150us, sent);
    const std::uint8_t hello[] = {'H', 'e', 'l', 'l', 'o'};
    c.wire.frame_payload(hello);
    proto::frame_header echoed;
    echoed.op = proto::opcode::text;
    echoed.length = 5;
    c.wire.begin_frame(direction::received, 420us, echoed);
    c.wire.frame_payload(hello);
    proto::frame_header close;
    close.op = proto::opcode::close;
    close.masked = true;
    close.key = {1, 2, 3, 4};
    close.length = 4;
    c.wire.begin_frame(direction::sent, 500us, close);
    const std::uint8_t close_payload[] = {0x03, 0xE8, 'b', 'y'};
    c.wire.frame_payload(close_payload);

    c.started = at(1'000'123);
    c.duration = 3ms;
    return c;
}

/// A peer that answers invalid UTF-8 and a masked frame: FAILED with bytes that are not text.
inline case_result broken_case() {
    case_result c;
    c.id = "6.3.1";
    c.section = "Invalid UTF-8 in text";
    c.description = "Send invalid UTF-8 text message unfragmented.";
    c.expectation = "The connection is failed immediately, since the payload is not valid UTF-8.";
    c.rfc_clause = "8.1";
    c.rfc_requirement = "An endpoint fails the connection on invalid UTF-8 in text.";
    c.behavior = cases::behavior::failed;
    c.reason = "The peer broke 5.1: a server sent a masked frame (frame 1).";
    c.close_behavior = cases::close_behavior::wrong_code;
    c.close_reason = "The peer closed with 1000 where 1007 was expected.";
    c.received = {binary_event({0xce, 0xba, 0xe1, 0xbd, 0xb9, 0xcf, 0x83, 0xce, 0xbc, 0xce,
                                0xb5, 0xed, 0xa0, 0x80, 0x65, 0x64, 0x69, 0x74, 0x65, 0x64}),
                  binary_event({0x00, 0x01, 0x02, 0xff})};
    c.expected = {{cases::behavior::ok, {}}, {cases::behavior::non_strict, {text_event("x")}}};
    c.expected_close.closed_by_us = false;
    c.expected_close.codes = {1007};
    c.expected_close.require_clean = false;
    c.expected_close.wrong_code_is_fatal = true;
    c.peer_violations = {"5.1: a server sent a masked frame (frame 1)"};
    c.close.close_received = true;
    c.close.peer_closed_tcp = true;
    c.close.unclean_reason = "The peer closed TCP before our Close went out.";
    c.close.remote_code = 1000;
    c.close.remote_reason = std::string{"\xff\xfe bad", 6};
    c.handshake.attempted = true;
    c.handshake.completed = true;
    c.handshake.status = 101;
    c.handshake.request = "GET / HTTP/1.1\r\n\r\n";
    c.handshake.response = std::string{"HTTP/1.1 101 OK\r\nX: \x80\r\n\r\n"};

    using runner::direction;
    proto::frame_header masked;
    masked.op = proto::opcode::binary;
    masked.masked = true;
    masked.rsv1 = true;
    masked.key = {0xde, 0xad, 0xbe, 0xef};
    masked.length = 1000;
    c.wire.begin_frame(direction::received, 77us, masked,
                       (std::uint64_t{1} << static_cast<unsigned>(proto::violation::unexpected_mask)) |
                           (std::uint64_t{1} << static_cast<unsigned>(proto::violation::bad_reserved_bits)));
    const std::uint8_t junk[] = {0x00, 0x01, 0x02, 0xff};
    c.wire.frame_payload(junk);
    c.wire.frame_incomplete();
    const std::uint8_t raw[] = {0x81, 0x80};
    c.wire.bytes(direction::sent, 90us, "raw", raw);

    c.started = at(2'000'000);
    c.duration = 1002ms;
    return c;
}

/// A close-only failure: the behavior is OK, the close is not.
inline case_result unclean_case() {
    case_result c = echo_case();
    c.id = "1.1.2";
    c.close_behavior = cases::close_behavior::unclean;
    c.close_reason = "The peer dropped TCP without a Close frame.";
    c.close.clean = false;
    c.close.close_received = false;
    c.close.remote_code.reset();
    return c;
}

inline case_result informational_case() {
    case_result c = echo_case();
    c.id = "7.1.6";
    c.section = "Basic close behavior (fuzzer initiated)";
    c.behavior = cases::behavior::informational;
    c.close_behavior = cases::close_behavior::informational;
    c.reason = "Recorded, not judged.";
    c.report_time = true;
    return c;
}

inline run_result sample_run() {
    run_result r;
    r.version = "0.1.0";
    r.agent = "Reference Server/1.0";
    r.target = "ws://127.0.0.1:9001";
    r.started = at(0);
    r.finished = at(5'000'000);
    r.notes = {"the target answered every case"};
    r.cases = {echo_case(), broken_case(), unclean_case(), informational_case()};
    return r;
}

} // namespace wscheck::reports::testing
