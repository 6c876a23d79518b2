#include "harness/proto/handshake.hpp"

#include "harness/proto/error.hpp"
#include "harness/proto/http1.hpp"

#include <gtest/gtest.h>

#include <cstddef>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

namespace wscheck::proto {
namespace {

using namespace std::string_literals;

// RFC 6455 1.3: the sample nonce and the accept value it gives.
constexpr std::string_view sample_key = "dGhlIHNhbXBsZSBub25jZQ==";
constexpr std::string_view sample_accept = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";

/// Parses a whole head; the test fails when it does not parse or leaves bytes over.
http_head parse_head(http_parser::kind k, std::string_view bytes) {
    http_parser p{k};
    std::size_t used = 0;
    const auto status = p.feed(bytes, used);
    EXPECT_EQ(status, http_parser::status::done) << p.error_detail() << "\n" << bytes;
    EXPECT_EQ(used, bytes.size()) << bytes;
    return p.head();
}

http_head parse_request(std::string_view bytes) {
    return parse_head(http_parser::kind::request, bytes);
}

http_head parse_response(std::string_view bytes) {
    return parse_head(http_parser::kind::response, bytes);
}

/// The request of RFC 6455 1.2, as a client_request.
client_request valid_request() {
    client_request r;
    r.target = "/chat";
    r.host = "server.example.com";
    r.key = std::string{sample_key};
    return r;
}

std::error_code check(const client_request& r) {
    accepted_request out;
    return check_request(parse_request(build_request(r)), out);
}

std::error_code check(std::string_view raw_request) {
    accepted_request out;
    return check_request(parse_request(raw_request), out);
}

/// A request whose fields are exactly `fields`, each line written as given.
std::string raw_request(const std::vector<std::string>& fields,
                        std::string_view start = "GET /chat HTTP/1.1") {
    std::string out{start};
    out += "\r\n";
    for (const auto& f : fields) {
        out += f;
        out += "\r\n";
    }
    out += "\r\n";
    return out;
}

const std::vector<std::string> valid_fields = {
    "Host: server.example.com",
    "Upgrade: websocket",
    "Connection: Upgrade",
    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
    "Sec-WebSocket-Version: 13",
};

/// valid_fields with the field at `index` replaced by `line` (an empty line drops it).
std::vector<std::string> fields_with(std::size_t index, std::string line) {
    std::vector<std::string> out = valid_fields;
    if (line.empty()) {
        out.erase(out.begin() + static_cast<std::ptrdiff_t>(index));
    } else {
        out[index] = std::move(line);
    }
    return out;
}

enum field_index : std::size_t { host = 0, upgrade = 1, connection = 2, key = 3, version = 4 };

// --------------------------------------------------------------------------- compute_accept

TEST(compute_accept, rfc_6455_section_1_3_example) {
    EXPECT_EQ(compute_accept(sample_key), sample_accept);
}

TEST(compute_accept, other_keys_match_sha1_base64_computed_independently) {
    // Values from Python's hashlib and base64.
    EXPECT_EQ(compute_accept("AAAAAAAAAAAAAAAAAAAAAA=="), "ICX+Yqv66kxgM0FcWaLWlFLwTAI=");
    // 1.3: the key is concatenated as the string it is, never base64-decoded, so even a
    // key that is not base64 has an accept value.
    EXPECT_EQ(compute_accept("x"), "JVxkmtKFjDcI/Pm/AGPEKSN6wT8=");
}

TEST(compute_accept, is_28_characters_of_base64_sha1) {
    const std::string a = compute_accept(sample_key);
    ASSERT_EQ(a.size(), 28U); // 20 bytes of SHA-1
    EXPECT_EQ(a.back(), '=');
    EXPECT_NE(compute_accept("dGhlIHNhbXBsZSBub25jZA=="), a);
}

// ----------------------------------------------------------------------------- generate_key

TEST(generate_key, gives_valid_24_character_keys) {
    for (int i = 0; i < 100; ++i) {
        const std::string k = generate_key();
        ASSERT_EQ(k.size(), 24U) << k;
        EXPECT_TRUE(is_valid_key(k)) << k;
    }
}

TEST(generate_key, keys_differ) {
    // 4.1: the nonce is randomly selected for each connection; 128 random bits never repeat
    // in 200 draws unless the generator is broken.
    std::set<std::string> keys;
    for (int i = 0; i < 200; ++i) {
        keys.insert(generate_key());
    }
    EXPECT_EQ(keys.size(), 200U);
}

// ----------------------------------------------------------------------------- is_valid_key

TEST(is_valid_key, accepts_base64_of_16_bytes) {
    EXPECT_TRUE(is_valid_key(sample_key));
    EXPECT_TRUE(is_valid_key("AAAAAAAAAAAAAAAAAAAAAA=="));
    EXPECT_TRUE(is_valid_key("AQIDBAUGBwgJCgsMDQ4PEA=="));
    EXPECT_TRUE(is_valid_key("/////////////////////w==")); // 16 bytes of 0xff
    EXPECT_TRUE(is_valid_key("+/+/+/+/+/+/+/+/+/+/+w=="));
}

TEST(is_valid_key, rejects_other_lengths) {
    EXPECT_FALSE(is_valid_key(""));
    EXPECT_FALSE(is_valid_key("AQIDBAUGBwgJCgsMDQ4P"));     // 15 bytes
    EXPECT_FALSE(is_valid_key("AQIDBAUGBwgJCgsMDQ4PEBE=")); // 17 bytes: 24 chars, one '='
    EXPECT_FALSE(is_valid_key("AQIDBAUGBwgJCgsMDQ4PEBES")); // 18 bytes: 24 chars, no '='
    EXPECT_FALSE(is_valid_key("dGhlIHNhbXBsZSBub25jZQ="));  // 23: one pad missing
    EXPECT_FALSE(is_valid_key("dGhlIHNhbXBsZSBub25jZQ===")); // 25: one pad too many
    EXPECT_FALSE(is_valid_key("dGhlIHNhbXBsZSBub25jZQ"));   // unpadded
    EXPECT_FALSE(is_valid_key("dGhlIHNhbXBsZSBub25jZQ==dGhlIHNhbXBsZSBub25jZQ=="));
}

TEST(is_valid_key, rejects_characters_outside_the_alphabet) {
    EXPECT_FALSE(is_valid_key("dGhlIHNhbXBsZSBub25jZ==="));  // '=' inside the 22
    EXPECT_FALSE(is_valid_key("=GhlIHNhbXBsZSBub25jZQ=="));
    EXPECT_FALSE(is_valid_key("dGhlIHNhbXBsZSBub25j-Q=="));  // base64url's '-'
    EXPECT_FALSE(is_valid_key("dGhlIHNhbXBsZSBub25j_Q=="));  // base64url's '_'
    EXPECT_FALSE(is_valid_key("dGhlIHNhbXBsZSBub25j.Q=="));
    EXPECT_FALSE(is_valid_key("dGhlIHNhbXBsZSB ub25jQ=="));  // inner space
    EXPECT_FALSE(is_valid_key(" dGhlIHNhbXBsZSBub25jZQ=")); // surrounding OWS is the caller's
    EXPECT_FALSE(is_valid_key("dGhlIHNhbXBsZSBub25jZQ= "));
    EXPECT_FALSE(is_valid_key("dGhlIHNhbXBsZSBub25jZQ\t="));
    EXPECT_FALSE(is_valid_key("dGhlIHNhbXBsZSBub25jZQ\0="s));
    EXPECT_FALSE(is_valid_key("dGhlIHNhbXBsZSBub25jZ\xc3\xa4="));
    EXPECT_FALSE(is_valid_key("dGhlIHNhbXBsZSBub25jZQ-="));  // bad pad character
}

TEST(is_valid_key, rejects_non_zero_unused_bits) {
    // The 22nd character carries 2 data bits and 4 unused ones (RFC 4648 3.5): 'Q' is
    // 010000, so 'R' (010001), 'S', 'Z' (011001) and 'T' set unused bits.
    EXPECT_FALSE(is_valid_key("dGhlIHNhbXBsZSBub25jZR=="));
    EXPECT_FALSE(is_valid_key("dGhlIHNhbXBsZSBub25jZS=="));
    EXPECT_FALSE(is_valid_key("dGhlIHNhbXBsZSBub25jZT=="));
    EXPECT_FALSE(is_valid_key("dGhlIHNhbXBsZSBub25jZZ=="));
    EXPECT_FALSE(is_valid_key("AAAAAAAAAAAAAAAAAAAAAB=="));
    EXPECT_FALSE(is_valid_key("//////////////////////=="));
    // 'g' (100000) and 'w' (110000) only use the 2 data bits.
    EXPECT_TRUE(is_valid_key("dGhlIHNhbXBsZSBub25jZg=="));
    EXPECT_TRUE(is_valid_key("dGhlIHNhbXBsZSBub25jZw=="));
}

// ------------------------------------------------------------------------- parse_extensions

using params = std::vector<std::pair<std::string, std::optional<std::string>>>;

TEST(parse_extensions, one_extension_without_parameters) {
    const auto e = parse_extensions("permessage-deflate");
    ASSERT_TRUE(e);
    ASSERT_EQ(e->size(), 1U);
    EXPECT_EQ((*e)[0].name, "permessage-deflate");
    EXPECT_TRUE((*e)[0].params.empty());
}

TEST(parse_extensions, parameters_with_and_without_values) {
    const auto e = parse_extensions(
        "permessage-deflate; client_max_window_bits; server_max_window_bits=10");
    ASSERT_TRUE(e);
    ASSERT_EQ(e->size(), 1U);
    EXPECT_EQ((*e)[0].params, (params{{"client_max_window_bits", std::nullopt},
                                      {"server_max_window_bits", "10"}}));
}

TEST(parse_extensions, several_extensions_keep_their_order) {
    const auto e = parse_extensions("foo; a=1, bar, permessage-deflate; x");
    ASSERT_TRUE(e);
    ASSERT_EQ(e->size(), 3U);
    EXPECT_EQ((*e)[0].name, "foo");
    EXPECT_EQ((*e)[0].params, (params{{"a", "1"}}));
    EXPECT_EQ((*e)[1].name, "bar");
    EXPECT_TRUE((*e)[1].params.empty());
    EXPECT_EQ((*e)[2].name, "permessage-deflate");
    EXPECT_EQ((*e)[2].params, (params{{"x", std::nullopt}}));
}

TEST(parse_extensions, quoted_values_are_unescaped) {
    auto e = parse_extensions(R"(a; p="10")");
    ASSERT_TRUE(e);
    EXPECT_EQ((*e)[0].params, (params{{"p", "10"}}));
    // quoted-pair: "\" CHAR stands for the CHAR
    e = parse_extensions(R"(a; p="\1\0"; q="x\-y")");
    ASSERT_TRUE(e);
    EXPECT_EQ((*e)[0].params, (params{{"p", "10"}, {"q", "x-y"}}));
    // a quoted comma or semicolon is part of the value, not a separator; here it makes the
    // value a non-token, which 9.1 forbids
    EXPECT_FALSE(parse_extensions(R"(a; p="1,2", b)"));
    EXPECT_FALSE(parse_extensions(R"(a; p="1;2")"));
}

TEST(parse_extensions, quoted_values_must_unescape_to_a_token) {
    // 9.1: "the value MUST conform to the token ABNF" after unescaping
    EXPECT_FALSE(parse_extensions(R"(a; p="")"));
    EXPECT_FALSE(parse_extensions(R"(a; p="1 0")"));
    EXPECT_FALSE(parse_extensions(R"(a; p="\"")"));
    EXPECT_FALSE(parse_extensions("a; p=\"1\t\""));
    EXPECT_FALSE(parse_extensions("a; p=\"\xc3\xa4\""));
}

TEST(parse_extensions, malformed_quoted_strings) {
    EXPECT_FALSE(parse_extensions(R"(a; p="10)"));  // unterminated
    EXPECT_FALSE(parse_extensions(R"(a; p="10\")")); // the escape eats the closing quote
    EXPECT_FALSE(parse_extensions(R"(a; p="1"0)"));  // junk after the closing quote
    EXPECT_FALSE(parse_extensions(R"(a; p="1" "2")"));
    EXPECT_FALSE(parse_extensions("a; p=\"1\x01\""));
    EXPECT_FALSE(parse_extensions(R"(a; "p"=1)"));   // a name is never quoted
    EXPECT_FALSE(parse_extensions(R"("a"; p=1)"));
}

TEST(parse_extensions, whitespace_around_every_item) {
    const auto e = parse_extensions(" \t a \t ; \t p \t = \t 1 \t ;q , \t b\t;r=\"2\" ");
    ASSERT_TRUE(e);
    ASSERT_EQ(e->size(), 2U);
    EXPECT_EQ((*e)[0].name, "a");
    EXPECT_EQ((*e)[0].params, (params{{"p", "1"}, {"q", std::nullopt}}));
    EXPECT_EQ((*e)[1].name, "b");
    EXPECT_EQ((*e)[1].params, (params{{"r", "2"}}));
}

TEST(parse_extensions, empty_list_elements_are_skipped) {
    const auto e = parse_extensions(", a,, ,b ,");
    ASSERT_TRUE(e);
    ASSERT_EQ(e->size(), 2U);
    EXPECT_EQ((*e)[0].name, "a");
    EXPECT_EQ((*e)[1].name, "b");
}

TEST(parse_extensions, needs_at_least_one_extension) {
    // 9.1: extension-list = 1#extension
    EXPECT_FALSE(parse_extensions(""));
    EXPECT_FALSE(parse_extensions(" \t "));
    EXPECT_FALSE(parse_extensions(","));
    EXPECT_FALSE(parse_extensions(" , ,, "));
}

TEST(parse_extensions, malformed_lists) {
    for (const std::string_view bad : {
             "a b",        // two tokens with no separator
             "a;",         // parameter missing
             "a; ;p",      // empty parameter
             ";p",         // no extension name
             "a, ;p",
             "a; =1",      // parameter without a name
             "a; p=",      // "=" without a value
             "a; p= ",
             "a; p==1",
             "a; p=1=2",
             "a; p=1 2",
             "a; p q",
             "a/b",        // '/' is a separator, not tchar
             "a(b)",
             "a; p=[1]",
             "a@b",
             "a:b",
             "\xc3\xa4",   // non-ASCII
             "a; p=\xc3\xa4",
             "a\x01",
         }) {
        EXPECT_FALSE(parse_extensions(bad)) << bad;
    }
}

TEST(parse_extensions, tchar_punctuation_is_a_token) {
    const auto e = parse_extensions("x-webkit!#$%&'*+.^_`|~; p=a~b");
    ASSERT_TRUE(e);
    EXPECT_EQ((*e)[0].name, "x-webkit!#$%&'*+.^_`|~");
    EXPECT_EQ((*e)[0].params, (params{{"p", "a~b"}}));
}

// ------------------------------------------------------------------------ format_extensions

TEST(format_extensions, writes_the_9_1_grammar) {
    const std::vector<extension_offer> exts{
        {"permessage-deflate", {{"client_max_window_bits", std::nullopt}, {"x", "10"}}},
        {"foo", {}},
    };
    EXPECT_EQ(format_extensions(exts), "permessage-deflate; client_max_window_bits; x=10, foo");
    EXPECT_EQ(format_extensions({}), "");
}

TEST(format_extensions, round_trips_through_parse) {
    for (const std::string_view canonical : {
             "permessage-deflate",
             "permessage-deflate; client_max_window_bits",
             "a; p=1; q, b, c; r=x~y",
         }) {
        const auto parsed = parse_extensions(canonical);
        ASSERT_TRUE(parsed) << canonical;
        EXPECT_EQ(format_extensions(*parsed), canonical);
    }
    // A quoted value comes back as a token when it is one.
    const auto parsed = parse_extensions(R"(a; p="10")");
    ASSERT_TRUE(parsed);
    EXPECT_EQ(format_extensions(*parsed), "a; p=10");
}

TEST(format_extensions, quotes_values_that_are_not_tokens) {
    // So cases can send what 9.1 forbids.
    EXPECT_EQ(format_extensions({{"a", {{"p", "1 2"}}}}), R"(a; p="1 2")");
    EXPECT_EQ(format_extensions({{"a", {{"p", R"(q"r\s)"}}}}), R"(a; p="q\"r\\s")");
    EXPECT_EQ(format_extensions({{"a", {{"p", ""}}}}), R"(a; p="")");
}

// ---------------------------------------------------------------------------- build_request

TEST(build_request, writes_the_fields_in_order) {
    client_request r = valid_request();
    r.subprotocols = {"chat", "superchat"};
    r.extensions = "permessage-deflate; client_max_window_bits";
    r.extra_fields = {{"Origin", "http://example.com"}, {"Cookie", "a=b"}};
    EXPECT_EQ(build_request(r), "GET /chat HTTP/1.1\r\n"
                                "Host: server.example.com\r\n"
                                "Upgrade: websocket\r\n"
                                "Connection: Upgrade\r\n"
                                "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                                "Sec-WebSocket-Version: 13\r\n"
                                "Sec-WebSocket-Protocol: chat, superchat\r\n"
                                "Sec-WebSocket-Extensions: permessage-deflate; "
                                "client_max_window_bits\r\n"
                                "Origin: http://example.com\r\n"
                                "Cookie: a=b\r\n"
                                "\r\n");
}

TEST(build_request, leaves_out_empty_fields_and_writes_what_it_is_told) {
    client_request r;
    r.method = "POST";
    r.version = "HTTP/1.0";
    r.upgrade.clear();
    r.connection.clear();
    r.ws_version.clear();
    EXPECT_EQ(build_request(r), "POST / HTTP/1.0\r\n\r\n");
}

// ---------------------------------------------------------------------------- check_request

TEST(check_request, accepts_the_rfc_request) {
    EXPECT_EQ(check(valid_request()), std::error_code{});
    EXPECT_EQ(check(raw_request(valid_fields)), std::error_code{});
}

TEST(check_request, method_must_be_get) {
    for (const char* start : {"POST /chat HTTP/1.1", "HEAD /chat HTTP/1.1", "get /chat HTTP/1.1",
                              "CONNECT /chat HTTP/1.1"}) {
        EXPECT_EQ(check(raw_request(valid_fields, start)), violation::http_bad_method) << start;
    }
}

TEST(check_request, version_must_be_1_1_or_above) {
    EXPECT_EQ(check(raw_request(valid_fields, "GET /chat HTTP/1.0")), violation::http_bad_version);
    EXPECT_EQ(check(raw_request(valid_fields, "GET /chat HTTP/0.9")), violation::http_bad_version);
    EXPECT_EQ(check(raw_request(valid_fields, "GET /chat HTTP/1.2")), std::error_code{});
    EXPECT_EQ(check(raw_request(valid_fields, "GET /chat HTTP/2.0")), std::error_code{});
}

TEST(check_request, exactly_one_host) {
    EXPECT_EQ(check(raw_request(fields_with(host, ""))), violation::http_no_host);
    auto doubled = valid_fields;
    doubled.emplace_back("Host: other.example.com");
    EXPECT_EQ(check(raw_request(doubled)), violation::http_no_host);
    doubled.back() = "host: server.example.com"; // the same name in another case
    EXPECT_EQ(check(raw_request(doubled)), violation::http_no_host);
    EXPECT_EQ(check(raw_request(fields_with(host, "HOST: server.example.com"))),
              std::error_code{});
}

TEST(check_request, upgrade_lists_websocket) {
    EXPECT_EQ(check(raw_request(fields_with(upgrade, ""))), violation::no_upgrade);
    for (const char* bad : {"Upgrade: h2c", "Upgrade: websockets", "Upgrade: web socket",
                            "Upgrade: websocket2", "Upgrade: \"websocket\"", "Upgrade:",
                            "Upgrade: ,", "Connection: websocket"}) {
        EXPECT_EQ(check(raw_request(fields_with(upgrade, bad))), violation::no_upgrade) << bad;
    }
    // 4.2.1 item 3: ASCII case-insensitive; HTTP lists are comma-separated
    for (const char* good : {"Upgrade: WebSocket", "Upgrade: WEBSOCKET", "upgrade: websocket",
                             "Upgrade: h2c, websocket", "Upgrade: websocket,h2c",
                             "Upgrade: ,, websocket ,", "Upgrade: \twebsocket\t"}) {
        EXPECT_EQ(check(raw_request(fields_with(upgrade, good))), std::error_code{}) << good;
    }
    // The token may come in a second Upgrade field.
    auto two = fields_with(upgrade, "Upgrade: h2c");
    two.emplace_back("Upgrade: websocket");
    EXPECT_EQ(check(raw_request(two)), std::error_code{});
}

TEST(check_request, connection_lists_upgrade) {
    EXPECT_EQ(check(raw_request(fields_with(connection, ""))), violation::no_connection_upgrade);
    for (const char* bad : {"Connection: keep-alive", "Connection: Upgraded",
                            "Connection: keep-alive Upgrade", "Connection: close",
                            "Connection:", "Connection: Upgrade-Insecure"}) {
        EXPECT_EQ(check(raw_request(fields_with(connection, bad))),
                  violation::no_connection_upgrade)
            << bad;
    }
    // 4.2.1 item 4: "includes a token", ASCII case-insensitive (Firefox sends the first)
    for (const char* good : {"Connection: keep-alive, Upgrade", "Connection: upgrade",
                             "Connection: UPGRADE", "Connection: Upgrade,keep-alive",
                             "connection: close , upgrade"}) {
        EXPECT_EQ(check(raw_request(fields_with(connection, good))), std::error_code{}) << good;
    }
    auto two = fields_with(connection, "Connection: keep-alive");
    two.emplace_back("Connection: Upgrade");
    EXPECT_EQ(check(raw_request(two)), std::error_code{});
}

TEST(check_request, exactly_one_valid_key) {
    EXPECT_EQ(check(raw_request(fields_with(key, ""))), violation::bad_sec_key);
    for (const char* bad : {"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ=",
                            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZR==",
                            "Sec-WebSocket-Key: AQIDBAUGBwgJCgsMDQ4PEBES",
                            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25j-Q==",
                            "Sec-WebSocket-Key:",
                            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==, dGhlIHNhbXBsZSBub25jZQ=="}) {
        EXPECT_EQ(check(raw_request(fields_with(key, bad))), violation::bad_sec_key) << bad;
    }
    // 11.3.1: the field must not appear more than once, even with the same value.
    auto doubled = valid_fields;
    doubled.emplace_back("Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==");
    EXPECT_EQ(check(raw_request(doubled)), violation::bad_sec_key);
    // The field's OWS is not part of the key.
    EXPECT_EQ(check(raw_request(fields_with(key, "sec-websocket-key: \t" + std::string{sample_key} +
                                                     " "))),
              std::error_code{});
}

TEST(check_request, version_must_be_13_once) {
    EXPECT_EQ(check(raw_request(fields_with(version, ""))), violation::bad_version);
    for (const char* bad : {"Sec-WebSocket-Version: 12", "Sec-WebSocket-Version: 8",
                            "Sec-WebSocket-Version: 14", "Sec-WebSocket-Version: 013",
                            "Sec-WebSocket-Version: 13, 8", "Sec-WebSocket-Version:",
                            "Sec-WebSocket-Version: 13.0"}) {
        EXPECT_EQ(check(raw_request(fields_with(version, bad))), violation::bad_version) << bad;
    }
    // 11.3.5: the field must not appear more than once in a request.
    auto doubled = valid_fields;
    doubled.emplace_back("Sec-WebSocket-Version: 13");
    EXPECT_EQ(check(raw_request(doubled)), violation::bad_version);
    EXPECT_EQ(check(raw_request(fields_with(version, "sec-websocket-version:  13 "))),
              std::error_code{});
}

TEST(check_request, checks_in_the_order_of_4_2_1) {
    // Everything wrong at once; repairing one item at a time uncovers the next.
    client_request r = valid_request();
    r.method = "POST";
    r.version = "HTTP/1.0";
    r.host.clear();
    r.upgrade = "h2c";
    r.connection = "keep-alive";
    r.key = "short";
    r.ws_version = "12";
    EXPECT_EQ(check(r), violation::http_bad_method);
    r.method = "GET";
    EXPECT_EQ(check(r), violation::http_bad_version);
    r.version = "HTTP/1.1";
    EXPECT_EQ(check(r), violation::http_no_host);
    r.host = "server.example.com";
    EXPECT_EQ(check(r), violation::no_upgrade);
    r.upgrade = "websocket";
    EXPECT_EQ(check(r), violation::no_connection_upgrade);
    r.connection = "Upgrade";
    EXPECT_EQ(check(r), violation::bad_sec_key);
    r.key = std::string{sample_key};
    EXPECT_EQ(check(r), violation::bad_version);
    r.ws_version = "13";
    EXPECT_EQ(check(r), std::error_code{});
}

TEST(check_request, failure_leaves_out_alone) {
    accepted_request out;
    out.key = "before";
    out.target = "/before";
    out.subprotocols = {"x"};
    out.origin = "o";
    client_request r = valid_request();
    r.ws_version = "12";
    EXPECT_EQ(check_request(parse_request(build_request(r)), out), violation::bad_version);
    EXPECT_EQ(out.key, "before");
    EXPECT_EQ(out.target, "/before");
    EXPECT_EQ(out.subprotocols, std::vector<std::string>{"x"});
    EXPECT_EQ(out.origin, "o");
}

TEST(check_request, success_fills_out) {
    const std::string req = raw_request({
        "Host: server.example.com",
        "Upgrade: websocket",
        "Connection: Upgrade",
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
        "Origin: http://example.com",
        "Sec-WebSocket-Protocol: chat, superchat",
        "Sec-WebSocket-Version: 13",
        "Sec-WebSocket-Protocol: v2.chat,,",
        "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits",
        "Origin: http://other.example.com",
        "Sec-WebSocket-Extensions: x-foo; a=\"1\"",
    });
    accepted_request out;
    out.origin = "stale";
    ASSERT_EQ(check_request(parse_request(req), out), std::error_code{});
    EXPECT_EQ(out.key, sample_key);
    EXPECT_EQ(out.target, "/chat");
    EXPECT_EQ(out.subprotocols, (std::vector<std::string>{"chat", "superchat", "v2.chat"}));
    ASSERT_EQ(out.extensions.size(), 2U); // 9.1: both fields make one list
    EXPECT_EQ(out.extensions[0].name, "permessage-deflate");
    EXPECT_EQ(out.extensions[0].params, (params{{"client_max_window_bits", std::nullopt}}));
    EXPECT_EQ(out.extensions[1].name, "x-foo");
    EXPECT_EQ(out.extensions[1].params, (params{{"a", "1"}}));
    EXPECT_EQ(out.origin, "http://example.com"); // the first Origin
}

TEST(check_request, success_without_optional_fields) {
    accepted_request out;
    out.subprotocols = {"stale"};
    out.origin = "stale";
    ASSERT_EQ(check_request(parse_request(raw_request(valid_fields, "GET /a?b=c HTTP/1.1")), out),
              std::error_code{});
    EXPECT_EQ(out.target, "/a?b=c");
    EXPECT_TRUE(out.subprotocols.empty());
    EXPECT_TRUE(out.extensions.empty());
    EXPECT_FALSE(out.origin);
}

TEST(check_request, a_malformed_extension_offer_is_declined_not_fatal) {
    // 9.1: the server may decline any offer, so a list it cannot parse is left out whole.
    auto fields = valid_fields;
    fields.emplace_back("Sec-WebSocket-Extensions: permessage-deflate; =x");
    accepted_request out;
    ASSERT_EQ(check_request(parse_request(raw_request(fields)), out), std::error_code{});
    EXPECT_TRUE(out.extensions.empty());
}

// -------------------------------------------------------------------------- build_rejection

struct rejection {
    http_head head;
    std::string body;
};

rejection parse_rejection(std::string_view bytes) {
    http_parser p{http_parser::kind::response};
    std::size_t used = 0;
    EXPECT_EQ(p.feed(bytes, used), http_parser::status::done) << bytes;
    return {p.head(), std::string{bytes.substr(used)}};
}

TEST(build_rejection, bad_version_is_426_with_the_supported_version) {
    const rejection r = parse_rejection(build_rejection(violation::bad_version));
    EXPECT_EQ(r.head.status, 426);
    EXPECT_EQ(r.head.reason, "Upgrade Required");
    EXPECT_EQ(r.head.version_major, 1);
    EXPECT_EQ(r.head.version_minor, 1);
    // 4.4: the versions the server supports
    EXPECT_EQ(r.head.single("Sec-WebSocket-Version"), "13");
    EXPECT_TRUE(r.head.has_token("Upgrade", "websocket"));
    EXPECT_TRUE(r.head.has_token("Connection", "Upgrade"));
    EXPECT_TRUE(r.head.has_token("Connection", "close"));
    EXPECT_EQ(r.head.single("Content-Length"), std::to_string(r.body.size()));
    EXPECT_FALSE(r.body.empty());
}

TEST(build_rejection, each_request_violation_gets_its_status) {
    const std::vector<std::pair<violation, int>> expected{
        {violation::http_malformed, 400},   {violation::http_too_big, 431},
        {violation::http_bad_method, 405},  {violation::http_bad_version, 400},
        {violation::http_no_host, 400},     {violation::no_upgrade, 400},
        {violation::no_connection_upgrade, 400}, {violation::bad_sec_key, 400},
    };
    for (const auto& [v, status] : expected) {
        const rejection r = parse_rejection(build_rejection(v));
        EXPECT_EQ(r.head.status, status) << info(v).name;
        EXPECT_EQ(r.head.count("Sec-WebSocket-Version"), 0U) << info(v).name;
        EXPECT_TRUE(r.head.has_token("Connection", "close")) << info(v).name;
        EXPECT_EQ(r.head.single("Content-Length"), std::to_string(r.body.size()));
        EXPECT_EQ(r.body, std::string{info(v).message} + "\n");
    }
}

TEST(build_rejection, method_not_allowed_lists_get) {
    const rejection r = parse_rejection(build_rejection(violation::http_bad_method));
    EXPECT_EQ(r.head.reason, "Method Not Allowed");
    EXPECT_EQ(r.head.single("Allow"), "GET");
}

TEST(build_rejection, other_errors_are_400) {
    const rejection r = parse_rejection(
        build_rejection(std::make_error_code(std::errc::connection_reset)));
    EXPECT_EQ(r.head.status, 400);
    EXPECT_EQ(r.head.reason, "Bad Request");
    EXPECT_EQ(r.head.single("Content-Length"), std::to_string(r.body.size()));
    // a violation no server answers (status 0 in the table) falls back to 400 too
    EXPECT_EQ(parse_rejection(build_rejection(violation::bad_accept)).head.status, 400);
}

TEST(build_rejection, answers_a_failed_check_request) {
    client_request r = valid_request();
    r.ws_version = "12";
    const std::error_code ec = check(r);
    ASSERT_EQ(ec, violation::bad_version);
    ASSERT_NE(info(ec), nullptr);
    EXPECT_EQ(info(ec)->http_status, 426);
    const rejection rej = parse_rejection(build_rejection(ec));
    EXPECT_EQ(rej.head.status, 426);
    EXPECT_EQ(rej.head.single("Sec-WebSocket-Version"), "13");
}

// --------------------------------------------------------------------------- build_response

TEST(build_response, is_the_rfc_response) {
    EXPECT_EQ(build_response(sample_key, "chat"),
              "HTTP/1.1 101 Switching Protocols\r\n"
              "Upgrade: websocket\r\n"
              "Connection: Upgrade\r\n"
              "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"
              "Sec-WebSocket-Protocol: chat\r\n"
              "\r\n");
    EXPECT_EQ(build_response(sample_key),
              "HTTP/1.1 101 Switching Protocols\r\n"
              "Upgrade: websocket\r\n"
              "Connection: Upgrade\r\n"
              "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"
              "\r\n");
    const http_head h =
        parse_response(build_response(sample_key, std::nullopt, "permessage-deflate"));
    EXPECT_EQ(h.single("Sec-WebSocket-Extensions"), "permessage-deflate");
    EXPECT_EQ(h.count("Sec-WebSocket-Protocol"), 0U);
}

// --------------------------------------------------------------------------- check_response

/// The client's request for response tests: offers two subprotocols and two extensions.
client_request offering_request() {
    client_request r = valid_request();
    r.subprotocols = {"chat", "superchat"};
    r.extensions = "permessage-deflate; client_max_window_bits, x-foo";
    return r;
}

std::error_code check_resp(std::string_view bytes, const client_request& req = offering_request()) {
    accepted_response out;
    return check_response(parse_response(bytes), req, out);
}

/// A response head from its status line and field lines.
std::string raw_response(const std::vector<std::string>& fields,
                         std::string_view start = "HTTP/1.1 101 Switching Protocols") {
    return raw_request(fields, start);
}

const std::string accept_line = "Sec-WebSocket-Accept: " + std::string{sample_accept};

TEST(check_response, round_trip_with_check_request) {
    // client -> server
    client_request req = offering_request();
    req.key = generate_key();
    accepted_request offer;
    ASSERT_EQ(check_request(parse_request(build_request(req)), offer), std::error_code{});
    ASSERT_EQ(offer.key, req.key);
    ASSERT_EQ(offer.subprotocols.size(), 2U);
    ASSERT_EQ(offer.extensions.size(), 2U);
    // server -> client: pick the second subprotocol and the first extension
    const std::string resp = build_response(offer.key, offer.subprotocols[1],
                                            format_extensions({offer.extensions[0]}));
    accepted_response out;
    ASSERT_EQ(check_response(parse_response(resp), req, out), std::error_code{});
    EXPECT_EQ(out.subprotocol, "superchat");
    ASSERT_EQ(out.extensions.size(), 1U);
    EXPECT_EQ(out.extensions[0].name, "permessage-deflate");
    EXPECT_EQ(out.extensions[0].params, (params{{"client_max_window_bits", std::nullopt}}));
}

TEST(check_response, accepts_the_rfc_response) {
    accepted_response out;
    out.subprotocol = "stale";
    out.extensions = {{"stale", {}}};
    ASSERT_EQ(check_response(parse_response(build_response(sample_key)), offering_request(), out),
              std::error_code{});
    EXPECT_FALSE(out.subprotocol);
    EXPECT_TRUE(out.extensions.empty());
}

TEST(check_response, status_must_be_101) {
    for (const char* start : {"HTTP/1.1 200 OK", "HTTP/1.1 426 Upgrade Required",
                              "HTTP/1.1 100 Continue", "HTTP/1.1 102 Processing",
                              "HTTP/1.1 301 Moved Permanently"}) {
        EXPECT_EQ(check_resp(raw_response({"Upgrade: websocket", "Connection: Upgrade",
                                           accept_line},
                                          start)),
                  violation::bad_status)
            << start;
    }
}

TEST(check_response, upgrade_must_be_websocket) {
    EXPECT_EQ(check_resp(raw_response({"Connection: Upgrade", accept_line})),
              violation::no_upgrade);
    for (const char* bad : {"Upgrade: h2c", "Upgrade: websocket, h2c", "Upgrade:",
                            "Upgrade: websockets"}) {
        EXPECT_EQ(check_resp(raw_response({bad, "Connection: Upgrade", accept_line})),
                  violation::no_upgrade)
            << bad;
    }
    // 4.1 item 2: ASCII case-insensitive
    EXPECT_EQ(check_resp(raw_response({"Upgrade: WebSocket", "Connection: Upgrade", accept_line})),
              std::error_code{});
}

TEST(check_response, connection_must_list_upgrade) {
    EXPECT_EQ(check_resp(raw_response({"Upgrade: websocket", accept_line})),
              violation::no_connection_upgrade);
    EXPECT_EQ(check_resp(raw_response({"Upgrade: websocket", "Connection: keep-alive",
                                       accept_line})),
              violation::no_connection_upgrade);
    EXPECT_EQ(check_resp(raw_response({"Upgrade: websocket", "Connection: keep-alive, upgrade",
                                       accept_line})),
              std::error_code{});
}

TEST(check_response, accept_must_match_the_key) {
    const std::string head = "Upgrade: websocket\r\nConnection: Upgrade";
    EXPECT_EQ(check_resp(raw_response({head})), violation::bad_accept);
    const std::vector<std::string> bads{
        "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo", // pad missing
        "Sec-WebSocket-Accept: S3PPLMBITXAQ9KYGZZHZRBK+XOO=", // base64 is case-sensitive
        "Sec-WebSocket-Accept: " + compute_accept("AAAAAAAAAAAAAAAAAAAAAA=="),
        "Sec-WebSocket-Accept: dGhlIHNhbXBsZSBub25jZQ==",    // the key itself
        "Sec-WebSocket-Accept:",
    };
    for (const auto& bad : bads) {
        EXPECT_EQ(check_resp(raw_response({head, bad})), violation::bad_accept) << bad;
    }
    // 11.3.3: not more than once, even with the right value
    EXPECT_EQ(check_resp(raw_response({head, accept_line, accept_line})), violation::bad_accept);
    // a request made with another key
    client_request other = offering_request();
    other.key = "AAAAAAAAAAAAAAAAAAAAAA==";
    EXPECT_EQ(check_resp(build_response(sample_key), other), violation::bad_accept);
}

TEST(check_response, subprotocol_must_be_one_offered) {
    EXPECT_EQ(check_resp(build_response(sample_key, "chat")), std::error_code{});
    EXPECT_EQ(check_resp(build_response(sample_key, "superchat")), std::error_code{});
    for (const char* bad : {"mqtt", "Chat", "chat, superchat", ""}) {
        EXPECT_EQ(check_resp(build_response(sample_key, bad)), violation::bad_subprotocol) << bad;
    }
    // offering nothing, any choice is wrong
    client_request plain = valid_request();
    EXPECT_EQ(check_resp(build_response(sample_key, "chat"), plain), violation::bad_subprotocol);
    // at most one field, even with an offered value
    EXPECT_EQ(check_resp(raw_response({"Upgrade: websocket", "Connection: Upgrade", accept_line,
                                       "Sec-WebSocket-Protocol: chat",
                                       "Sec-WebSocket-Protocol: chat"})),
              violation::bad_subprotocol);
}

TEST(check_response, extensions_must_be_offered_and_well_formed) {
    EXPECT_EQ(check_resp(build_response(sample_key, std::nullopt, "x-foo")), std::error_code{});
    EXPECT_EQ(check_resp(build_response(sample_key, std::nullopt,
                                        "permessage-deflate; server_no_context_takeover")),
              std::error_code{});
    for (const char* bad : {"x-bar", "permessage-deflate, x-bar", "x-foo, x-foo-bar"}) {
        EXPECT_EQ(check_resp(build_response(sample_key, std::nullopt, bad)),
                  violation::bad_extension)
            << bad;
    }
    for (const char* malformed : {"permessage-deflate;", "x-foo; p=", ",", "x-foo x-foo"}) {
        EXPECT_EQ(check_resp(build_response(sample_key, std::nullopt, malformed)),
                  violation::bad_extension)
            << malformed;
    }
    // An empty field is no extension list at all (1#extension).
    EXPECT_EQ(check_resp(raw_response({"Upgrade: websocket", "Connection: Upgrade", accept_line,
                                       "Sec-WebSocket-Extensions:"})),
              violation::bad_extension);
    // offering nothing, any extension is wrong
    EXPECT_EQ(check_resp(build_response(sample_key, std::nullopt, "permessage-deflate"),
                         valid_request()),
              violation::bad_extension);
    // two fields make one list
    accepted_response out;
    ASSERT_EQ(check_response(
                  parse_response(raw_response({"Upgrade: websocket", "Connection: Upgrade",
                                               accept_line,
                                               "Sec-WebSocket-Extensions: permessage-deflate",
                                               "Sec-WebSocket-Extensions: x-foo"})),
                  offering_request(), out),
              std::error_code{});
    ASSERT_EQ(out.extensions.size(), 2U);
    EXPECT_EQ(out.extensions[1].name, "x-foo");
}

TEST(check_response, checks_in_the_order_of_4_1) {
    // A 200 with nothing right is a bad status first.
    EXPECT_EQ(check_resp(raw_response({"Sec-WebSocket-Protocol: mqtt"}, "HTTP/1.1 200 OK")),
              violation::bad_status);
    // Then Upgrade, Connection, accept, extensions, subprotocol.
    std::vector<std::string> f{"Upgrade: h2c", "Connection: close", "Sec-WebSocket-Accept: x",
                               "Sec-WebSocket-Extensions: x-bar", "Sec-WebSocket-Protocol: mqtt"};
    EXPECT_EQ(check_resp(raw_response(f)), violation::no_upgrade);
    f[0] = "Upgrade: websocket";
    EXPECT_EQ(check_resp(raw_response(f)), violation::no_connection_upgrade);
    f[1] = "Connection: Upgrade";
    EXPECT_EQ(check_resp(raw_response(f)), violation::bad_accept);
    f[2] = accept_line;
    EXPECT_EQ(check_resp(raw_response(f)), violation::bad_extension);
    f[3] = "Sec-WebSocket-Extensions: x-foo";
    EXPECT_EQ(check_resp(raw_response(f)), violation::bad_subprotocol);
    f[4] = "Sec-WebSocket-Protocol: chat";
    EXPECT_EQ(check_resp(raw_response(f)), std::error_code{});
}

TEST(check_response, failure_leaves_out_alone) {
    accepted_response out;
    out.subprotocol = "before";
    out.extensions = {{"before", {}}};
    EXPECT_EQ(check_response(parse_response(build_response(sample_key, "mqtt")),
                             offering_request(), out),
              violation::bad_subprotocol);
    EXPECT_EQ(out.subprotocol, "before");
    ASSERT_EQ(out.extensions.size(), 1U);
    EXPECT_EQ(out.extensions[0].name, "before");
}

} // namespace
} // namespace wscheck::proto
