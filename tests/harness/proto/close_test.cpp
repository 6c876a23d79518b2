#include "harness/proto/close.hpp"

#include "harness/proto/error.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace wscheck::proto {
namespace {

using bytes = std::vector<std::uint8_t>;

std::uint16_t u16(unsigned v) { return static_cast<std::uint16_t>(v); }

/// A close payload written out by hand: the code's two bytes, high first, then the reason.
bytes payload_of(unsigned code, std::string_view reason = {}) {
    bytes p{static_cast<std::uint8_t>(code >> 8), static_cast<std::uint8_t>(code & 0xFF)};
    for (char c : reason) p.push_back(static_cast<std::uint8_t>(c));
    return p;
}

// ---------------------------------------------------------------- classes (7.4)

TEST(close_code, every_class_boundary) {
    struct row {
        unsigned code;
        close_code_class expected;
    };
    const row rows[] = {
        {0, close_code_class::out_of_range},
        {1, close_code_class::out_of_range},
        {999, close_code_class::out_of_range},
        {1000, close_code_class::registered},
        {1001, close_code_class::registered},
        {1002, close_code_class::registered},
        {1003, close_code_class::registered},
        {1004, close_code_class::reserved_never_sent},
        {1005, close_code_class::reserved_never_sent},
        {1006, close_code_class::reserved_never_sent},
        {1007, close_code_class::registered},
        {1008, close_code_class::registered},
        {1009, close_code_class::registered},
        {1010, close_code_class::registered},
        {1011, close_code_class::registered},
        {1012, close_code_class::registered}, // IANA: service restart
        {1013, close_code_class::registered}, // IANA: try again later
        {1014, close_code_class::registered}, // IANA: bad gateway
        {1015, close_code_class::reserved_never_sent},
        {1016, close_code_class::unassigned},
        {1100, close_code_class::unassigned},
        {2000, close_code_class::unassigned},
        {2999, close_code_class::unassigned},
        {3000, close_code_class::library_use},
        {3999, close_code_class::library_use},
        {4000, close_code_class::private_use},
        {4999, close_code_class::private_use},
        {5000, close_code_class::out_of_range},
        {65535, close_code_class::out_of_range},
    };
    for (const auto& r : rows)
        EXPECT_EQ(classify_close_code(u16(r.code)), r.expected) << r.code;
}

TEST(close_code, valid_on_the_wire_exactly_for_registered_library_and_private) {
    // Every 16-bit code, against the ranges of 7.4 written out independently.
    for (unsigned code = 0; code <= 0xFFFF; ++code) {
        const bool expected = (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) ||
                              (code >= 3000 && code <= 4999);
        EXPECT_EQ(is_valid_close_code(u16(code)), expected) << code;
    }
}

TEST(close_code, named_constants_classify_as_documented) {
    EXPECT_EQ(classify_close_code(close_code::normal), close_code_class::registered);
    EXPECT_EQ(classify_close_code(close_code::no_status), close_code_class::reserved_never_sent);
    EXPECT_EQ(classify_close_code(close_code::abnormal), close_code_class::reserved_never_sent);
    EXPECT_EQ(classify_close_code(close_code::tls_handshake), close_code_class::reserved_never_sent);
    EXPECT_EQ(classify_close_code(close_code::reserved_1004), close_code_class::reserved_never_sent);
    EXPECT_EQ(classify_close_code(close_code::bad_gateway), close_code_class::registered);
    EXPECT_TRUE(is_valid_close_code(close_code::too_big));
    EXPECT_FALSE(is_valid_close_code(close_code::abnormal));
}

TEST(close_code, class_names) {
    EXPECT_EQ(to_string(close_code_class::out_of_range), "out_of_range");
    EXPECT_EQ(to_string(close_code_class::registered), "registered");
    EXPECT_EQ(to_string(close_code_class::reserved_never_sent), "reserved_never_sent");
    EXPECT_EQ(to_string(close_code_class::unassigned), "unassigned");
    EXPECT_EQ(to_string(close_code_class::library_use), "library_use");
    EXPECT_EQ(to_string(close_code_class::private_use), "private_use");
}

// ---------------------------------------------------------------- parse (5.5.1)

TEST(parse_close_payload, empty_payload_has_no_code) {
    close_payload out;
    out.code = 1000;
    out.reason = "stale";
    EXPECT_FALSE(parse_close_payload({}, out));
    EXPECT_FALSE(out.code.has_value());
    EXPECT_TRUE(out.reason.empty());
}

TEST(parse_close_payload, one_byte_payload_is_bad_close_size) {
    close_payload out;
    const bytes p{0x03};
    const auto ec = parse_close_payload(p, out);
    EXPECT_EQ(ec, violation::bad_close_size);
    EXPECT_EQ(info(ec)->close_code, close_code::protocol_error);
    EXPECT_FALSE(out.code.has_value());
}

TEST(parse_close_payload, two_bytes_is_a_code_without_reason) {
    close_payload out;
    const bytes p{0x03, 0xE8}; // 1000
    EXPECT_FALSE(parse_close_payload(p, out));
    ASSERT_TRUE(out.code.has_value());
    EXPECT_EQ(*out.code, 1000);
    EXPECT_TRUE(out.reason.empty());
}

TEST(parse_close_payload, code_is_big_endian) {
    close_payload out;
    const bytes p{0x0F, 0xA0}; // 4000
    EXPECT_FALSE(parse_close_payload(p, out));
    EXPECT_EQ(out.code, std::optional<std::uint16_t>{4000});
}

TEST(parse_close_payload, maximal_payload_of_125_bytes) {
    // 5.5: 125 bytes of control payload, 123 of them the reason.
    std::string reason(max_close_reason, 'r');
    const bytes p = payload_of(1001, reason);
    EXPECT_EQ(p[0], 0x03);
    EXPECT_EQ(p[1], 0xE9);
    ASSERT_EQ(p.size(), 125u);
    close_payload out;
    EXPECT_FALSE(parse_close_payload(p, out));
    EXPECT_EQ(out.code, std::optional<std::uint16_t>{1001});
    EXPECT_EQ(out.reason, reason);
}

TEST(parse_close_payload, utf8_reason_accepted) {
    const std::string reason = "\xCE\xBA\xE1\xBD\xB9\xCF\x83\xCE\xBC\xCE\xB5"; // κόσμε
    const bytes p = payload_of(1000, reason);
    close_payload out;
    EXPECT_FALSE(parse_close_payload(p, out));
    EXPECT_EQ(out.reason, reason);
}

TEST(parse_close_payload, every_invalid_code_is_bad_close_code) {
    for (unsigned code : {0u, 999u, 1004u, 1005u, 1006u, 1015u, 1016u, 1100u, 2000u, 2999u,
                          5000u, 65535u}) {
        const bytes p = payload_of(code, "x");
        close_payload out;
        const auto ec = parse_close_payload(p, out);
        EXPECT_EQ(ec, violation::bad_close_code) << code;
        EXPECT_EQ(info(ec)->close_code, close_code::protocol_error);
        // Filled as far as the bytes allow, even on error.
        EXPECT_EQ(out.code, std::optional<std::uint16_t>{u16(code)});
        EXPECT_EQ(out.reason, "x");
    }
    for (unsigned code : {1000u, 1003u, 1007u, 1011u, 1012u, 1014u, 3000u, 3999u, 4000u, 4999u}) {
        const bytes p = payload_of(code);
        close_payload out;
        EXPECT_FALSE(parse_close_payload(p, out)) << code;
    }
}

TEST(parse_close_payload, invalid_utf8_reason_is_bad_close_reason) {
    const std::vector<std::string> bad_reasons = {
        "\xFF",                 // never valid
        "\xC0\xAF",             // overlong
        "\xED\xA0\x80",         // surrogate
        "ok\xF4\x90\x80\x80",   // above U+10FFFF
        "\xCE",                 // ends inside a sequence
        "\xE2\x82",             // ends inside a sequence
        "\x80",                 // lone continuation byte
    };
    for (const auto& reason : bad_reasons) {
        const bytes p = payload_of(1000, reason);
        close_payload out;
        const auto ec = parse_close_payload(p, out);
        EXPECT_EQ(ec, violation::bad_close_reason);
        EXPECT_EQ(info(ec)->close_code, close_code::invalid_payload);
        EXPECT_EQ(out.code, std::optional<std::uint16_t>{1000});
        EXPECT_EQ(out.reason, reason);
    }
}

TEST(parse_close_payload, bad_code_reported_before_bad_reason) {
    const bytes p{0x03, 0xED, 0xFF}; // 1005 with an invalid reason
    close_payload out;
    EXPECT_EQ(parse_close_payload(p, out), violation::bad_close_code);
}

// ---------------------------------------------------------------- build

TEST(build_close_payload, nothing_without_a_code) {
    EXPECT_TRUE(build_close_payload(std::nullopt).empty());
    EXPECT_TRUE(build_close_payload(std::nullopt, "ignored").empty());
}

TEST(build_close_payload, code_in_network_order_then_reason) {
    EXPECT_EQ(build_close_payload(1000), (bytes{0x03, 0xE8}));
    EXPECT_EQ(build_close_payload(4999, "ab"), (bytes{0x13, 0x87, 'a', 'b'}));
}

TEST(build_close_payload, builds_invalid_payloads_on_purpose) {
    EXPECT_EQ(build_close_payload(1005), (bytes{0x03, 0xED}));
    EXPECT_EQ(build_close_payload(0, "\xFF"), (bytes{0x00, 0x00, 0xFF}));
    const std::string long_reason(200, 'x'); // over 123 bytes: built anyway
    EXPECT_EQ(build_close_payload(1000, long_reason).size(), 202u);
}

TEST(build_close_payload, round_trips_through_parse) {
    for (unsigned code : {1000u, 1001u, 1011u, 1014u, 3000u, 4321u}) {
        const auto p = build_close_payload(u16(code), "bye \xE2\x82\xAC");
        close_payload out;
        EXPECT_FALSE(parse_close_payload(p, out));
        EXPECT_EQ(out.code, std::optional<std::uint16_t>{u16(code)});
        EXPECT_EQ(out.reason, "bye \xE2\x82\xAC");
    }
}

} // namespace
} // namespace wscheck::proto
