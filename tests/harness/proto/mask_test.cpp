#include "harness/proto/mask.hpp"

#include <gtest/gtest.h>

#include <numeric>
#include <vector>

namespace wscheck::proto {
namespace {

using bytes = std::vector<std::uint8_t>;

constexpr mask_key rfc_key{0x37, 0xfa, 0x21, 0x3d};
constexpr mask_key odd_key{0x01, 0x80, 0xfe, 0x5a};

/// 5.3 literally: octet i of the result is octet i of the data XOR octet (i + phase) mod 4 of
/// the key.
bytes naive_mask(bytes data, const mask_key& key, std::size_t phase) {
    for (std::size_t i = 0; i < data.size(); ++i) {
        data[i] = static_cast<std::uint8_t>(data[i] ^ key[(i + phase) % 4]);
    }
    return data;
}

bytes pattern(std::size_t n, std::uint8_t seed) {
    bytes out(n);
    for (std::size_t i = 0; i < n; ++i) {
        out[i] = static_cast<std::uint8_t>(seed + i * 37);
    }
    return out;
}

TEST(mask_inplace, rfc_5_7_masked_hello) {
    bytes data{'H', 'e', 'l', 'l', 'o'};
    EXPECT_EQ(mask_inplace(data, rfc_key), 1u);
    EXPECT_EQ(data, (bytes{0x7f, 0x9f, 0x4d, 0x51, 0x58}));
    // 5.3: the same operation unmasks.
    EXPECT_EQ(mask_inplace(data, rfc_key), 1u);
    EXPECT_EQ(data, (bytes{'H', 'e', 'l', 'l', 'o'}));
}

TEST(mask_inplace, matches_the_naive_reference_at_every_phase_length_and_offset) {
    // Offsets 0-15 into a buffer put the data at every alignment; guard bytes on both sides
    // must come out untouched.
    constexpr std::size_t guard = 16;
    for (std::size_t offset = 0; offset < 16; ++offset) {
        for (std::size_t len = 0; len <= 40; ++len) {
            for (std::size_t phase = 0; phase < 4; ++phase) {
                bytes buf = pattern(guard + offset + len + guard, static_cast<std::uint8_t>(len));
                const bytes before = buf;
                bytes slice(buf.begin() + static_cast<std::ptrdiff_t>(guard + offset),
                            buf.begin() + static_cast<std::ptrdiff_t>(guard + offset + len));
                const bytes expected = naive_mask(slice, odd_key, phase);

                const std::size_t next = mask_inplace(
                    std::span<std::uint8_t>{buf.data() + guard + offset, len}, odd_key, phase);

                EXPECT_EQ(next, (phase + len) % 4) << offset << " " << len << " " << phase;
                for (std::size_t i = 0; i < len; ++i) {
                    ASSERT_EQ(buf[guard + offset + i], expected[i])
                        << "offset " << offset << " len " << len << " phase " << phase << " i " << i;
                }
                for (std::size_t i = 0; i < guard + offset; ++i) {
                    ASSERT_EQ(buf[i], before[i]) << "wrote before the data";
                }
                for (std::size_t i = guard + offset + len; i < buf.size(); ++i) {
                    ASSERT_EQ(buf[i], before[i]) << "wrote after the data";
                }
            }
        }
    }
}

TEST(mask_inplace, large_unaligned_buffer_matches_the_reference) {
    for (std::size_t offset = 0; offset < 8; ++offset) {
        bytes buf = pattern(70000 + offset, 3);
        const bytes data(buf.begin() + static_cast<std::ptrdiff_t>(offset), buf.end());
        const std::size_t next =
            mask_inplace(std::span<std::uint8_t>{buf.data() + offset, data.size()}, rfc_key, 2);
        EXPECT_EQ(next, (2 + data.size()) % 4);
        EXPECT_TRUE(std::equal(buf.begin() + static_cast<std::ptrdiff_t>(offset), buf.end(),
                               naive_mask(data, rfc_key, 2).begin()))
            << offset;
    }
}

TEST(mask_inplace, resuming_at_every_split_equals_masking_whole) {
    const bytes data = pattern(67, 11);
    const bytes expected = naive_mask(data, odd_key, 0);
    for (std::size_t a = 0; a <= data.size(); ++a) {
        for (std::size_t b = a; b <= data.size(); b += 5) {
            bytes buf = data;
            const std::span<std::uint8_t> all{buf};
            std::size_t phase = mask_inplace(all.subspan(0, a), odd_key, 0);
            phase = mask_inplace(all.subspan(a, b - a), odd_key, phase);
            phase = mask_inplace(all.subspan(b), odd_key, phase);
            EXPECT_EQ(phase, data.size() % 4);
            ASSERT_EQ(buf, expected) << a << " " << b;
        }
    }
}

TEST(mask_inplace, empty_data_keeps_the_phase) {
    for (std::size_t phase = 0; phase < 4; ++phase) {
        EXPECT_EQ(mask_inplace({}, rfc_key, phase), phase);
    }
}

TEST(mask_inplace, zero_key_is_the_identity) {
    bytes data = pattern(100, 9);
    const bytes before = data;
    EXPECT_EQ(mask_inplace(data, mask_key{}, 3), (3 + 100) % 4u);
    EXPECT_EQ(data, before);
}

TEST(mask_copy, matches_the_naive_reference_at_every_phase_length_and_alignment) {
    // Source and destination at every alignment, independently; the source is left alone and
    // the destination's guard bytes come out untouched.
    constexpr std::size_t guard = 16;
    for (std::size_t from_offset = 0; from_offset < 8; ++from_offset) {
        for (std::size_t to_offset = 0; to_offset < 8; ++to_offset) {
            for (std::size_t len = 0; len <= 70; ++len) {
                for (std::size_t phase = 0; phase < 4; ++phase) {
                    const bytes src = pattern(from_offset + len, static_cast<std::uint8_t>(len));
                    const bytes data(src.begin() + static_cast<std::ptrdiff_t>(from_offset), src.end());
                    bytes dst = pattern(guard + to_offset + len + guard, 0x55);
                    const bytes before = dst;

                    const std::size_t next = mask_copy(
                        std::span<const std::uint8_t>{src.data() + from_offset, len},
                        std::span<std::uint8_t>{dst.data() + guard + to_offset, len}, odd_key, phase);

                    EXPECT_EQ(next, (phase + len) % 4);
                    const bytes expected = naive_mask(data, odd_key, phase);
                    for (std::size_t i = 0; i < dst.size(); ++i) {
                        const bool inside = i >= guard + to_offset && i < guard + to_offset + len;
                        ASSERT_EQ(dst[i], inside ? expected[i - guard - to_offset] : before[i])
                            << from_offset << " " << to_offset << " " << len << " " << phase << " " << i;
                    }
                }
            }
        }
    }
}

TEST(mask_copy, resuming_at_every_split_equals_mask_inplace_whole) {
    const bytes data = pattern(70000, 4);
    bytes whole = data;
    mask_inplace(whole, rfc_key, 1);
    for (const std::size_t split : {std::size_t{1}, std::size_t{3}, std::size_t{4}, std::size_t{4097}, std::size_t{65535}}) {
        bytes out(data.size());
        const std::span<const std::uint8_t> from{data};
        const std::span<std::uint8_t> to{out};
        const std::size_t phase = mask_copy(from.first(split), to.first(split), rfc_key, 1);
        EXPECT_EQ(mask_copy(from.subspan(split), to.subspan(split), rfc_key, phase), (1 + data.size()) % 4);
        EXPECT_TRUE(out == whole) << split;
    }
}

} // namespace
} // namespace wscheck::proto
