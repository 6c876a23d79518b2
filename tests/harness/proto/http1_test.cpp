#include "harness/proto/http1.hpp"

#include "harness/proto/error.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace wscheck::proto {
namespace {

using namespace std::string_literals;
using kind = http_parser::kind;
using st = http_parser::status;

/// What one parse ended with, comparable between a whole and a split feed.
struct outcome {
    st status = st::need_more;
    std::size_t consumed = 0; ///< over all feed() calls
    std::error_code error;
    std::string detail;
    http_head head;
};

bool same_head(const http_head& a, const http_head& b) {
    if (a.method != b.method || a.target != b.target || a.status != b.status ||
        a.reason != b.reason || a.version_major != b.version_major ||
        a.version_minor != b.version_minor || a.fields.size() != b.fields.size()) {
        return false;
    }
    for (std::size_t i = 0; i < a.fields.size(); ++i) {
        if (a.fields[i].name != b.fields[i].name || a.fields[i].value != b.fields[i].value) {
            return false;
        }
    }
    return true;
}

void expect_same(const outcome& a, const outcome& b, const std::string& where) {
    EXPECT_EQ(a.status, b.status) << where;
    EXPECT_EQ(a.consumed, b.consumed) << where;
    EXPECT_EQ(a.error, b.error) << where;
    EXPECT_EQ(a.detail, b.detail) << where;
    EXPECT_TRUE(same_head(a.head, b.head)) << where;
}

/// Feeds `bytes` in pieces of `chunk` bytes (0 = whole), stopping at done or error.
outcome parse(kind k, std::string_view bytes, std::size_t chunk = 0, http_limits limits = {}) {
    http_parser p{k, limits};
    outcome out;
    if (chunk == 0) {
        chunk = std::max<std::size_t>(bytes.size(), 1);
    }
    std::size_t pos = 0;
    do {
        const std::string_view piece = bytes.substr(pos, chunk);
        std::size_t used = 0;
        out.status = p.feed(piece, used);
        EXPECT_LE(used, piece.size());
        if (out.status == st::need_more) {
            EXPECT_EQ(used, piece.size()) << "need_more must consume everything";
        }
        out.consumed += used;
        pos += piece.size();
    } while (out.status == st::need_more && pos < bytes.size());
    out.error = p.error();
    out.detail = std::string{p.error_detail()};
    out.head = p.head();
    return out;
}

/// Feeds the two pieces [0, split) and [split, end).
outcome parse_split_at(kind k, std::string_view bytes, std::size_t split) {
    http_parser p{k};
    outcome out;
    std::size_t used = 0;
    out.status = p.feed(bytes.substr(0, split), used);
    out.consumed = used;
    if (out.status == st::need_more) {
        out.status = p.feed(bytes.substr(split), used);
        out.consumed += used;
    }
    out.error = p.error();
    out.detail = std::string{p.error_detail()};
    out.head = p.head();
    return out;
}

// RFC 6455 1.2, the client's handshake.
constexpr std::string_view rfc_request = "GET /chat HTTP/1.1\r\n"
                                         "Host: server.example.com\r\n"
                                         "Upgrade: websocket\r\n"
                                         "Connection: Upgrade\r\n"
                                         "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                                         "Origin: http://example.com\r\n"
                                         "Sec-WebSocket-Protocol: chat, superchat\r\n"
                                         "Sec-WebSocket-Version: 13\r\n"
                                         "\r\n";

// RFC 6455 1.2, the server's handshake.
constexpr std::string_view rfc_response = "HTTP/1.1 101 Switching Protocols\r\n"
                                          "Upgrade: websocket\r\n"
                                          "Connection: Upgrade\r\n"
                                          "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"
                                          "Sec-WebSocket-Protocol: chat\r\n"
                                          "\r\n";

void expect_malformed(kind k, std::string_view bytes) {
    const outcome o = parse(k, bytes);
    EXPECT_EQ(o.status, st::error) << bytes;
    EXPECT_EQ(o.error, violation::http_malformed) << bytes;
    EXPECT_FALSE(o.detail.empty()) << bytes;
}

// ------------------------------------------------------------------------- start lines

TEST(http_parser, parses_rfc_6455_sample_request) {
    const outcome o = parse(kind::request, rfc_request);
    ASSERT_EQ(o.status, st::done) << o.detail;
    EXPECT_EQ(o.consumed, rfc_request.size());
    EXPECT_EQ(o.head.method, "GET");
    EXPECT_EQ(o.head.target, "/chat");
    EXPECT_EQ(o.head.version_major, 1);
    EXPECT_EQ(o.head.version_minor, 1);
    ASSERT_EQ(o.head.fields.size(), 7U);
    EXPECT_EQ(o.head.fields[0].name, "Host");
    EXPECT_EQ(o.head.fields[0].value, "server.example.com");
    EXPECT_EQ(o.head.fields[4].name, "Origin");
    EXPECT_EQ(o.head.fields[4].value, "http://example.com");
    EXPECT_EQ(o.head.fields[5].value, "chat, superchat");
    EXPECT_EQ(o.head.fields[6].name, "Sec-WebSocket-Version");
    EXPECT_EQ(o.head.fields[6].value, "13");
}

TEST(http_parser, parses_rfc_6455_sample_response) {
    const outcome o = parse(kind::response, rfc_response);
    ASSERT_EQ(o.status, st::done) << o.detail;
    EXPECT_EQ(o.consumed, rfc_response.size());
    EXPECT_EQ(o.head.status, 101);
    EXPECT_EQ(o.head.reason, "Switching Protocols");
    EXPECT_EQ(o.head.version_major, 1);
    EXPECT_EQ(o.head.version_minor, 1);
    ASSERT_EQ(o.head.fields.size(), 4U);
    EXPECT_EQ(o.head.fields[2].name, "Sec-WebSocket-Accept");
    EXPECT_EQ(o.head.fields[2].value, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
}

TEST(http_parser, accepts_empty_reason_phrase) {
    const outcome o = parse(kind::response, "HTTP/1.1 101 \r\n\r\n");
    ASSERT_EQ(o.status, st::done) << o.detail;
    EXPECT_EQ(o.head.status, 101);
    EXPECT_EQ(o.head.reason, "");
}

TEST(http_parser, keeps_reason_phrase_with_spaces_and_tabs) {
    const outcome o = parse(kind::response, "HTTP/1.0 404 Not\tFound here\r\n\r\n");
    ASSERT_EQ(o.status, st::done) << o.detail;
    EXPECT_EQ(o.head.status, 404);
    EXPECT_EQ(o.head.reason, "Not\tFound here");
    EXPECT_EQ(o.head.version_minor, 0);
}

TEST(http_parser, rejects_malformed_status_lines) {
    for (const std::string_view line : {
             "HTTP/1.1 101\r\n\r\n",        // 4: the SP before the reason is not optional
             "HTTP/1.1 10 x\r\n\r\n",       // status code is 3DIGIT
             "HTTP/1.1 1010 x\r\n\r\n",
             "HTTP/1.1 1O1 x\r\n\r\n",
             "HTTP/1.1  101 x\r\n\r\n",
             "http/1.1 101 x\r\n\r\n",      // 2.3: HTTP-name is case-sensitive
             "HTTP/1.11 101 x\r\n\r\n",
             "HTTP/11 101 x\r\n\r\n",
             "HTTP/1.1\r\n\r\n",
             "HTTP/1.1 101 a\x01z\r\n\r\n", // control character in the reason
             "ICY 200 OK\r\n\r\n",
             "GET / HTTP/1.1\r\n\r\n",      // a request is no response
         }) {
        expect_malformed(kind::response, line);
    }
}

TEST(http_parser, rejects_malformed_request_lines) {
    for (const std::string_view line : {
             "GET /\r\n\r\n",
             "GET\r\n\r\n",
             "GET  / HTTP/1.1\r\n\r\n",     // 3: single SP separators
             "GET / HTTP/1.1 \r\n\r\n",
             "GET /\tx HTTP/1.1\r\n\r\n",
             "GET / http/1.1\r\n\r\n",
             "GET / HTTP/1.10\r\n\r\n",
             "GET / HTTP/1\r\n\r\n",
             "G(T / HTTP/1.1\r\n\r\n",      // method is a token
             " GET / HTTP/1.1\r\n\r\n",
             "GET /\x7f HTTP/1.1\r\n\r\n",
             "GET /\xc3\xa9 HTTP/1.1\r\n\r\n",
             "HTTP/1.1 101 Switching Protocols\r\n\r\n", // a response is no request
         }) {
        expect_malformed(kind::request, line);
    }
}

TEST(http_parser, keeps_any_version_digits_for_callers_to_judge) {
    const outcome o = parse(kind::request, "POST /x?y=1 HTTP/1.0\r\n\r\n");
    ASSERT_EQ(o.status, st::done) << o.detail;
    EXPECT_EQ(o.head.method, "POST");
    EXPECT_EQ(o.head.target, "/x?y=1");
    EXPECT_EQ(o.head.version_major, 1);
    EXPECT_EQ(o.head.version_minor, 0);
    EXPECT_TRUE(o.head.fields.empty());
}

TEST(http_parser, ignores_empty_lines_before_request_line) {
    // RFC 9112 2.2: a server should ignore at least one empty line before the request-line.
    const outcome o = parse(kind::request, "\r\n\nGET / HTTP/1.1\r\nHost: a\r\n\r\n");
    ASSERT_EQ(o.status, st::done) << o.detail;
    EXPECT_EQ(o.head.method, "GET");
    EXPECT_EQ(o.head.fields.size(), 1U);
}

TEST(http_parser, rejects_empty_line_before_status_line) {
    expect_malformed(kind::response, "\r\nHTTP/1.1 101 x\r\n\r\n");
}

// ------------------------------------------------------------------------------- lines

TEST(http_parser, accepts_bare_lf_line_endings) {
    std::string lf;
    for (const char c : rfc_request) {
        if (c != '\r') {
            lf += c;
        }
    }
    const outcome bare = parse(kind::request, lf);
    const outcome crlf = parse(kind::request, rfc_request);
    ASSERT_EQ(bare.status, st::done) << bare.detail;
    EXPECT_EQ(bare.consumed, lf.size());
    EXPECT_TRUE(same_head(bare.head, crlf.head));
}

TEST(http_parser, accepts_mixed_line_endings) {
    const outcome o = parse(kind::request, "GET / HTTP/1.1\nHost: a\r\nX: b\n\r\n");
    ASSERT_EQ(o.status, st::done) << o.detail;
    EXPECT_EQ(o.head.fields.size(), 2U);
}

TEST(http_parser, rejects_bare_cr) {
    expect_malformed(kind::request, "GET / HTTP/1.1\r\nX: a\rb\r\n\r\n");
    expect_malformed(kind::request, "GET / HTTP/1.1\r\nX: a\r\r\n\r\n");
    expect_malformed(kind::request, "GET / HTTP/1.1\r\r\n\r\n");
    expect_malformed(kind::request, "GET / HTTP/1.1\r\nHost: a\r\n\r\r\n");
}

TEST(http_parser, rejects_nul_anywhere) {
    expect_malformed(kind::request, "GET / HTTP/1.1\r\nX: a\0b\r\n\r\n"s);
    expect_malformed(kind::request, "GET /\0 HTTP/1.1\r\n\r\n"s);
    expect_malformed(kind::request, "GET / HTTP/1.1\r\nX\0: a\r\n\r\n"s);
    expect_malformed(kind::response, "HTTP/1.1 101 a\0\r\n\r\n"s);
}

// ------------------------------------------------------------------------------ fields

TEST(http_parser, trims_whitespace_around_values_only) {
    const outcome o = parse(kind::request, "GET / HTTP/1.1\r\n"
                                           "X-A:  \t a  b \t \r\n"
                                           "X-B:c\r\n"
                                           "X-Empty:\r\n"
                                           "X-Blank:   \r\n"
                                           "\r\n");
    ASSERT_EQ(o.status, st::done) << o.detail;
    ASSERT_EQ(o.head.fields.size(), 4U);
    EXPECT_EQ(o.head.fields[0].value, "a  b");
    EXPECT_EQ(o.head.fields[1].value, "c");
    EXPECT_EQ(o.head.fields[2].value, "");
    EXPECT_EQ(o.head.fields[3].value, "");
}

TEST(http_parser, keeps_field_spelling_order_and_duplicates) {
    const outcome o = parse(kind::request, "GET / HTTP/1.1\r\n"
                                           "hOsT: one\r\n"
                                           "X: 1\r\n"
                                           "HOST: two\r\n"
                                           "\r\n");
    ASSERT_EQ(o.status, st::done) << o.detail;
    ASSERT_EQ(o.head.fields.size(), 3U);
    EXPECT_EQ(o.head.fields[0].name, "hOsT");
    EXPECT_EQ(o.head.fields[2].name, "HOST");
    EXPECT_EQ(o.head.fields[2].value, "two");
}

TEST(http_parser, keeps_obs_text_and_colons_in_values) {
    const outcome o = parse(kind::request, "GET / HTTP/1.1\r\n"
                                           "Origin: http://h\xc3\xa9:8080\r\n"
                                           "\r\n");
    ASSERT_EQ(o.status, st::done) << o.detail;
    EXPECT_EQ(o.head.fields[0].value, "http://h\xc3\xa9:8080");
}

TEST(http_parser, rejects_whitespace_before_colon) {
    // RFC 9112 5.1: a server must reject whitespace between field name and colon.
    expect_malformed(kind::request, "GET / HTTP/1.1\r\nHost : a\r\n\r\n");
    expect_malformed(kind::request, "GET / HTTP/1.1\r\nHost\t: a\r\n\r\n");
    expect_malformed(kind::response, "HTTP/1.1 101 x\r\nUpgrade : websocket\r\n\r\n");
}

TEST(http_parser, rejects_bad_field_lines) {
    expect_malformed(kind::request, "GET / HTTP/1.1\r\nHost a\r\n\r\n");
    expect_malformed(kind::request, "GET / HTTP/1.1\r\n: a\r\n\r\n");
    expect_malformed(kind::request, "GET / HTTP/1.1\r\nX@Y: a\r\n\r\n");
    expect_malformed(kind::request, "GET / HTTP/1.1\r\nX Y: a\r\n\r\n");
    expect_malformed(kind::request, "GET / HTTP/1.1\r\nX\xc3\xa9: a\r\n\r\n");
}

TEST(http_parser, rejects_control_characters_in_values) {
    for (const char c : std::string_view{"\x01\x08\x0b\x0c\x1b\x1f\x7f"}) {
        std::string head = "GET / HTTP/1.1\r\nX: a";
        head += c;
        head += "b\r\n\r\n";
        expect_malformed(kind::request, head);
    }
}

TEST(http_parser, rejects_obs_fold_in_request) {
    // RFC 9112 5.2: a server must reject obs-fold (or unfold it); we reject.
    expect_malformed(kind::request, "GET / HTTP/1.1\r\nX: a\r\n b\r\n\r\n");
    expect_malformed(kind::request, "GET / HTTP/1.1\r\nX: a\r\n\tb\r\n\r\n");
}

TEST(http_parser, unfolds_obs_fold_in_response) {
    // RFC 9112 5.2: a user agent replaces each obs-fold in a response with SP.
    const outcome o = parse(kind::response, "HTTP/1.1 101 x\r\n"
                                            "Connection: keep-alive,\r\n"
                                            " \t Upgrade \r\n"
                                            "\t\r\n"
                                            "Upgrade: websocket\r\n"
                                            "\r\n");
    ASSERT_EQ(o.status, st::done) << o.detail;
    ASSERT_EQ(o.head.fields.size(), 2U);
    EXPECT_EQ(o.head.fields[0].value, "keep-alive, Upgrade");
    EXPECT_TRUE(o.head.has_token("Connection", "upgrade"));
    expect_malformed(kind::response, "HTTP/1.1 101 x\r\nX: a\r\n b\x01\r\n\r\n");
}

TEST(http_parser, rejects_whitespace_line_before_first_field) {
    // RFC 9112 2.2: whitespace between the start-line and the first field.
    expect_malformed(kind::request, "GET / HTTP/1.1\r\n Host: a\r\n\r\n");
    expect_malformed(kind::response, "HTTP/1.1 101 x\r\n Upgrade: websocket\r\n\r\n");
}

// ---------------------------------------------------------------------- incrementality

TEST(http_parser, does_not_consume_bytes_after_head) {
    std::string bytes{rfc_request};
    const std::string frame = "\x81\x05hello"; // unmasked text frame "hello"
    bytes += frame;
    http_parser p{kind::request};
    std::size_t used = 0;
    ASSERT_EQ(p.feed(bytes, used), st::done);
    EXPECT_EQ(used, rfc_request.size());
    // Finished: later bytes are left alone.
    EXPECT_EQ(p.feed(frame, used), st::done);
    EXPECT_EQ(used, 0U);
}

TEST(http_parser, does_not_consume_bytes_after_head_split_anywhere) {
    std::string bytes{rfc_response};
    bytes += "\x81\x02hi";
    for (std::size_t split = 0; split <= bytes.size(); ++split) {
        const outcome o = parse_split_at(kind::response, bytes, split);
        EXPECT_EQ(o.status, st::done) << split;
        EXPECT_EQ(o.consumed, rfc_response.size()) << split;
    }
}

TEST(http_parser, split_at_every_byte_equals_whole) {
    const std::vector<std::pair<kind, std::string>> inputs = {
        {kind::request, std::string{rfc_request}},
        {kind::response, std::string{rfc_response}},
        {kind::request, "\r\nGET / HTTP/1.1\nHost: a\n\n"},
        {kind::response, "HTTP/1.1 101 \r\nA: b,\r\n c\r\n\r\nrest"},
        {kind::request, "GET / HTTP/1.1\r\nHost : a\r\n\r\n"},       // error
        {kind::request, "GET / HTTP/1.1\r\nX: a\r\n b\r\n\r\n"},     // error
        {kind::response, "HTTP/1.1 101 ok\r\nX: a\rb\r\n\r\n"},      // error
        {kind::request, "GET / HTTP/1.1\r\nHost: a\r\n"},           // need_more
    };
    for (const auto& [k, bytes] : inputs) {
        const outcome whole = parse(k, bytes);
        for (std::size_t split = 0; split <= bytes.size(); ++split) {
            expect_same(whole, parse_split_at(k, bytes, split),
                        bytes + " split at " + std::to_string(split));
        }
        for (std::size_t chunk = 1; chunk <= 7; ++chunk) {
            expect_same(whole, parse(k, bytes, chunk), bytes + " chunk " + std::to_string(chunk));
        }
    }
}

TEST(http_parser, finished_parser_stays_finished) {
    http_parser p{kind::request};
    std::size_t used = 0;
    ASSERT_EQ(p.feed("GET / HTTP/1.1\r\nbad\r\n", used), st::error);
    const auto ec = p.error();
    EXPECT_EQ(p.feed(rfc_request, used), st::error);
    EXPECT_EQ(used, 0U);
    EXPECT_EQ(p.error(), ec);
    EXPECT_EQ(p.error_detail(), "field line without a colon");
}

TEST(http_parser, empty_feed_needs_more) {
    http_parser p{kind::request};
    std::size_t used = 1;
    EXPECT_EQ(p.feed(std::string_view{}, used), st::need_more);
    EXPECT_EQ(used, 0U);
}

TEST(http_parser, long_line_fed_byte_at_a_time_is_parsed_once) {
    // A 1 MiB value fed one byte at a time: rescanning the buffer on each byte would take
    // about 5e11 steps here, so this test also times out if feed() goes quadratic.
    const std::string value(1024 * 1024, 'v');
    const std::string bytes = "GET / HTTP/1.1\r\nX: " + value + "\r\n\r\n";
    const http_limits limits{.max_head_bytes = 2 * 1024 * 1024, .max_fields = 100};
    const outcome o = parse(kind::request, bytes, 1, limits);
    ASSERT_EQ(o.status, st::done) << o.detail;
    EXPECT_EQ(o.consumed, bytes.size());
    ASSERT_EQ(o.head.fields.size(), 1U);
    EXPECT_EQ(o.head.fields[0].value, value);
}

// -------------------------------------------------------------------------------- caps

TEST(http_parser, accepts_head_of_exactly_max_bytes) {
    const std::string bytes = "GET / HTTP/1.1\r\nX: abc\r\n\r\n";
    const http_limits exact{.max_head_bytes = bytes.size(), .max_fields = 100};
    for (const std::size_t chunk : {std::size_t{0}, std::size_t{1}}) {
        const outcome o = parse(kind::request, bytes + "\x81", chunk, exact);
        EXPECT_EQ(o.status, st::done) << o.detail;
        EXPECT_EQ(o.consumed, bytes.size());
    }
}

TEST(http_parser, rejects_head_one_byte_over_max) {
    const std::string bytes = "GET / HTTP/1.1\r\nX: abc\r\n\r\n";
    const http_limits tight{.max_head_bytes = bytes.size() - 1, .max_fields = 100};
    for (const std::size_t chunk : {std::size_t{0}, std::size_t{1}, std::size_t{5}}) {
        const outcome o = parse(kind::request, bytes, chunk, tight);
        EXPECT_EQ(o.status, st::error);
        EXPECT_EQ(o.error, violation::http_too_big);
        EXPECT_EQ(o.consumed, bytes.size()) << "the byte past the cap reveals the violation";
    }
}

TEST(http_parser, caps_a_line_that_never_ends) {
    // No LF ever: the cap must still end the parse, not buffer forever.
    const std::string endless(20 * 1024, 'A');
    const outcome whole = parse(kind::request, endless);
    EXPECT_EQ(whole.status, st::error);
    EXPECT_EQ(whole.error, violation::http_too_big);
    EXPECT_EQ(whole.consumed, http_limits{}.max_head_bytes + 1);
    expect_same(whole, parse(kind::request, endless, 1), "byte at a time");
}

TEST(http_parser, caps_endless_empty_lines_before_request_line) {
    std::string blank;
    for (int i = 0; i < 10000; ++i) {
        blank += "\r\n";
    }
    const outcome o = parse(kind::request, blank);
    EXPECT_EQ(o.status, st::error);
    EXPECT_EQ(o.error, violation::http_too_big);
}

TEST(http_parser, caps_field_count) {
    const http_limits limits{.max_head_bytes = 1024 * 1024, .max_fields = 10};
    std::string at_cap = "GET / HTTP/1.1\r\n";
    for (int i = 0; i < 10; ++i) {
        at_cap += "X-" + std::to_string(i) + ": v\r\n";
    }
    const outcome ok = parse(kind::request, at_cap + "\r\n", 0, limits);
    EXPECT_EQ(ok.status, st::done) << ok.detail;
    EXPECT_EQ(ok.head.fields.size(), 10U);

    const std::string over = at_cap + "X-10: v\r\n\r\n";
    const outcome too_many = parse(kind::request, over, 0, limits);
    EXPECT_EQ(too_many.status, st::error);
    EXPECT_EQ(too_many.error, violation::http_too_big);
    expect_same(too_many, parse(kind::request, over, 1, limits), "byte at a time");
}

TEST(http_parser, obs_fold_lines_do_not_count_as_fields) {
    const http_limits limits{.max_head_bytes = 1024, .max_fields = 1};
    const outcome o = parse(kind::response, "HTTP/1.1 101 x\r\nA: 1\r\n 2\r\n 3\r\n\r\n", 0, limits);
    ASSERT_EQ(o.status, st::done) << o.detail;
    EXPECT_EQ(o.head.fields[0].value, "1 2 3");
}

// ----------------------------------------------------------------------------- garbage

TEST(http_parser, survives_random_bytes) {
    std::mt19937 rng{20240601};
    std::uniform_int_distribution<int> byte{0, 255};
    std::uniform_int_distribution<std::size_t> length{0, 600};
    for (int round = 0; round < 2000; ++round) {
        std::string bytes(length(rng), '\0');
        for (char& c : bytes) {
            c = static_cast<char>(byte(rng));
        }
        for (const kind k : {kind::request, kind::response}) {
            const outcome whole = parse(k, bytes);
            // Random bytes are no head: only a violation, or a wait for more.
            EXPECT_NE(whole.status, st::done) << round;
            if (whole.status == st::error) {
                EXPECT_TRUE(whole.error == violation::http_malformed ||
                            whole.error == violation::http_too_big);
            }
            expect_same(whole, parse(k, bytes, 1 + static_cast<std::size_t>(round % 13)),
                        "round " + std::to_string(round));
        }
    }
}

TEST(http_parser, survives_mutated_heads) {
    // Near-valid heads reach deeper states than random bytes; whole and split must agree.
    std::mt19937 rng{6455};
    const std::string alphabet = "\r\n \t:,;=\"\\\0\x7f\x80\xff" "aZ09/.-"s;
    std::uniform_int_distribution<std::size_t> pick{0, alphabet.size() - 1};
    for (int round = 0; round < 3000; ++round) {
        const bool request = round % 2 == 0;
        std::string bytes{request ? rfc_request : rfc_response};
        std::uniform_int_distribution<std::size_t> where{0, bytes.size() - 1};
        const int edits = 1 + round % 4;
        for (int e = 0; e < edits; ++e) {
            const std::size_t at = where(rng);
            switch (rng() % 3) {
            case 0: bytes[at] = alphabet[pick(rng)]; break;
            case 1: bytes.insert(at, 1, alphabet[pick(rng)]); break;
            default: bytes.erase(at, 1); break;
            }
        }
        const kind k = request ? kind::request : kind::response;
        const outcome whole = parse(k, bytes);
        EXPECT_LE(whole.consumed, bytes.size());
        expect_same(whole, parse(k, bytes, 1), "round " + std::to_string(round));
        expect_same(whole, parse_split_at(k, bytes, static_cast<std::size_t>(round) % bytes.size()),
                    "round " + std::to_string(round));
    }
}

// --------------------------------------------------------------------------- http_head

http_head head_with(std::vector<http_field> fields) {
    http_head h;
    h.fields = std::move(fields);
    return h;
}

TEST(http_head, values_are_case_insensitive_and_ordered) {
    const http_head h = head_with({{"A", "1"}, {"b", "2"}, {"a", "3"}});
    const auto v = h.values("a");
    ASSERT_EQ(v.size(), 2U);
    EXPECT_EQ(v[0], "1");
    EXPECT_EQ(v[1], "3");
    EXPECT_TRUE(h.values("c").empty());
}

TEST(http_head, single_is_absent_when_missing_or_repeated) {
    const http_head h = head_with({{"Host", "a"}, {"X", "1"}, {"x", "2"}, {"Empty", ""}});
    EXPECT_EQ(h.single("HOST"), "a");
    EXPECT_EQ(h.single("X"), std::nullopt);
    EXPECT_EQ(h.single("Missing"), std::nullopt);
    ASSERT_TRUE(h.single("empty").has_value());
    EXPECT_EQ(*h.single("empty"), "");
}

TEST(http_head, count_counts_every_spelling) {
    const http_head h = head_with({{"Host", "a"}, {"HOST", "b"}, {"hosts", "c"}});
    EXPECT_EQ(h.count("host"), 2U);
    EXPECT_EQ(h.count("hosts"), 1U);
    EXPECT_EQ(h.count("none"), 0U);
}

TEST(http_head, has_token_reads_comma_separated_lists) {
    EXPECT_TRUE(head_with({{"Connection", "keep-alive, Upgrade"}}).has_token("connection", "upgrade"));
    EXPECT_TRUE(head_with({{"Connection", "UPGRADE"}}).has_token("Connection", "Upgrade"));
    EXPECT_TRUE(head_with({{"Upgrade", "websocket, h2c"}}).has_token("Upgrade", "websocket"));
    EXPECT_TRUE(head_with({{"Upgrade", "h2c,websocket"}}).has_token("Upgrade", "WebSocket"));
    EXPECT_TRUE(head_with({{"Connection", " ,\t, Upgrade\t,"}}).has_token("Connection", "Upgrade"));
    EXPECT_TRUE(head_with({{"Connection", "close"}, {"connection", "upgrade"}})
                    .has_token("Connection", "Upgrade"));
    EXPECT_FALSE(head_with({{"Connection", "Upgrade2"}}).has_token("Connection", "Upgrade"));
    EXPECT_FALSE(head_with({{"Connection", "keep-alive Upgrade"}}).has_token("Connection", "Upgrade"));
    EXPECT_FALSE(head_with({{"Connection", "Up grade"}}).has_token("Connection", "Upgrade"));
    EXPECT_FALSE(head_with({{"Connection", ""}}).has_token("Connection", "Upgrade"));
    EXPECT_FALSE(head_with({{"X-Connection", "Upgrade"}}).has_token("Connection", "Upgrade"));
    EXPECT_FALSE(head_with({{"Upgrade", "websocket/13"}}).has_token("Upgrade", "websocket"));
}

TEST(iequals, compares_ascii_case_insensitively) {
    EXPECT_TRUE(iequals("Sec-WebSocket-Key", "sec-websocket-key"));
    EXPECT_TRUE(iequals("", ""));
    EXPECT_FALSE(iequals("abc", "abcd"));
    EXPECT_FALSE(iequals("a", "b"));
    // Only ASCII letters fold: '@' (0x40) and '`' (0x60) differ by the case bit but are not letters.
    EXPECT_FALSE(iequals("@", "`"));
    EXPECT_FALSE(iequals("[", "{"));
    EXPECT_FALSE(iequals("\xc3\x89", "\xc3\xa9"));
}

} // namespace
} // namespace wscheck::proto
