// Section 22, permessage-deflate rules (RFC 7692), wscheck's own: what the Autobahn
// Testsuite's sections 12 and 13 never check.
//   22.1 negotiation: offers a server must decline (5: a parameter not defined for an offer,
//        a bad value, the same parameter twice) and valid offers whose answer section 7.1
//        constrains; every response is checked with the core's client check (a response a
//        client must refuse fails the case), and where the connection opens a message is
//        echoed so the agreement is seen to work.
//   22.2 frames: RSV1 where 6.1 forbids it, an uncompressed message between compressed ones,
//        data that does not inflate, an empty and a fragmented compressed message, and a
//        decompression bomb.
// Every offer is designed so that a conformant server has a valid answer. 22.1 tests servers
// only: the offer is a client's. 22.2 applies to both roles: testing a client, we accept its
// first valid offer as offered and send the same frames as a server (unmasked); a client that
// offers no permessage-deflate gets UNIMPLEMENTED.
#include "cases/builders.hpp"
#include "cases/catalog.hpp"
#include "cases/compression_data.hpp"

#include "harness/proto/deflate_stream.hpp"

#include <string>

namespace wscheck::cases {

namespace {

using build::with_rsv;
using proto::opcode;

case_def deflate_case(std::string id, std::string description, std::string expectation, rfc_ref rfc,
                      std::function<script()> build, bool servers_only = true) {
    auto c = build::make_case(std::move(id), std::move(description), std::move(expectation), std::move(rfc),
                              std::move(build));
    c.tests_servers_only = servers_only;
    c.timeout = milliseconds{2000};
    return c;
}

proto::deflate_offer plain_offer() { return {}; }

/// An offer the server must decline (RFC 7692 5): sent as written; the connection must open
/// without the extension (or the server may refuse the handshake), then a text message is
/// echoed uncompressed.
case_def must_decline(std::string id, std::string offer, std::string what) {
    return deflate_case(
        std::move(id), "Offer \"" + offer + "\" (" + what + "), then send a text message.",
        "The server declines the offer: a 101 without permessage-deflate (refusing the handshake is allowed "
        "too), then the message is echoed.",
        {"RFC 7692 5", "a server must decline an offer with an unknown parameter, a bad value or a parameter twice"},
        [offer] {
            script sc;
            sc.handshake.must = handshake_spec::expect::either;
            sc.deflate = deflate_spec{{}, offer, false};
            sc.steps.push_back(build::frame(opcode::text, "Hello"));
            sc.outcomes = {build::ok({build::text("Hello")})};
            sc.close = build::we_close();
            return sc;
        });
}

/// A valid offer: the response must be one 7.1 allows for it (checked by the core); when the
/// server accepts, compressed messages go both ways and must come back as sent.
case_def answered_within(std::string id, std::vector<proto::deflate_offer> offers, std::string what, rfc_ref rfc,
                         std::vector<payload> messages) {
    const std::string offered = proto::format_deflate_offers(offers);
    return deflate_case(std::move(id),
                        "Offer \"" + offered + "\" (" + what + "), then send " + std::to_string(messages.size()) +
                            " compressed text messages.",
                        "A response section 7.1 allows for the offer, then every message echoed as sent "
                        "(inflated in the agreed window and context). A server that declines gets UNIMPLEMENTED.",
                        std::move(rfc), [offers, messages] {
                            script sc;
                            sc.deflate = deflate_spec{offers, {}, true, {deflate_accept_rule{}}, {}};
                            compression::echo_each(sc, messages);
                            return sc;
                        });
}

/// A case of 22.2: for servers and clients alike.
case_def frame_case(std::string id, std::string description, std::string expectation, rfc_ref rfc,
                    std::function<script()> build) {
    return deflate_case(std::move(id), std::move(description), std::move(expectation), std::move(rfc),
                        std::move(build), false);
}

/// The default offer (testing a client: its first valid offer accepted as offered), the
/// extension required: the frame cases, for both roles.
std::function<script()> with_deflate(std::vector<step> steps, std::vector<outcome> outcomes, close_expectation close) {
    return [steps = std::move(steps), outcomes = std::move(outcomes), close] {
        script sc;
        sc.deflate = deflate_spec{{plain_offer()}, {}, true};
        sc.steps = steps;
        sc.outcomes = outcomes;
        sc.close = close;
        return sc;
    };
}

} // namespace

void add_deflate_rules(catalog_builder& b) {
    b.add_section("22", "permessage-deflate rules (RFC 7692)");
    b.add_section("22.1", "Negotiation");
    b.add(must_decline("22.1.1", "permessage-deflate; server_max_window_bits=7", "window bits below 8"));
    b.add(must_decline("22.1.2", "permessage-deflate; server_max_window_bits=16", "window bits above 15"));
    b.add(must_decline("22.1.3", "permessage-deflate; client_max_window_bits=7", "client window bits below 8"));
    b.add(must_decline("22.1.4", "permessage-deflate; server_max_window_bits", "server_max_window_bits without a value"));
    b.add(must_decline("22.1.5", "permessage-deflate; server_no_context_takeover; server_no_context_takeover",
                       "a parameter twice"));
    b.add(must_decline("22.1.6", "permessage-deflate; x_wscheck_unknown=1", "a parameter RFC 7692 does not define"));
    b.add(must_decline("22.1.7", "permessage-deflate; server_no_context_takeover=1", "a value on a flag"));
    b.add(must_decline("22.1.8", "permessage-deflate; server_max_window_bits=010", "a leading zero"));

    const std::vector<payload> three_same{"Hello, compressed world!", "Hello, compressed world!",
                                          "Hello, compressed world!"};
    proto::deflate_offer no_client_bits = plain_offer();
    b.add(answered_within("22.1.9", {no_client_bits}, "no client_max_window_bits",
                          {"RFC 7692 7.1.2.2", "a server must not send client_max_window_bits when the offer has none"},
                          three_same));
    proto::deflate_offer reset = plain_offer();
    reset.server_no_context_takeover = true;
    b.add(answered_within("22.1.10", {reset}, "the server to reset its compressor after every message",
                          {"RFC 7692 7.1.1.1", "the server must accept server_no_context_takeover with it in the "
                                               "response, then compress every message on its own"},
                          three_same));
    proto::deflate_offer small_window = plain_offer();
    small_window.server_max_window_bits = 10;
    b.add(answered_within("22.1.11", {small_window}, "a server window of at most 2^10 bytes",
                          {"RFC 7692 7.1.2.1", "an accepting server answers server_max_window_bits of at most the offered value"},
                          three_same));
    proto::deflate_offer client_bits = plain_offer();
    client_bits.client_max_window_bits = true;
    client_bits.client_max_window_bits_value = 10;
    b.add(answered_within("22.1.12", {client_bits}, "a client window of at most 2^10 bytes",
                          {"RFC 7692 7.1.2.2", "client_max_window_bits in the response is at most the offered value"},
                          three_same));
    b.add(deflate_case(
        "22.1.13", "Offer \"permessage-deflate; server_max_window_bits=7, permessage-deflate\" (an invalid offer, then a valid one), then send a compressed text message.",
        "The server declines the first offer and accepts the second (or declines both, or refuses the "
        "handshake): a response valid for \"permessage-deflate\", then the message echoed.",
        {"RFC 7692 5", "a server must not accept an invalid offer; it may accept a later valid one"},
        [] {
            script sc;
            sc.handshake.must = handshake_spec::expect::either;
            sc.deflate = deflate_spec{{plain_offer()}, "permessage-deflate; server_max_window_bits=7, permessage-deflate", false};
            send_message m;
            m.data = "Hello";
            sc.steps.push_back(m);
            sc.outcomes = {build::ok({build::text("Hello")})};
            sc.close = build::we_close();
            return sc;
        }));

    b.add_section("22.2", "Compressed frames");
    const payload hello{"Hello, compressed fragments!"};
    const payload hello_deflated = build::deflated(hello);
    {
        auto first = with_rsv(build::frame(opcode::text, build::slice(hello_deflated, 0, 4), false), 4);
        auto rest = with_rsv(build::frame(opcode::cont, build::slice(hello_deflated, 4)), 4);
        b.add(frame_case("22.2.1", "Send a compressed text message in two frames, both with RSV1 set.",
                           "The peer fails the connection (1002): RSV1 belongs on the first frame only.",
                           {"RFC 7692 6.1", "RSV1 must not be set on a continuation frame; the receiver fails the connection"},
                           with_deflate({first, rest}, {build::ok()}, build::peer_fails({1002}))));
    }
    b.add(frame_case("22.2.2", "Send a Ping with RSV1 set.",
                       "The peer fails the connection (1002): a control frame is never compressed.",
                       {"RFC 7692 6.1", "RSV1 must not be set on a control frame; the receiver fails the connection"},
                       with_deflate({with_rsv(build::frame(opcode::ping, "ping"), 4)}, {build::ok()},
                                    build::peer_fails({1002}))));
    {
        send_message one;
        one.data = "first, compressed";
        send_message three;
        three.data = "third, compressed";
        b.add(frame_case(
            "22.2.3", "Send a compressed text message, an uncompressed one (RSV1 clear), then a compressed one.",
            "All three are echoed as sent: compressing is per message (RSV1 says which).",
            {"RFC 7692 6", "a message with RSV1 clear is not compressed and is received as it is"},
            with_deflate({one, build::frame(opcode::text, "second, not compressed"), three},
                         {build::ok({build::text("first, compressed"), build::text("second, not compressed"),
                                     build::text("third, compressed")})},
                         build::we_close())));
    }
    {
        case_def c = frame_case(
            "22.2.4", "Send a compressed binary message of about 1 MiB that inflates to 1 GiB of zeros.",
            "The peer fails the connection with 1009 (message too big) once the inflated size passes its "
            "limit, without inflating it all; a peer whose limit is above 1 GiB may echo it (NON-STRICT).",
            {"RFC 6455 10.4, 7.4.1", "an endpoint should limit message size and closes with 1009 past it"},
            [] {
                script sc;
                sc.deflate = deflate_spec{{plain_offer()}, {}, true};
                sc.steps.push_back(with_rsv(build::frame(opcode::binary, build::deflated_zeros(1024)), 4));
                sc.outcomes = {build::ok()};
                outcome echoed{behavior::non_strict, {}};
                echoed.accepts = [](const std::vector<event>& got) { return !got.empty(); };
                echoed.rule = "the peer inflated and answered a 1 GiB message (10.4: it should limit what it accepts)";
                sc.outcomes.push_back(std::move(echoed));
                close_expectation cl = build::peer_fails({1009, 1000});
                cl.either_may_close = true;
                sc.close = cl;
                return sc;
            });
        c.strict = strictness::should;
        c.timeout = milliseconds{5000};
        c.on_timeout = timeout_action::close;
        b.add(std::move(c));
    }
    // RFC 7692 names no close code for data that does not inflate: 1007 (data inconsistent
    // with the message) and 1002 (protocol error) both fit RFC 6455 7.4.1.
    b.add(frame_case("22.2.5", "Send a binary message with RSV1 set whose payload is not DEFLATE data (ff ff ff).",
                       "The peer fails the connection, with 1007 or 1002 if it sends a Close.",
                       {"RFC 7692 6.2, RFC 6455 7.4.1", "data that does not inflate fails the connection"},
                       with_deflate({with_rsv(build::frame(opcode::binary, build::bytes({0xff, 0xff, 0xff})), 4)},
                                    {build::ok()}, build::peer_fails({1007, 1002}))));
    b.add(frame_case("22.2.6", "Send an empty compressed text message (RSV1, payload 00).",
                       "The empty message is echoed.",
                       {"RFC 7692 7.2.3.6", "a compressed empty message is the single byte 00"},
                       with_deflate({with_rsv(build::frame(opcode::text, build::bytes({0x00})), 4)},
                                    {build::ok({build::text("")})}, build::we_close())));
    {
        send_message m;
        m.data = "Hello, compressed fragments! Hello, compressed fragments!";
        m.fragment_size = 3;
        b.add(frame_case("22.2.7", "Send a compressed text message whose compressed bytes are split into 3-byte frames.",
                           "The message is echoed as sent.",
                           {"RFC 7692 6.1", "a compressed message may be fragmented; RSV1 on its first frame only"},
                           with_deflate({m}, {build::ok({build::text(m.data)})}, build::we_close())));
    }
    b.add(frame_case("22.2.8", "Send a compressed text message with RSV1 and RSV2 set.",
                       "The peer fails the connection (1002): permessage-deflate gives RSV2 no meaning.",
                       {"RFC 6455 5.2, RFC 7692 6", "a reserved bit no extension defined fails the connection"},
                       with_deflate({with_rsv(build::frame(opcode::text, hello_deflated), 6)}, {build::ok()},
                                    build::peer_fails({1002}))));
}

} // namespace wscheck::cases
