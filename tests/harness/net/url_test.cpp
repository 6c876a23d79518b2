#include "harness/net/url.hpp"

#include <gtest/gtest.h>

namespace wscheck::net {
namespace {

ws_url parse_ok(std::string_view text) {
    std::string error;
    auto url = parse_ws_url(text, error);
    EXPECT_TRUE(url.has_value()) << text << ": " << error;
    EXPECT_TRUE(error.empty());
    return url.value_or(ws_url{});
}

std::string parse_error(std::string_view text) {
    std::string error;
    const auto url = parse_ws_url(text, error);
    EXPECT_FALSE(url.has_value()) << text << " parsed as " << (url ? url->to_string() : "");
    return error;
}

TEST(url, ws_defaults_to_port_80_and_root_path) {
    const auto url = parse_ok("ws://example.com");
    EXPECT_FALSE(url.secure);
    EXPECT_EQ(url.host, "example.com");
    EXPECT_EQ(url.port, 80);
    EXPECT_EQ(url.target, "/");
    EXPECT_TRUE(url.has_default_port());
    EXPECT_EQ(url.host_field(), "example.com");
}

TEST(url, wss_defaults_to_port_443) {
    const auto url = parse_ok("wss://localhost/chat");
    EXPECT_TRUE(url.secure);
    EXPECT_EQ(url.port, 443);
    EXPECT_EQ(url.target, "/chat");
}

TEST(url, explicit_port_path_and_query) {
    const auto url = parse_ok("ws://127.0.0.1:9001/runCase?case=3&agent=x");
    EXPECT_EQ(url.host, "127.0.0.1");
    EXPECT_EQ(url.port, 9001);
    EXPECT_EQ(url.target, "/runCase?case=3&agent=x");
    EXPECT_EQ(url.host_field(), "127.0.0.1:9001");
    EXPECT_EQ(url.to_string(), "ws://127.0.0.1:9001/runCase?case=3&agent=x");
}

TEST(url, query_without_path_gets_root_path) {
    // 3: the resource name is "/" when the path is empty, then "?" and the query.
    EXPECT_EQ(parse_ok("ws://h?x=1").target, "/?x=1");
    EXPECT_EQ(parse_ok("ws://h:81?x=1").target, "/?x=1");
}

TEST(url, ipv6_literal_in_brackets) {
    const auto url = parse_ok("ws://[::1]:8080/p");
    EXPECT_EQ(url.host, "::1");
    EXPECT_EQ(url.port, 8080);
    EXPECT_EQ(url.host_literal(), "[::1]");
    EXPECT_EQ(url.host_field(), "[::1]:8080");
    EXPECT_EQ(parse_ok("wss://[::1]").host_field(), "[::1]");
    EXPECT_EQ(parse_ok("ws://[2001:db8::7]/").host, "2001:db8::7");
}

TEST(url, scheme_is_case_insensitive) {
    EXPECT_TRUE(parse_ok("WS://h/").has_default_port());
    EXPECT_TRUE(parse_ok("Wss://h/").secure);
}

TEST(url, default_port_written_explicitly_is_kept_out_of_host_field) {
    EXPECT_EQ(parse_ok("ws://h:80/").host_field(), "h");
    EXPECT_EQ(parse_ok("wss://h:443/").host_field(), "h");
    EXPECT_EQ(parse_ok("ws://h:443/").host_field(), "h:443");
}

TEST(url, empty_port_means_default) {
    EXPECT_EQ(parse_ok("ws://h:/x").port, 80);
}

TEST(url, rejects_other_schemes_with_a_clear_message) {
    EXPECT_EQ(parse_error("http://h/"), "unsupported scheme 'http' (expected ws:// or wss://)");
    EXPECT_NE(parse_error("https://h/").find("https"), std::string::npos);
    EXPECT_NE(parse_error("h:80").find("not a WebSocket URL"), std::string::npos);
    EXPECT_NE(parse_error("").find("not a WebSocket URL"), std::string::npos);
    EXPECT_NE(parse_error("ws:/h").find("not a WebSocket URL"), std::string::npos);
}

TEST(url, rejects_fragments) {
    // 3: fragment identifiers MUST NOT be used on WebSocket URIs.
    EXPECT_NE(parse_error("ws://h/p#frag").find("fragment"), std::string::npos);
}

TEST(url, rejects_bad_hosts) {
    EXPECT_NE(parse_error("ws:///path").find("no host"), std::string::npos);
    EXPECT_NE(parse_error("ws://:80/").find("no host"), std::string::npos);
    EXPECT_NE(parse_error("ws://user@h/").find("user"), std::string::npos);
    EXPECT_NE(parse_error("ws://[::1/").find("']'"), std::string::npos);
    EXPECT_NE(parse_error("ws://[nothex]/").find("IPv6"), std::string::npos);
    EXPECT_NE(parse_error("ws://[]/").find("IPv6"), std::string::npos);
    EXPECT_NE(parse_error("ws://[::1]x/").find("after the IPv6"), std::string::npos);
    EXPECT_NE(parse_error("ws://::1/").find("brackets"), std::string::npos);
    EXPECT_NE(parse_error("ws://a b/").find("invalid host"), std::string::npos);
}

TEST(url, rejects_bad_ports) {
    EXPECT_NE(parse_error("ws://h:0/").find("out of range"), std::string::npos);
    EXPECT_NE(parse_error("ws://h:65536/").find("out of range"), std::string::npos);
    EXPECT_NE(parse_error("ws://h:99999999999999999999/").find("invalid port"), std::string::npos);
    EXPECT_NE(parse_error("ws://h:8o/").find("invalid port"), std::string::npos);
    EXPECT_NE(parse_error("ws://h:-1/").find("invalid port"), std::string::npos);
    EXPECT_EQ(parse_ok("ws://h:65535/").port, 65535);
    EXPECT_EQ(parse_ok("ws://h:1/").port, 1);
}

TEST(url, rejects_characters_a_url_cannot_hold) {
    EXPECT_FALSE(parse_error("ws://h/a b").empty());
    EXPECT_FALSE(parse_error("ws://h/a\"b").empty());
    EXPECT_FALSE(parse_error(std::string_view("ws://h/a\0b", 10)).empty());
    EXPECT_FALSE(parse_error("ws://h/\x7f").empty());
}

} // namespace
} // namespace wscheck::net
