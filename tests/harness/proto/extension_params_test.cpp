#include "harness/proto/extension_params.hpp"

#include "harness/proto/error.hpp"
#include "harness/proto/http1.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace wscheck::proto {
namespace {

/// The single element of a Sec-WebSocket-Extensions value; the test fails if it has more.
extension_offer one(std::string_view value) {
    const auto parsed = parse_extensions(value);
    EXPECT_TRUE(parsed.has_value()) << value;
    if (!parsed || parsed->size() != 1) {
        ADD_FAILURE() << "not one extension: " << value;
        return {};
    }
    return parsed->front();
}

std::vector<extension_offer> all(std::string_view value) {
    auto parsed = parse_extensions(value);
    EXPECT_TRUE(parsed.has_value()) << value;
    return parsed.value_or(std::vector<extension_offer>{});
}

std::error_code offer_error(std::string_view value) {
    deflate_offer out;
    return parse_deflate_offer(one(value), out);
}

std::error_code response_error(std::string_view value) {
    deflate_response out;
    return parse_deflate_response(one(value), out);
}

// ---- parsing: every parameter, with and without values ----

TEST(deflate_offer_parse, bare_offer_has_no_parameters) {
    deflate_offer o;
    ASSERT_FALSE(parse_deflate_offer(one("permessage-deflate"), o));
    EXPECT_EQ(o, deflate_offer{});
}

TEST(deflate_offer_parse, every_parameter) {
    deflate_offer o;
    ASSERT_FALSE(parse_deflate_offer(
        one("permessage-deflate; server_no_context_takeover; client_no_context_takeover; "
            "server_max_window_bits=10; client_max_window_bits=9"),
        o));
    EXPECT_TRUE(o.server_no_context_takeover);
    EXPECT_TRUE(o.client_no_context_takeover);
    EXPECT_EQ(o.server_max_window_bits, 10);
    EXPECT_TRUE(o.client_max_window_bits);
    EXPECT_EQ(o.client_max_window_bits_value, 9);
}

TEST(deflate_offer_parse, client_max_window_bits_without_a_value) {
    deflate_offer o;
    ASSERT_FALSE(parse_deflate_offer(one("permessage-deflate; client_max_window_bits"), o));
    EXPECT_TRUE(o.client_max_window_bits);
    EXPECT_FALSE(o.client_max_window_bits_value);
}

TEST(deflate_offer_parse, quoted_values_are_the_same_values) {
    // RFC 7692 7.1: the value may be a quoted-string; "10" is 10.
    deflate_offer o;
    ASSERT_FALSE(parse_deflate_offer(
        one(R"(permessage-deflate; server_max_window_bits="10"; client_max_window_bits="8")"), o));
    EXPECT_EQ(o.server_max_window_bits, 10);
    EXPECT_EQ(o.client_max_window_bits_value, 8);
}

TEST(deflate_offer_parse, window_bits_must_be_8_to_15_without_leading_zeros) {
    for (const auto* bad : {"7", "16", "0", "010", "08", "1a", "-9", "+9", "9.0", "99999999999"}) {
        EXPECT_EQ(offer_error(std::string("permessage-deflate; server_max_window_bits=") + bad),
                  violation::deflate_bad_param_value)
            << bad;
        EXPECT_EQ(offer_error(std::string("permessage-deflate; client_max_window_bits=\"") + bad + "\""),
                  violation::deflate_bad_param_value)
            << bad;
    }
    for (int bits = 8; bits <= 15; ++bits) {
        deflate_offer o;
        ASSERT_FALSE(parse_deflate_offer(
            one("permessage-deflate; server_max_window_bits=" + std::to_string(bits)), o));
        EXPECT_EQ(o.server_max_window_bits, bits);
    }
}

TEST(deflate_offer_parse, server_max_window_bits_needs_a_value) {
    EXPECT_EQ(offer_error("permessage-deflate; server_max_window_bits"),
              violation::deflate_bad_param_value);
}

TEST(deflate_offer_parse, flags_take_no_value) {
    EXPECT_EQ(offer_error("permessage-deflate; server_no_context_takeover=1"),
              violation::deflate_bad_param_value);
    EXPECT_EQ(offer_error("permessage-deflate; client_no_context_takeover=\"x\""),
              violation::deflate_bad_param_value);
}

TEST(deflate_offer_parse, unknown_and_duplicate_parameters) {
    EXPECT_EQ(offer_error("permessage-deflate; foo"), violation::deflate_unknown_param);
    // Parameter names are compared exactly (RFC 7692 spells them in lower case).
    EXPECT_EQ(offer_error("permessage-deflate; Server_No_Context_Takeover"),
              violation::deflate_unknown_param);
    EXPECT_EQ(offer_error("permessage-deflate; client_max_window_bits; client_max_window_bits=10"),
              violation::deflate_duplicate_param);
    EXPECT_EQ(offer_error("permessage-deflate; server_no_context_takeover; server_no_context_takeover"),
              violation::deflate_duplicate_param);
}

TEST(deflate_response_parse, every_parameter) {
    deflate_response r;
    ASSERT_FALSE(parse_deflate_response(
        one("permessage-deflate;server_no_context_takeover;client_no_context_takeover;"
            "server_max_window_bits=12;client_max_window_bits=13"),
        r));
    EXPECT_TRUE(r.server_no_context_takeover);
    EXPECT_TRUE(r.client_no_context_takeover);
    EXPECT_EQ(r.server_max_window_bits, 12);
    EXPECT_EQ(r.client_max_window_bits, 13);
    const auto a = deflate_agreement::from(r);
    EXPECT_EQ(a.server_max_window_bits, 12);
    EXPECT_EQ(a.client_max_window_bits, 13);
}

TEST(deflate_response_parse, window_bits_need_a_value_in_a_response) {
    EXPECT_EQ(response_error("permessage-deflate; client_max_window_bits"),
              violation::deflate_bad_param_value);
    EXPECT_EQ(response_error("permessage-deflate; server_max_window_bits"),
              violation::deflate_bad_param_value);
}

TEST(deflate_response_parse, absent_window_bits_agree_on_15) {
    deflate_response r;
    ASSERT_FALSE(parse_deflate_response(one("permessage-deflate"), r));
    const auto a = deflate_agreement::from(r);
    EXPECT_EQ(a.server_max_window_bits, 15);
    EXPECT_EQ(a.client_max_window_bits, 15);
    EXPECT_FALSE(a.server_no_context_takeover);
    EXPECT_FALSE(a.client_no_context_takeover);
}

// ---- building ----

TEST(deflate_build, offers_and_responses_round_trip_through_the_9_1_grammar) {
    deflate_offer o;
    o.server_no_context_takeover = true;
    o.server_max_window_bits = 9;
    o.client_max_window_bits = true;
    const deflate_offer plain{};
    const std::vector<deflate_offer> offers{o, plain};
    const std::string header = format_deflate_offers(offers);
    EXPECT_EQ(header, "permessage-deflate; server_no_context_takeover; server_max_window_bits=9; "
                      "client_max_window_bits, permessage-deflate");
    const auto parsed = all(header);
    ASSERT_EQ(parsed.size(), 2u);
    deflate_offer back;
    ASSERT_FALSE(parse_deflate_offer(parsed[0], back));
    EXPECT_EQ(back, o);
    ASSERT_FALSE(parse_deflate_offer(parsed[1], back));
    EXPECT_EQ(back, plain);

    deflate_response r;
    r.client_no_context_takeover = true;
    r.client_max_window_bits = 11;
    EXPECT_EQ(format_extensions({to_extension(r)}),
              "permessage-deflate; client_no_context_takeover; client_max_window_bits=11");
    deflate_response r_back;
    ASSERT_FALSE(parse_deflate_response(to_extension(r), r_back));
    EXPECT_EQ(r_back, r);
    EXPECT_EQ(format_deflate_offers({}), "");
}

// ---- the client's checks of a response (RFC 7692 5, 7.1) ----

std::error_code client_check(std::vector<deflate_offer> offers, std::string_view response,
                             std::optional<deflate_agreement>& out) {
    return check_deflate_response(offers, all(response), out);
}

deflate_offer offer_with_client_bits(std::optional<std::uint8_t> value = std::nullopt) {
    deflate_offer o;
    o.client_max_window_bits = true;
    o.client_max_window_bits_value = value;
    return o;
}

TEST(deflate_client_check, a_declined_offer_is_no_agreement) {
    std::optional<deflate_agreement> out = deflate_agreement{};
    EXPECT_FALSE(check_deflate_response(std::vector{deflate_offer{}}, {}, out));
    EXPECT_FALSE(out);
    EXPECT_FALSE(client_check({deflate_offer{}}, "x-other", out));
    EXPECT_FALSE(out);
}

TEST(deflate_client_check, plain_acceptance) {
    std::optional<deflate_agreement> out;
    ASSERT_FALSE(client_check({deflate_offer{}}, "permessage-deflate", out));
    ASSERT_TRUE(out);
    EXPECT_EQ(*out, deflate_agreement{});
}

TEST(deflate_client_check, client_max_window_bits_not_offered) {
    std::optional<deflate_agreement> out;
    EXPECT_EQ(client_check({deflate_offer{}}, "permessage-deflate; client_max_window_bits=10", out),
              violation::deflate_not_offered);
    EXPECT_FALSE(out);
}

TEST(deflate_client_check, client_max_window_bits_offered) {
    std::optional<deflate_agreement> out;
    ASSERT_FALSE(client_check({offer_with_client_bits()}, "permessage-deflate; client_max_window_bits=10", out));
    EXPECT_EQ(out->client_max_window_bits, 10);
    // Offered with a value: the response may lower it, not raise it (7.1.2.2).
    ASSERT_FALSE(client_check({offer_with_client_bits(12)}, "permessage-deflate; client_max_window_bits=12", out));
    EXPECT_EQ(client_check({offer_with_client_bits(12)}, "permessage-deflate; client_max_window_bits=13", out),
              violation::deflate_not_offered);
}

TEST(deflate_client_check, server_max_window_bits_rules) {
    deflate_offer o;
    o.server_max_window_bits = 10;
    std::optional<deflate_agreement> out;
    ASSERT_FALSE(client_check({o}, "permessage-deflate; server_max_window_bits=10", out));
    EXPECT_EQ(out->server_max_window_bits, 10);
    ASSERT_FALSE(client_check({o}, "permessage-deflate; server_max_window_bits=8", out));
    EXPECT_EQ(out->server_max_window_bits, 8);
    EXPECT_EQ(client_check({o}, "permessage-deflate; server_max_window_bits=11", out),
              violation::deflate_not_offered);
    // Offered, then left out: the server would use 15.
    EXPECT_EQ(client_check({o}, "permessage-deflate", out), violation::deflate_param_dropped);
    // Not offered: a server may still limit its own window (7.1.2.1).
    ASSERT_FALSE(client_check({deflate_offer{}}, "permessage-deflate; server_max_window_bits=9", out));
    EXPECT_EQ(out->server_max_window_bits, 9);
}

TEST(deflate_client_check, server_no_context_takeover_rules) {
    deflate_offer o;
    o.server_no_context_takeover = true;
    std::optional<deflate_agreement> out;
    EXPECT_EQ(client_check({o}, "permessage-deflate", out), violation::deflate_param_dropped);
    ASSERT_FALSE(client_check({o}, "permessage-deflate; server_no_context_takeover", out));
    EXPECT_TRUE(out->server_no_context_takeover);
    // Not offered: the server may still reset its own compressor (7.1.1.1).
    ASSERT_FALSE(client_check({deflate_offer{}}, "permessage-deflate; server_no_context_takeover", out));
    EXPECT_TRUE(out->server_no_context_takeover);
}

TEST(deflate_client_check, client_no_context_takeover_may_come_unasked) {
    std::optional<deflate_agreement> out;
    ASSERT_FALSE(client_check({deflate_offer{}}, "permessage-deflate; client_no_context_takeover", out));
    EXPECT_TRUE(out->client_no_context_takeover);
}

TEST(deflate_client_check, malformed_responses) {
    std::optional<deflate_agreement> out;
    const std::vector<deflate_offer> offers{offer_with_client_bits()};
    EXPECT_EQ(client_check(offers, "permessage-deflate; foo=1", out), violation::deflate_unknown_param);
    EXPECT_EQ(client_check(offers, "permessage-deflate; client_no_context_takeover; client_no_context_takeover", out),
              violation::deflate_duplicate_param);
    EXPECT_EQ(client_check(offers, "permessage-deflate; server_max_window_bits=7", out),
              violation::deflate_bad_param_value);
    EXPECT_EQ(client_check(offers, "permessage-deflate; client_max_window_bits", out),
              violation::deflate_bad_param_value);
    EXPECT_EQ(client_check(offers, "permessage-deflate, permessage-deflate", out),
              violation::deflate_duplicate_extension);
    EXPECT_EQ(client_check({}, "permessage-deflate", out), violation::bad_extension);
    EXPECT_FALSE(out);
}

TEST(deflate_client_check, a_response_fitting_any_offer_is_accepted) {
    deflate_offer strict;
    strict.server_max_window_bits = 9;
    const deflate_offer loose = offer_with_client_bits();
    std::optional<deflate_agreement> out;
    // Fits only the second offer.
    ASSERT_FALSE(client_check({strict, loose}, "permessage-deflate; client_max_window_bits=11", out));
    EXPECT_EQ(out->client_max_window_bits, 11);
    // Fits neither: the first offer's reason.
    EXPECT_EQ(client_check({strict, deflate_offer{}}, "permessage-deflate; client_max_window_bits=11", out),
              violation::deflate_param_dropped);
}

TEST(deflate_violations, are_handshake_failures_or_fail_with_their_close_code) {
    for (const auto v : {violation::deflate_unknown_param, violation::deflate_duplicate_param,
                         violation::deflate_bad_param_value, violation::deflate_not_offered,
                         violation::deflate_param_dropped, violation::deflate_duplicate_extension}) {
        EXPECT_TRUE(std::error_code(v) == condition::handshake_failed) << info(v).name;
        EXPECT_EQ(info(v).close_code, 0);
        EXPECT_EQ(info(v).http_status, 0);
    }
    EXPECT_TRUE(std::error_code(violation::misplaced_rsv1) == condition::protocol_violation);
    EXPECT_EQ(info(violation::misplaced_rsv1).close_code, 1002);
    EXPECT_EQ(info(violation::inflated_too_big).close_code, 1009);
    EXPECT_EQ(info(violation::deflate_duplicate_extension).name, "deflate_duplicate_extension");
    EXPECT_EQ(info(violation::misplaced_rsv1).name, "misplaced_rsv1");
}

// ---- the server's side ----

std::optional<deflate_acceptance> negotiate(std::string_view request, deflate_server_policy policy = {}) {
    return negotiate_deflate(all(request), policy);
}

TEST(deflate_negotiate, accepts_a_plain_offer_with_a_plain_response) {
    const auto a = negotiate("permessage-deflate");
    ASSERT_TRUE(a);
    EXPECT_EQ(a->response, deflate_response{});
    EXPECT_EQ(a->agreement, deflate_agreement{});
}

TEST(deflate_negotiate, declines_when_nothing_is_offered_or_every_offer_is_bad) {
    EXPECT_FALSE(negotiate("x-webkit-deflate-frame"));
    EXPECT_FALSE(negotiate("permessage-deflate; foo, permessage-deflate; server_max_window_bits=7"));
}

TEST(deflate_negotiate, skips_a_bad_offer_for_the_next_one) {
    const auto a = negotiate("permessage-deflate; server_max_window_bits=16, x-other, "
                             "permessage-deflate; client_max_window_bits");
    ASSERT_TRUE(a);
    EXPECT_EQ(a->offer_index, 1u);
}

TEST(deflate_negotiate, offers_across_several_header_fields_keep_their_order) {
    // RFC 6455 9.1: several Sec-WebSocket-Extensions fields are one list, in order.
    const std::string request =
        "GET / HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
        "Sec-WebSocket-Extensions: x-other; a=1, permessage-deflate; server_max_window_bits=99\r\n"
        "Sec-WebSocket-Extensions: permessage-deflate; server_max_window_bits=\"11\"; client_max_window_bits\r\n"
        "Sec-WebSocket-Extensions: permessage-deflate\r\n\r\n";
    http_parser parser(http_parser::kind::request);
    std::size_t used = 0;
    ASSERT_EQ(parser.feed(request, used), http_parser::status::done);
    accepted_request accepted;
    ASSERT_FALSE(check_request(parser.head(), accepted));
    ASSERT_EQ(accepted.extensions.size(), 4u);
    const auto a = negotiate_deflate(accepted.extensions, {});
    ASSERT_TRUE(a);
    EXPECT_EQ(a->offer_index, 1u); // the first permessage-deflate offer is invalid (99 bits)
    EXPECT_EQ(a->response.server_max_window_bits, 11);
    EXPECT_EQ(a->agreement.server_max_window_bits, 11);
}

TEST(deflate_negotiate, honours_what_the_offer_asks_of_the_server) {
    const auto a = negotiate("permessage-deflate; server_no_context_takeover; server_max_window_bits=10");
    ASSERT_TRUE(a);
    EXPECT_TRUE(a->response.server_no_context_takeover);
    EXPECT_EQ(a->response.server_max_window_bits, 10);
    EXPECT_TRUE(a->agreement.server_no_context_takeover);
    EXPECT_EQ(a->agreement.server_max_window_bits, 10);
}

TEST(deflate_negotiate, policy_limits_within_the_offer) {
    deflate_server_policy policy;
    policy.server_max_window_bits = 9;
    policy.client_max_window_bits = 10;
    policy.client_no_context_takeover = true;
    // Without client_max_window_bits in the offer, the client's window cannot be asked for.
    auto a = negotiate("permessage-deflate", policy);
    ASSERT_TRUE(a);
    EXPECT_EQ(a->response.server_max_window_bits, 9);
    EXPECT_FALSE(a->response.client_max_window_bits);
    EXPECT_TRUE(a->response.client_no_context_takeover);
    EXPECT_EQ(a->agreement.client_max_window_bits, 15);
    a = negotiate("permessage-deflate; client_max_window_bits", policy);
    EXPECT_EQ(a->response.client_max_window_bits, 10);
    a = negotiate("permessage-deflate; client_max_window_bits=8; server_max_window_bits=12", policy);
    EXPECT_EQ(a->response.client_max_window_bits, 8);
    EXPECT_EQ(a->response.server_max_window_bits, 9);
}

TEST(deflate_negotiate, every_response_it_builds_passes_the_client_check) {
    // The server side and the client side agree on the rules, for every parameter mix.
    const std::vector<std::string> offers{
        "permessage-deflate",
        "permessage-deflate; client_max_window_bits",
        "permessage-deflate; client_max_window_bits=9",
        "permessage-deflate; server_max_window_bits=8",
        "permessage-deflate; server_no_context_takeover; client_no_context_takeover",
        "permessage-deflate; server_max_window_bits=11; client_max_window_bits=12; server_no_context_takeover",
    };
    for (int server_bits = 8; server_bits <= 15; ++server_bits) {
        for (int client_bits = 8; client_bits <= 15; client_bits += 7) {
            deflate_server_policy policy;
            policy.server_max_window_bits = static_cast<std::uint8_t>(server_bits);
            policy.client_max_window_bits = static_cast<std::uint8_t>(client_bits);
            policy.server_no_context_takeover = server_bits % 2 == 0;
            for (const auto& text : offers) {
                const auto a = negotiate(text, policy);
                ASSERT_TRUE(a) << text;
                deflate_offer o;
                ASSERT_FALSE(parse_deflate_offer(one(text), o));
                std::optional<deflate_agreement> out;
                EXPECT_FALSE(check_deflate_response(std::vector{o}, {to_extension(a->response)}, out))
                    << text << " / " << format_extensions({to_extension(a->response)});
                EXPECT_EQ(out, a->agreement) << text;
            }
        }
    }
}

} // namespace
} // namespace wscheck::proto
