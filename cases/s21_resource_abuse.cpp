// Section 21, Resource abuse (wscheck's own; the Autobahn Testsuite never tested it): frame
// headers announcing absurd lengths, oversized and unfinished opening handshakes, messages
// that never end, floods of control frames. RFC 6455 10.4 asks an endpoint with limits to
// protect itself, and leaves the limits and the reaction (close 1009 or 1008, drop TCP, or
// just wait) to it. So a case is strict only where the RFC has a MUST (5.2: the length's most
// significant bit; 5.5: control frames carry at most 125 bytes; 5.5.2: a Ping gets a Pong);
// elsewhere it records how and when the server ended the connection (INFORMATIONAL, with the
// time) and only checks what no server may do, such as echo a message it never received whole.
//
// Each case stays within a few seconds: we stop waiting long before a patient server would.
// Their timing is part of what they show, so no other traffic runs beside them: the floods and
// the idle connections run alone (serial); the cases that send a few bytes and then only wait
// for the server's own timers (21.1, 21.2) run beside each other (scheduling::waits), since
// waiting together skews nobody's time, and their waits overlap instead of adding up.
#include "cases/builders.hpp"
#include "cases/catalog.hpp"

#include <span>
#include <string>

namespace wscheck::cases {

namespace {

using proto::opcode;

constexpr std::uint64_t GiB = 1024ull * 1024 * 1024;

/// How long a case waits after its last step for the server to end the connection.
constexpr milliseconds patience{2000};

/// The common frame of a section 21 case: alone, timed, bounded.
case_def abuse_case(std::string id, std::string description, std::string expectation, rfc_ref rfc,
                    std::function<script()> make_script) {
    return build::timed(build::make_case(std::move(id), std::move(description), std::move(expectation),
                                         std::move(rfc), std::move(make_script)),
                        patience, timeout_action::drop);
}

/// `c` as a case that sends little and then waits (see the top of this file).
case_def waiting(case_def c) {
    c.schedule = scheduling::waits;
    return c;
}

/// After a labelled pause of `patience` the script has waited all it means to: the closing
/// handshake starts when the pause ends (what arrives before the peer's Close is still
/// recorded) rather than after the case's usual second more of silence.
constexpr milliseconds after_pause{0};

/// How the connection ends is recorded, not judged: the RFC leaves the reaction to the server.
close_expectation recorded_close() { return build::recorded_close({1002, 1008, 1009}); }

using build::matching;

const payload sixteen_bytes{"0123456789abcdef"};

// ---------------------------------------------------------------- 21.1 lengths

/// A frame header announcing `length` (64-bit encoding when it needs it), then `sent` bytes
/// of its payload and silence.
send_frame announcing(opcode op, std::uint64_t length, payload sent) {
    auto f = build::frame(op, std::move(sent));
    f.declared_length = length;
    return f;
}

/// The server must fail the connection at the header (a MUST): nothing echoed, no Pong.
case_def header_must_fail(std::string id, std::string description, std::string expectation, rfc_ref rfc,
                          send_frame f, std::vector<std::uint16_t> codes) {
    return waiting(abuse_case(std::move(id), std::move(description), std::move(expectation), std::move(rfc),
                              [f, codes] {
                                  script sc;
                                  sc.steps.emplace_back(f);
                                  sc.outcomes = {build::ok()};
                                  sc.close = build::peer_fails(codes);
                                  return sc;
                              }));
}

/// A legal header announcing more than the server will ever get: it may refuse (1009, 10.4)
/// or wait; what it must not do is deliver (echo) a message it has not received.
case_def header_may_wait(std::string id, std::string description, send_frame f) {
    return waiting(abuse_case(std::move(id), std::move(description),
                      "Nothing is echoed: the frame never arrives whole. A robust server refuses the "
                      "announced size at once (close 1009, or drops TCP) rather than reserve memory for it "
                      "or wait; one whose limits allow the size may wait. How the connection ended, and "
                      "when, is recorded.",
                      {"10.4", "an endpoint with a limit on frame or message size must protect itself "
                               "against frames beyond it (close 1009); the limit is its own"},
                      [f] {
                          script sc;
                          sc.steps.emplace_back(f);
                          sc.outcomes = {build::ok()};
                          sc.close = recorded_close();
                          return sc;
                      }));
}

void add_lengths(catalog_builder& b) {
    b.add_section("21.1", "Frame headers announcing absurd lengths");
    b.add(header_must_fail(
        "21.1.1",
        "Send a binary frame header whose 64-bit payload length has its most significant bit set "
        "(2^63 bytes), then 16 bytes of payload, then nothing.",
        "The server fails the connection at the header (1002, or 1009: no length that large is legal), "
        "without waiting for the payload. Nothing is echoed.",
        {"5.2", "the most significant bit of the 64-bit payload length must be 0; a frame breaking it "
                "fails the connection"},
        announcing(opcode::binary, 1ull << 63, sixteen_bytes), {1002, 1009}));
    b.add(header_may_wait("21.1.2",
                          "Send a binary frame header announcing 2^62 bytes (a legal length), then 16 bytes "
                          "of payload, then nothing.",
                          announcing(opcode::binary, 1ull << 62, sixteen_bytes)));
    b.add(header_may_wait("21.1.3",
                          "Send a binary frame header announcing 2^63-1 bytes (the largest legal length), "
                          "then 16 bytes of payload, then nothing.",
                          announcing(opcode::binary, (1ull << 63) - 1, sixteen_bytes)));
    b.add(header_may_wait("21.1.4",
                          "Send a text frame header announcing 1 GiB, then 16 bytes of payload, then nothing.",
                          announcing(opcode::text, GiB, sixteen_bytes)));
    b.add(header_may_wait("21.1.5",
                          "Send a binary frame header with a 16-bit length of 65535, then only 10 bytes of "
                          "payload, then nothing.",
                          announcing(opcode::binary, 65535, payload{"0123456789"})));
    b.add(header_must_fail(
        "21.1.6",
        "Send a Ping frame header announcing 2^62 bytes (64-bit length), then 16 bytes of payload, "
        "then nothing.",
        "The server fails the connection at the header (1002, or 1009: the payload is too big), without "
        "waiting for the payload: a control frame carries at most 125 bytes. No Pong, nothing echoed.",
        {"5.5", "control frames must have a payload length of 125 bytes or less; a larger one fails the "
                "connection"},
        announcing(opcode::ping, 1ull << 62, sixteen_bytes), {1002, 1009}));
}

// ---------------------------------------------------------------- 21.2 handshakes

const payload hello{"Hello, handshake!"};

/// The server may refuse the request (any 4xx) or accept it and echo one message; if it
/// closes, or lets it time out, without an answer, that is recorded.
case_def handshake_either(std::string id, std::string description, std::string expectation, rfc_ref rfc,
                          std::function<std::string(std::string_view, std::string_view)> request) {
    auto c = abuse_case(std::move(id), std::move(description), std::move(expectation), std::move(rfc), [request] {
        script sc;
        sc.handshake.raw_request = request;
        sc.handshake.must = handshake_spec::expect::either;
        // Accepted after all: one message shows the connection works.
        sc.steps.emplace_back(build::frame(opcode::text, hello));
        sc.outcomes = {build::ok({build::text(hello)})};
        sc.close = build::we_close();
        return sc;
    });
    c.tests_servers_only = true;
    return c;
}

/// The fields of a valid opening handshake, without the blank line that ends the head.
std::string valid_fields(std::string_view host, std::string_view key) {
    return "GET / HTTP/1.1\r\n"
           "Host: " + std::string{host} + "\r\n"
           "Upgrade: websocket\r\n"
           "Connection: Upgrade\r\n"
           "Sec-WebSocket-Key: " + std::string{key} + "\r\n"
           "Sec-WebSocket-Version: 13\r\n";
}

void add_handshakes(catalog_builder& b) {
    b.add_section("21.2", "Oversized and unfinished opening handshakes");
    const rfc_ref field_limits{"RFC 9110 5.4", "a server that will not process header fields this large "
                                               "answers with a 4xx (431, RFC 6585 5); it may also accept them"};
    b.add(waiting(handshake_either(
        "21.2.1",
        "Send a valid opening handshake with one extra header field (X-Padding) whose value is 64 KiB long.",
        "The server refuses the request with a 4xx (431 Request Header Fields Too Large is the usual "
        "answer), or accepts it and echoes a message. Closing without an answer is recorded.",
        field_limits, [](std::string_view host, std::string_view key) {
            return valid_fields(host, key) + "X-Padding: " + std::string(64 * 1024, 'a') + "\r\n\r\n";
        })));
    b.add(waiting(handshake_either(
        "21.2.2",
        "Send a valid opening handshake with 2000 extra header fields (X-Padding-0 to X-Padding-1999), "
        "64 KiB of fields in all.",
        "The server refuses the request with a 4xx (431 Request Header Fields Too Large is the usual "
        "answer), or accepts it and echoes a message. Closing without an answer is recorded.",
        field_limits, [](std::string_view host, std::string_view key) {
            std::string head = valid_fields(host, key);
            for (int i = 0; i < 2000; ++i) {
                head += "X-Padding-" + std::to_string(i) + ": " + std::string(16, 'a') + "\r\n";
            }
            return head + "\r\n";
        })));
    b.add(waiting(handshake_either(
        "21.2.3",
        "Send the fields of a valid opening handshake without the blank line that ends the head, then "
        "nothing (wscheck waits for an answer as long as its handshake timeout).",
        "The head never ends. A robust server bounds the time it gives a request head: it answers 408 "
        "(or another 4xx) or closes the connection. Whether and when it did is recorded.",
        {"10.4", "an endpoint protects itself against resource exhaustion; how long it waits for a "
                 "request head is its own choice"},
        [](std::string_view host, std::string_view key) { return valid_fields(host, key); })));
    {
        // Slowloris: a valid request, a byte at a time, so slowly that it cannot end within
        // wscheck's handshake timeout. What the server does meanwhile is the finding.
        auto c = handshake_either(
            "21.2.4",
            "Send a valid opening handshake one byte every 250 ms (a slow client: about 200 bytes would "
            "take 50 s; wscheck gives up after its handshake timeout).",
            "A robust server bounds the time a request head may take (408, another 4xx, or closing the "
            "connection), or waits; what it did and when is recorded. If it answers 101 after all, it "
            "must echo a message.",
            {"10.4", "an endpoint protects itself against clients that hold connections open with slow "
                     "requests; the bound is its own choice"},
            [](std::string_view host, std::string_view key) { return valid_fields(host, key) + "\r\n"; });
        const auto inner = c.build;
        c.build = [inner] {
            script sc = inner();
            sc.handshake.chop = 1;
            sc.handshake.chop_pause = milliseconds{250};
            return sc;
        };
        b.add(waiting(std::move(c)));
    }
}

// ---------------------------------------------------------------- 21.3 fragments

constexpr std::size_t many_fragments = 100'000;

/// The label of the pause that follows a flood: its event is recorded only if the connection
/// is still open when the pause ends (case.hpp), so a trace tells a server that ended the
/// connection from one that stayed open and said nothing.
const char* const still_open = "still open";

bool is_still_open(const event& e) { return e == build::timed_out(still_open); }

void add_fragments(catalog_builder& b) {
    b.add_section("21.3", "Messages in endless fragments");
    {
        auto c = abuse_case(
            "21.3.1",
            "Send a text message of 100000 bytes ('*') in 100000 fragments of 1 byte, in one "
            "write, then wait up to 2 s for the echo.",
            "The server reassembles the message and echoes it (OK), or refuses it by ending the "
            "connection (1009: a limit on fragments or message size is its own; INFORMATIONAL). "
            "Neither within 2 s is NON-STRICT. How the connection ended is recorded.",
            {"5.4", "a message may have any number of fragments; an endpoint with limits "
                    "protects itself (10.4)"},
            [] {
                const payload data = build::repeated("*", many_fragments);
                const event echo = build::text(data);
                script sc;
                sc.steps.emplace_back(send_message{opcode::text, data, 1, 0});
                build::add_answer_wait(sc, 1, patience, still_open);
                sc.outcomes = {
                    // The echo may come after the pause's event from a slow server: either order.
                    matching(behavior::ok, "the message echoed",
                             [echo](const std::vector<event>& got) {
                                 return (got.size() == 1 && got[0] == echo) ||
                                        (got.size() == 2 && ((got[0] == echo && is_still_open(got[1])) ||
                                                             (is_still_open(got[0]) && got[1] == echo)));
                             }),
                    matching(behavior::informational,
                             "nothing echoed and the connection ended: the server refused "
                             "the message",
                             [](const std::vector<event>& got) { return got.empty(); }),
                    matching(behavior::non_strict,
                             "the connection still open 2 s later, the message neither echoed "
                             "nor refused",
                             [](const std::vector<event>& got) { return got.size() == 1 && is_still_open(got[0]); })};
                sc.close = recorded_close();
                return sc;
            });
        c.timeout = after_pause;
        c.on_timeout = timeout_action::close;
        b.add(std::move(c));
    }
    b.add(abuse_case("21.3.2",
                     "Send a text frame of 1 byte without FIN, then 100000 continuation frames of 1 "
                     "byte, none with FIN, then nothing.",
                     "Nothing is echoed: the message never ends. A robust server either keeps up "
                     "(and waits) or fails the connection at a limit of its own (1009). How and when "
                     "the connection ended is recorded.",
                     {"10.4", "an endpoint with a limit on message size or fragment count must protect "
                              "itself against messages beyond it"},
                     [] {
                         const payload star{"*"};
                         script sc;
                         sc.steps.reserve(many_fragments + 1);
                         sc.steps.emplace_back(build::frame(opcode::text, star, false));
                         for (std::size_t i = 0; i < many_fragments; ++i) {
                             sc.steps.emplace_back(build::frame(opcode::cont, star, false));
                         }
                         sc.outcomes = {build::ok()};
                         sc.close = recorded_close();
                         return sc;
                     }));
}

// ---------------------------------------------------------------- 21.4 floods

constexpr std::size_t flood_size = 1000;

/// Ping i's payload: "ping-<i>", padded with '.' to `size` bytes when larger.
payload ping_payload(std::size_t i, std::size_t size) {
    std::string p = "ping-" + std::to_string(i);
    if (p.size() < size) {
        p.append(size - p.size(), '.');
    }
    return payload{p};
}

/// `got` is Pongs for an in-order subset of `pings`, each answered at most once, and nothing
/// else (empty included).
bool pongs_in_order(std::span<const event> got, const std::vector<payload>& pings) {
    std::size_t next = 0; // the first Ping a Pong may still answer
    for (const auto& e : got) {
        if (e.what != event::kind::pong) {
            return false;
        }
        while (next < pings.size() && !(pings[next] == e.data)) {
            ++next;
        }
        if (next == pings.size()) {
            return false;
        }
        ++next;
    }
    return true;
}

/// 5.5.3 lets a peer answer only the latest of the Pings it has not answered yet: Pongs for an
/// in-order subset of the Pings, the last Ping's among them (5.5.2: every Ping gets a Pong,
/// or a later one does), then the connection still open.
bool answers_some_pings(const std::vector<event>& got, const std::vector<payload>& pings) {
    if (got.size() < 2 || !is_still_open(got.back())) {
        return false;
    }
    const std::span<const event> pongs{got.data(), got.size() - 1};
    return pongs_in_order(pongs, pings) && pongs.back().data == pings.back();
}

/// 10.4: a server may protect itself from a flood by ending the connection (some libraries
/// drop it after a number of unanswered Pings); the Pongs it sent before must still be right.
bool ended_during_flood(const std::vector<event>& got, const std::vector<payload>& pings) {
    return pongs_in_order(got, pings);
}

case_def ping_flood(std::string id, std::size_t payload_size) {
    auto c = abuse_case(
        std::move(id),
        "Send 1000 Pings back to back, with payloads \"ping-0\" to \"ping-999\"" +
            (payload_size > 0 ? ", each padded with '.' to " + std::to_string(payload_size) +
                                    " bytes, the most a control frame may carry"
                              : std::string{}) +
            "; then wait 2 s.",
        "A Pong for every Ping, with its payload, in order (OK). Pongs for only some of "
        "them, in order and ending with the last Ping's, are allowed (NON-STRICT). A server "
        "may instead end the connection during the flood to protect itself (INFORMATIONAL), "
        "but one that stays open without answering the last Ping fails. How the connection "
        "ended is recorded.",
        {"5.5.2", "every Ping gets a Pong as soon as practical; 5.5.3: a peer may answer only "
                  "the latest of the Pings it has not answered yet"},
        [payload_size] {
            std::vector<payload> pings;
            std::vector<event> pongs;
            script sc;
            for (std::size_t i = 0; i < flood_size; ++i) {
                pings.push_back(ping_payload(i, payload_size));
                sc.steps.emplace_back(build::frame(opcode::ping, pings.back()));
                pongs.push_back(build::pong(pings.back()));
            }
            sc.steps.emplace_back(pause{patience, still_open});
            pongs.push_back(build::timed_out(still_open));
            sc.outcomes = {
                build::ok(std::move(pongs)),
                matching(behavior::non_strict,
                         "Pongs for an in-order subset of the Pings, ending with the last one's, and the "
                         "connection still open",
                         [pings](const std::vector<event>& got) { return answers_some_pings(got, pings); }),
                matching(behavior::informational,
                         "the server ended the connection during the flood, after Pongs for an in-order subset "
                         "of the Pings",
                         [pings](const std::vector<event>& got) { return ended_during_flood(got, pings); })};
            sc.close = recorded_close();
            return sc;
        });
    c.strict = strictness::should;
    c.timeout = after_pause;
    c.on_timeout = timeout_action::close;
    return c;
}

void add_floods(catalog_builder& b) {
    b.add_section("21.4", "Floods of control frames");
    b.add(ping_flood("21.4.1", 0));
    b.add(ping_flood("21.4.2", 125));
    {
        auto c = abuse_case(
            "21.4.3",
            "Send 1000 unsolicited Pongs back to back (payloads \"pong-0\" to \"pong-999\"), "
            "then one Ping (\"ping after pongs\"), then wait 2 s.",
            "No answer to the Pongs; one Pong answering the Ping (OK). A server may instead "
            "end the connection during the flood to protect itself (INFORMATIONAL). How the "
            "connection ended is recorded.",
            {"5.5.3", "an unsolicited Pong expects no response; a Ping still gets its Pong"}, [] {
                const payload ping{"ping after pongs"};
                script sc;
                for (std::size_t i = 0; i < flood_size; ++i) {
                    sc.steps.emplace_back(build::frame(opcode::pong, payload{"pong-" + std::to_string(i)}));
                }
                sc.steps.emplace_back(build::frame(opcode::ping, ping));
                sc.steps.emplace_back(pause{patience, still_open});
                sc.outcomes = {build::ok({build::pong(ping), build::timed_out(still_open)}),
                               matching(behavior::informational, "the server ended the connection during the flood",
                                        [ping](const std::vector<event>& got) {
                                            return got.empty() || (got.size() == 1 && got[0] == build::pong(ping));
                                        })};
                sc.close = recorded_close();
                return sc;
            });
        c.timeout = after_pause;
        c.on_timeout = timeout_action::close;
        b.add(std::move(c));
    }
}


// ---------------------------------------------------------------- 21.5 idle connections

constexpr std::size_t idle_count = 100;

void add_idle_connections(catalog_builder& b) {
    b.add_section("21.5", "Many idle connections");
    // The case's own connection is an ordinary handshake and echo, made while the others
    // sit idle; a server that limits connections may refuse it instead.
    auto c = handshake_either(
        "21.5.1",
        "Open 100 other connections, complete their opening handshakes and leave them idle; then, on "
        "a new connection, send a text message.",
        "The server keeps serving: it echoes the message (OK), or, if it limits connections, refuses "
        "the new one with a 4xx (503 is a 5xx: FAILED, a limit is answered with 4xx such as 429). "
        "Closing without an answer is recorded. The reason counts how the 100 were answered.",
        {"10.4", "an endpoint may limit the resources a peer holds, but must go on serving within them"},
        [](std::string_view host, std::string_view key) { return valid_fields(host, key) + "\r\n"; });
    const auto inner = c.build;
    c.build = [inner] {
        script sc = inner();
        sc.idle_connections = idle_count;
        return sc;
    };
    b.add(std::move(c));
}

} // namespace

void add_resource_abuse(catalog_builder& b) {
    b.add_section("21", "Resource Abuse");
    add_lengths(b);
    add_handshakes(b);
    add_fragments(b);
    add_floods(b);
    add_idle_connections(b);
}

} // namespace wscheck::cases
