// Section 23, Masking of client frames (wscheck's own; no Autobahn case sends a server an
// unmasked frame). RFC 6455 5.1: "The server MUST close the connection upon receiving a frame
// that is not masked" (it MAY send 1002 first), whatever the frame: data or control, first or
// middle of a message, empty or long. Then the control: a masked frame whose key is all zeros
// is still masked (5.3: the key is any 32-bit value), so the server unmasks and processes it.
//
// These frames only a client sends: the cases test servers. The client's side of the rule (a
// client fails the connection on a masked frame from the server) is 30.3.
#include "cases/builders.hpp"
#include "cases/catalog.hpp"

#include <string>

namespace wscheck::cases {

namespace {

using proto::opcode;

const payload hello{"Hello, world!"};
const proto::mask_key zero_key{0, 0, 0, 0};

const rfc_ref must_close_unmasked{"5.1", "a server must close the connection upon receiving a frame that is "
                                         "not masked (it may send 1002 first)"};

send_frame unmasked(send_frame f) {
    f.masked = false;
    return f;
}

send_frame zero_masked(send_frame f) {
    f.masked = true;
    f.key = zero_key;
    return f;
}

/// A servers-only case of this section.
case_def masking_case(std::string id, std::string description, std::string expectation, rfc_ref rfc,
                      std::function<script()> make_script) {
    auto c = build::make_case(std::move(id), std::move(description), std::move(expectation), std::move(rfc),
                              std::move(make_script));
    c.tests_servers_only = true;
    return c;
}

/// What is sent around the unmasked frame, and what the server owes before it fails.
struct around {
    std::vector<send_frame> before{}; ///< masked frames first
    std::vector<event> answers{};     ///< what they must bring back, awaited before the unmasked frame
    std::vector<send_frame> after{};  ///< masked frames in the same write after it
};

/// The server must fail the connection at the unmasked frame `f`, after answering what came
/// before it and processing nothing from it on.
case_def fails_at_unmasked(std::string id, std::string description, send_frame f, std::string processed_nothing,
                           around a = {}) {
    return masking_case(std::move(id), std::move(description),
                        "The server fails the connection at the unmasked frame (close 1002, or TCP closed) " +
                            processed_nothing,
                        must_close_unmasked, [f, a] {
                            script sc;
                            for (const auto& m : a.before) {
                                sc.steps.emplace_back(m);
                            }
                            if (!a.answers.empty()) {
                                // Answered first: the unmasked frame then arrives alone, and a
                                // server that fails before its application echoed cannot.
                                sc.steps.emplace_back(await_events{a.answers.size(), milliseconds{2000}});
                            }
                            sc.steps.emplace_back(unmasked(f));
                            for (const auto& m : a.after) {
                                sc.steps.emplace_back(m);
                            }
                            sc.outcomes = {build::ok(a.answers)};
                            sc.close = build::peer_fails({1002});
                            return sc;
                        });
}

void add_unmasked(catalog_builder& b) {
    b.add_section("23.1", "Unmasked frames from the client");
    const std::string nothing_back = "without processing it: nothing is echoed.";
    b.add(fails_at_unmasked("23.1.1", "Send an unmasked text frame (\"Hello, world!\").",
                            build::frame(opcode::text, hello), nothing_back));
    b.add(fails_at_unmasked("23.1.2", "Send an unmasked binary frame (\"Hello, world!\").",
                            build::frame(opcode::binary, hello), nothing_back));
    b.add(fails_at_unmasked("23.1.3", "Send an unmasked empty text frame.", build::frame(opcode::text),
                            "even though it has no payload to unmask: nothing is echoed."));
    b.add(fails_at_unmasked("23.1.4", "Send an unmasked binary frame of 70000 bytes (a 64-bit length).",
                            build::frame(opcode::binary, build::filled(0x2a, 70000)), nothing_back));
    b.add(fails_at_unmasked("23.1.5", "Send an unmasked Ping (\"Hello, world!\").", build::frame(opcode::ping, hello),
                            "without processing it: no Pong."));
    b.add(fails_at_unmasked(
        "23.1.6", "Send an unmasked Close frame with code 1000.",
        build::frame(opcode::close, build::bytes({0x03, 0xe8})),
        "without processing it: no Close answering 1000 (a Close it sends to fail the connection carries 1002)."));
    // The last frame follows the unmasked one in the same write: a server that read past the
    // unmasked frame must still not deliver the message.
    b.add(fails_at_unmasked("23.1.7",
                            "Send a text message in three frames (\"Hello\", \", wor\", \"ld!\") whose second "
                            "frame, a continuation, is unmasked.",
                            build::frame(opcode::cont, payload{", wor"}, false),
                            "without delivering the message: nothing is echoed.",
                            {.before = {build::frame(opcode::text, payload{"Hello"}, false)},
                             .after = {build::frame(opcode::cont, payload{"ld!"})}}));
    b.add(fails_at_unmasked("23.1.8",
                            "Send a masked text message (\"Hello, world!\") and wait for its echo, then "
                            "send an unmasked one (\"Hello again\").",
                            build::frame(opcode::text, payload{"Hello again"}),
                            "after echoing the first message: the unmasked one is not echoed (every frame "
                            "is checked, not only the first).",
                            {.before = {build::frame(opcode::text, hello)}, .answers = {build::text(hello)}}));
}

const rfc_ref any_key{"5.3", "the masking key is any 32-bit value, all zeros included; the server unmasks "
                             "and processes the frame"};

/// The control: `frames`, every one masked with the all-zero key, must bring back `answer`.
case_def zero_key_case(std::string id, std::string description, std::string expectation,
                       std::vector<send_frame> frames, event answer) {
    return masking_case(std::move(id), std::move(description), std::move(expectation), any_key, [frames, answer] {
        script sc;
        for (const auto& f : frames) {
            sc.steps.emplace_back(zero_masked(f));
        }
        sc.outcomes = {build::ok({answer})};
        sc.close = build::we_close();
        return sc;
    });
}

void add_zero_keys(catalog_builder& b) {
    b.add_section("23.2", "Masked with the all-zero key");
    b.add(zero_key_case("23.2.1", "Send a text frame (\"Hello, world!\") masked with the key 00 00 00 00.",
                        "The frame is masked (the mask bit is set): the server echoes the message.",
                        {build::frame(opcode::text, hello)}, build::text(hello)));
    b.add(zero_key_case("23.2.2",
                        "Send a binary message in three frames (\"Hello\", \", wor\", \"ld!\"), each masked "
                        "with the key 00 00 00 00.",
                        "The server echoes the message whole.",
                        {build::frame(opcode::binary, payload{"Hello"}, false),
                         build::frame(opcode::cont, payload{", wor"}, false), build::frame(opcode::cont, payload{"ld!"})},
                        build::binary(hello)));
    b.add(zero_key_case("23.2.3", "Send a Ping (\"Hello, world!\") masked with the key 00 00 00 00.",
                        "The server answers with a Pong carrying the same payload.", {build::frame(opcode::ping, hello)},
                        build::pong(hello)));
}

} // namespace

void add_masking(catalog_builder& b) {
    b.add_section("23", "Masking of client frames");
    add_unmasked(b);
    add_zero_keys(b);
}

} // namespace wscheck::cases
