// Section 7, Close Handling (Autobahn cases 7.1.1-7.13.2): the closing handshake we start,
// what the peer does with frames after our Close, and Close frames with payloads of every
// legal and illegal shape (RFC 6455 5.5.1, 7.1.5-7.1.7, 7.4).
#include "cases/builders.hpp"
#include "cases/catalog.hpp"
#include "harness/proto/close.hpp"

#include <array>
#include <string>

namespace wscheck::cases {

namespace {

using proto::opcode;
namespace code = proto::close_code;

/// Our Close, answered by the peer's Close (echoing our code or 1000), cleanly. A wrong code
/// fails the events verdict too, as in the suite's section 7.
close_expectation clean_reply(std::vector<std::uint16_t> codes = {code::normal}) {
    auto c = build::we_close(std::move(codes));
    c.wrong_code_is_fatal = true;
    return c;
}

/// Our malformed Close: the peer answers with `codes` or drops TCP.
close_expectation protocol_error_reply(std::vector<std::uint16_t> codes = {code::protocol_error}) {
    close_expectation c;
    c.closed_by_us = true;
    c.codes = std::move(codes);
    c.require_clean = false;
    c.wrong_code_is_fatal = true;
    return c;
}

case_def close_case(std::string id, std::string description, std::string expectation, rfc_ref rfc,
                    std::vector<step> steps, std::vector<outcome> outcomes, close_expectation close) {
    return build::make_case(std::move(id), std::move(description), std::move(expectation), std::move(rfc),
                            [steps = std::move(steps), outcomes = std::move(outcomes), close] {
                                script sc;
                                sc.steps = steps;
                                sc.outcomes = outcomes;
                                sc.close = close;
                                return sc;
                            });
}

send_close close_with(std::optional<std::uint16_t> c, payload reason = {}) {
    send_close s;
    s.code = c;
    s.reason = std::move(reason);
    return s;
}

const rfc_ref after_close{"5.5.1", "after sending a Close an endpoint sends no more data; "
                                   "data received after the peer's Close is discarded"};

void add_basic(catalog_builder& b) {
    b.add_section("7.1", "Basic close behavior (fuzzer initiated)");
    const payload hello{"Hello World!"};
    b.add(close_case("7.1.1", "Send a text message, then close when it is echoed.",
                     "The message is echoed, followed by a clean close with normal code.",
                     {"7.1.2", "a Close is answered with a Close, then TCP is closed"},
                     {build::frame(opcode::text, hello)}, {build::ok({build::text(hello)})}, clean_reply()));
    b.add(close_case("7.1.2", "Send two Close frames: a Close (1000), then an empty Close frame.",
                     "Clean close with normal code; the second Close frame is ignored.", after_close,
                     {close_with(code::normal), build::frame(opcode::close)}, {build::ok()}, clean_reply()));
    b.add(close_case("7.1.3", "Send a Ping after a Close (1000).", "Clean close with normal code; no Pong.",
                     after_close, {close_with(code::normal), build::frame(opcode::ping)}, {build::ok()},
                     clean_reply()));
    b.add(close_case("7.1.4", "Send a text message after a Close (1000).",
                     "Clean close with normal code; the text message is ignored.", after_close,
                     {close_with(code::normal), build::frame(opcode::text, hello)}, {build::ok()}, clean_reply()));
    b.add(close_case("7.1.5", "Send the first fragment of a text message, then a Close (1000), then the final fragment.",
                     "Clean close with normal code; the message is never delivered.", after_close,
                     {build::frame(opcode::text, payload{"fragment1"}, false), close_with(code::normal),
                      build::frame(opcode::cont, payload{"fragment2"}, true)},
                     {build::ok()}, clean_reply()));
    {
        // 7.1.6: informational only. Both messages and the Close are sent back to back; a
        // peer that handles the Close before it has finished writing the echo of the big
        // message may drop what was not yet written. Autobahn records, judges nothing.
        close_expectation c = build::we_close();
        c.informational = true;
        b.add(close_case("7.1.6", "Send a 256 KiB text message, then a small text message (\"Hello World!\"), then a "
                                  "Close (1000), then a Ping, all back to back.",
                         "Depends on the implementation's close handling: the Close may be processed before the "
                         "echoes are written, so they may be missing or incomplete. Informational only.",
                         {"7.1.1", "closing is defined by the Close frames; what is still in flight is implementation-defined"},
                         {build::frame(opcode::text, build::repeated("BAsd7&jh23", 256 * 1024)),
                          build::frame(opcode::text, hello), close_with(code::normal), build::frame(opcode::ping)},
                         {}, c));
    }
}

void add_payload_lengths(catalog_builder& b) {
    b.add_section("7.3", "Close frame structure: payload length (fuzzer initiated)");
    b.add(close_case("7.3.1", "Send a Close frame with payload length 0 (no close code, no reason).",
                     "Clean close with normal code (or none).",
                     {"5.5.1", "a Close frame may have no body; the reply may then carry no code"},
                     {close_with(std::nullopt)}, {build::ok()}, clean_reply()));
    {
        send_close one_byte;
        one_byte.raw = payload{"a"};
        b.add(close_case("7.3.2", "Send a Close frame with payload length 1 (\"a\").",
                         "Clean close with protocol error (1002), or TCP dropped.",
                         {"5.5.1", "a Close body starts with a 2-byte code: a 1-byte body is malformed"},
                         {one_byte}, {build::ok()}, protocol_error_reply()));
    }
    b.add(close_case("7.3.3", "Send a Close frame with payload length 2 (code 1000, no reason).",
                     "Clean close with normal code.", {"5.5.1", "a Close body is a 2-byte code, optionally followed by a reason"},
                     {close_with(code::normal)}, {build::ok()}, clean_reply()));
    b.add(close_case("7.3.4", "Send a Close frame with code 1000 and the reason \"Hello World!\".",
                     "Clean close with normal code.", {"5.5.1", "a Close body is a 2-byte code, optionally followed by a UTF-8 reason"},
                     {close_with(code::normal, payload{"Hello World!"})}, {build::ok()}, clean_reply()));
    b.add(close_case("7.3.5", "Send a Close frame with code 1000 and a reason of the maximum length, 123 bytes.",
                     "Clean close with normal code.", {"5.5", "a control frame's payload, code and reason together, may be 125 bytes"},
                     {close_with(code::normal, build::repeated("*", 123))}, {build::ok()}, clean_reply()));
    b.add(close_case("7.3.6", "Send a Close frame with code 1000 and a reason of 124 bytes: a payload of 126 bytes.",
                     "Clean close with protocol error (1002), or TCP dropped.",
                     {"5.5", "control frames must have a payload of 125 bytes or less"},
                     {close_with(code::normal, build::repeated("*", 124))}, {build::ok()}, protocol_error_reply()));
}

void add_payload_values(catalog_builder& b) {
    b.add_section("7.5", "Close frame structure: payload value (fuzzer initiated)");
    // κόσμε, then ED A0 80 (a UTF-16 surrogate, invalid in UTF-8), then "edited".
    const payload bad_reason = build::bytes({0xce, 0xba, 0xe1, 0xbd, 0xb9, 0xcf, 0x83, 0xce, 0xbc, 0xce, 0xb5, 0xed,
                                             0xa0, 0x80, 0x65, 0x64, 0x69, 0x74, 0x65, 0x64});
    b.add(close_case("7.5.1", "Send a Close frame with code 1000 and a reason that is not valid UTF-8.",
                     "Clean close with protocol error (1002) or invalid payload (1007), or TCP dropped.",
                     {"8.1", "a close reason is UTF-8; an invalid one fails the connection"},
                     {close_with(code::normal, bad_reason)}, {build::ok()},
                     protocol_error_reply({code::protocol_error, code::invalid_payload})));
}

void add_codes(catalog_builder& b) {
    b.add_section("7.7", "Close frame structure: valid close codes (fuzzer initiated)");
    const std::array<std::uint16_t, 13> valid{1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 3000, 3999, 4000, 4999};
    for (std::size_t i = 0; i < valid.size(); ++i) {
        const auto v = valid[i];
        b.add(close_case("7.7." + std::to_string(i + 1), "Send a Close frame with the valid close code " + std::to_string(v) + ".",
                         "Clean close with normal code or the code echoed.",
                         {"7.4", "registered codes, 3000-3999 and 4000-4999 may be used in a Close frame"},
                         {close_with(v)}, {build::ok()}, clean_reply({code::normal, v})));
    }

    b.add_section("7.9", "Close frame structure: invalid close codes (fuzzer initiated)");
    const std::array<std::uint16_t, 9> invalid{0, 999, 1004, 1005, 1006, 1016, 1100, 2000, 2999};
    for (std::size_t i = 0; i < invalid.size(); ++i) {
        const auto v = invalid[i];
        b.add(close_case("7.9." + std::to_string(i + 1), "Send a Close frame with the invalid close code " + std::to_string(v) + ".",
                         "Clean close with protocol error (1002), or TCP dropped.",
                         {"7.4.1", "codes below 1000, reserved (1004-1006, 1015) and unassigned 1016-2999 "
                                   "are not sent; receiving one is a protocol error"},
                         {close_with(v)}, {build::ok()}, protocol_error_reply()));
    }

    b.add_section("7.13", "Informational close information (fuzzer initiated)");
    // Autobahn titles 7.13.2 "code 65536", which does not fit 16 bits; it sends 65535.
    const std::array<std::uint16_t, 2> out_of_range{5000, 65535};
    for (std::size_t i = 0; i < out_of_range.size(); ++i) {
        const auto v = out_of_range[i];
        close_expectation c;
        c.closed_by_us = true;
        c.codes = {code::normal, v, code::protocol_error};
        c.require_clean = false;
        c.informational = true;
        b.add(close_case("7.13." + std::to_string(i + 1), "Send a Close frame with the close code " + std::to_string(v) + ".",
                         "Undefined by the RFC; informational only.",
                         {"7.4.2", "codes of 5000 and above are not defined"}, {close_with(v)}, {}, c));
    }
}

} // namespace

void add_close(catalog_builder& b) {
    b.add_section("7", "Close Handling");
    add_basic(b);
    add_payload_lengths(b);
    add_payload_values(b);
    add_codes(b);
}

} // namespace wscheck::cases
