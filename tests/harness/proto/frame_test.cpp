#include "harness/proto/frame.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

namespace wscheck::proto {
namespace {

using bytes = std::vector<std::uint8_t>;

bytes encode(const frame_header& h, length_encoding enc = length_encoding::minimal) {
    std::array<std::uint8_t, max_header_size> out{};
    const std::size_t n = encode_header(h, out, enc);
    EXPECT_EQ(n, header_size(h, enc));
    return bytes(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(n));
}

frame_header make(opcode op, std::uint64_t length, bool fin = true) {
    frame_header h;
    h.op = op;
    h.length = length;
    h.fin = fin;
    return h;
}

frame_header masked(frame_header h, mask_key key) {
    h.masked = true;
    h.key = key;
    return h;
}

constexpr mask_key rfc_key{0x37, 0xfa, 0x21, 0x3d};

// ---- RFC 6455 5.7 examples ------------------------------------------------------------

TEST(encode_header, rfc_5_7_unmasked_text) {
    // 0x81 0x05 0x48 0x65 0x6c 0x6c 0x6f: "Hello"; the header is the first two bytes.
    EXPECT_EQ(encode(make(opcode::text, 5)), (bytes{0x81, 0x05}));
}

TEST(encode_header, rfc_5_7_masked_text) {
    // 0x81 0x85 0x37 0xfa 0x21 0x3d 0x7f 0x9f 0x4d 0x51 0x58
    EXPECT_EQ(encode(masked(make(opcode::text, 5), rfc_key)),
              (bytes{0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d}));
}

TEST(encode_header, rfc_5_7_fragmented_text) {
    // 0x01 0x03 0x48 0x65 0x6c ("Hel"), then 0x80 0x02 0x6c 0x6f ("lo")
    EXPECT_EQ(encode(make(opcode::text, 3, false)), (bytes{0x01, 0x03}));
    EXPECT_EQ(encode(make(opcode::cont, 2, true)), (bytes{0x80, 0x02}));
}

TEST(encode_header, rfc_5_7_ping_and_masked_pong) {
    // Unmasked Ping: 0x89 0x05 "Hello"; masked Pong: 0x8a 0x85 0x37 0xfa 0x21 0x3d ...
    EXPECT_EQ(encode(make(opcode::ping, 5)), (bytes{0x89, 0x05}));
    EXPECT_EQ(encode(masked(make(opcode::pong, 5), rfc_key)),
              (bytes{0x8a, 0x85, 0x37, 0xfa, 0x21, 0x3d}));
}

TEST(encode_header, rfc_5_7_binary_256_bytes) {
    // 0x82 0x7E 0x0100 [256 bytes of binary data]
    EXPECT_EQ(encode(make(opcode::binary, 256)), (bytes{0x82, 0x7E, 0x01, 0x00}));
}

TEST(encode_header, rfc_5_7_binary_64_kib) {
    // 0x82 0x7F 0x0000000000010000 [65536 bytes of binary data]
    EXPECT_EQ(encode(make(opcode::binary, 65536)),
              (bytes{0x82, 0x7F, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00}));
}

// ---- lengths ---------------------------------------------------------------------------

TEST(encode_header, every_length_boundary_uses_the_minimal_form) {
    EXPECT_EQ(encode(make(opcode::binary, 0)), (bytes{0x82, 0x00}));
    EXPECT_EQ(encode(make(opcode::binary, 125)), (bytes{0x82, 0x7D}));
    EXPECT_EQ(encode(make(opcode::binary, 126)), (bytes{0x82, 0x7E, 0x00, 0x7E}));
    EXPECT_EQ(encode(make(opcode::binary, 65535)), (bytes{0x82, 0x7E, 0xFF, 0xFF}));
    EXPECT_EQ(encode(make(opcode::binary, 65536)),
              (bytes{0x82, 0x7F, 0, 0, 0, 0, 0, 0x01, 0x00, 0x00}));
    EXPECT_EQ(encode(make(opcode::binary, std::uint64_t{1} << 32)),
              (bytes{0x82, 0x7F, 0, 0, 0, 0x01, 0, 0, 0, 0}));
    EXPECT_EQ(encode(make(opcode::binary, max_payload_length)),
              (bytes{0x82, 0x7F, 0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF}));
}

TEST(encode_header, length_over_the_limit_sets_the_msb_on_the_wire) {
    // Written as asked, so a case can send the illegal 5.2 form.
    EXPECT_EQ(encode(make(opcode::binary, max_payload_length + 1)),
              (bytes{0x82, 0x7F, 0x80, 0, 0, 0, 0, 0, 0, 0}));
    EXPECT_EQ(encode(make(opcode::binary, ~std::uint64_t{0})),
              (bytes{0x82, 0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF}));
}

TEST(encode_header, forced_16_bit_length_is_non_minimal) {
    EXPECT_EQ(encode(make(opcode::binary, 0), length_encoding::force_16),
              (bytes{0x82, 0x7E, 0x00, 0x00}));
    EXPECT_EQ(encode(make(opcode::text, 125), length_encoding::force_16),
              (bytes{0x81, 0x7E, 0x00, 0x7D}));
    // Already 16-bit: forcing changes nothing.
    EXPECT_EQ(encode(make(opcode::text, 300), length_encoding::force_16),
              (bytes{0x81, 0x7E, 0x01, 0x2C}));
}

TEST(encode_header, forced_64_bit_length_is_non_minimal) {
    EXPECT_EQ(encode(make(opcode::binary, 0), length_encoding::force_64),
              (bytes{0x82, 0x7F, 0, 0, 0, 0, 0, 0, 0, 0}));
    EXPECT_EQ(encode(make(opcode::binary, 5), length_encoding::force_64),
              (bytes{0x82, 0x7F, 0, 0, 0, 0, 0, 0, 0, 5}));
    EXPECT_EQ(encode(make(opcode::binary, 65535), length_encoding::force_64),
              (bytes{0x82, 0x7F, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF}));
}

TEST(encode_header, forced_encoding_too_small_falls_back_to_the_next_larger) {
    // force_16 cannot hold 65536: it becomes 64-bit.
    EXPECT_EQ(encode(make(opcode::binary, 65536), length_encoding::force_16),
              (bytes{0x82, 0x7F, 0, 0, 0, 0, 0, 0x01, 0x00, 0x00}));
}

TEST(header_size, counts_extended_length_and_key) {
    EXPECT_EQ(header_size(make(opcode::text, 0)), 2u);
    EXPECT_EQ(header_size(make(opcode::text, 125)), 2u);
    EXPECT_EQ(header_size(make(opcode::text, 126)), 4u);
    EXPECT_EQ(header_size(make(opcode::text, 65535)), 4u);
    EXPECT_EQ(header_size(make(opcode::text, 65536)), 10u);
    EXPECT_EQ(header_size(masked(make(opcode::text, 0), rfc_key)), 6u);
    EXPECT_EQ(header_size(masked(make(opcode::text, 126), rfc_key)), 8u);
    EXPECT_EQ(header_size(masked(make(opcode::text, 65536), rfc_key)), max_header_size);
    EXPECT_EQ(header_size(make(opcode::text, 1), length_encoding::force_16), 4u);
    EXPECT_EQ(header_size(make(opcode::text, 1), length_encoding::force_64), 10u);
    EXPECT_EQ(header_size(make(opcode::text, 70000), length_encoding::force_16), 10u);
}

// ---- flags and opcodes -----------------------------------------------------------------

TEST(encode_header, flags_each_take_their_own_bit) {
    frame_header h = make(opcode::cont, 0, false);
    EXPECT_EQ(encode(h)[0], 0x00);
    h.fin = true;
    EXPECT_EQ(encode(h)[0], 0x80);
    h.fin = false;
    h.rsv1 = true;
    EXPECT_EQ(encode(h)[0], 0x40);
    h.rsv1 = false;
    h.rsv2 = true;
    EXPECT_EQ(encode(h)[0], 0x20);
    h.rsv2 = false;
    h.rsv3 = true;
    EXPECT_EQ(encode(h)[0], 0x10);
    h = masked(make(opcode::cont, 0, false), {0, 0, 0, 0});
    EXPECT_EQ(encode(h), (bytes{0x00, 0x80, 0, 0, 0, 0}));
}

TEST(encode_header, all_sixteen_opcodes_go_in_the_low_nibble) {
    for (unsigned v = 0; v < 16; ++v) {
        const auto op = static_cast<opcode>(v);
        EXPECT_EQ(encode(make(op, 0))[0], 0x80u | v) << v;
        EXPECT_EQ(encode(make(op, 0, false))[0], v) << v;
    }
}

TEST(opcode, classification_of_all_sixteen) {
    const std::set<unsigned> control{0x8, 0x9, 0xA, 0xB, 0xC, 0xD, 0xE, 0xF};
    const std::set<unsigned> reserved{0x3, 0x4, 0x5, 0x6, 0x7, 0xB, 0xC, 0xD, 0xE, 0xF};
    for (unsigned v = 0; v < 16; ++v) {
        const auto op = static_cast<opcode>(v);
        EXPECT_EQ(is_control(op), control.count(v) == 1) << v;
        EXPECT_EQ(is_reserved(op), reserved.count(v) == 1) << v;
    }
}

TEST(opcode, to_string_names_all_sixteen) {
    const char* expected[16] = {"cont",  "text",  "binary", "rsv3",  "rsv4",  "rsv5",
                                "rsv6",  "rsv7",  "close",  "ping",  "pong",  "crsvb",
                                "crsvc", "crsvd", "crsve",  "crsvf"};
    for (unsigned v = 0; v < 16; ++v) {
        EXPECT_EQ(to_string(static_cast<opcode>(v)), expected[v]) << v;
    }
    EXPECT_EQ(to_string(static_cast<opcode>(16)), "invalid");
}

} // namespace
} // namespace wscheck::proto
