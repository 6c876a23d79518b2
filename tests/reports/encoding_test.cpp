#include "reports/encoding.hpp"

#include <gtest/gtest.h>

namespace {

using namespace wscheck::reports;
using namespace std::chrono;


TEST(Encoding, PrintableTextIsValidUtf8WithoutControls) {
    EXPECT_TRUE(is_printable_text(as_bytes("Hello")));
    EXPECT_TRUE(is_printable_text(as_bytes("")));
    EXPECT_TRUE(is_printable_text(as_bytes("tab\tline\r\n")));
    EXPECT_TRUE(is_printable_text(as_bytes("\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5"))); // κόσμε
    EXPECT_FALSE(is_printable_text(as_bytes(std::string_view{"a\0b", 3})));
    EXPECT_FALSE(is_printable_text(as_bytes("\x1b[31m")));
    EXPECT_FALSE(is_printable_text(as_bytes("\x7f")));
    EXPECT_FALSE(is_printable_text(as_bytes("\xed\xa0\x80"))); // a surrogate
    EXPECT_FALSE(is_printable_text(as_bytes("\xc3")));         // cut short
}

TEST(Encoding, ValidUtf8ReplacesOnlyTheBadBytes) {
    EXPECT_EQ(to_valid_utf8("plain"), "plain");
    EXPECT_EQ(to_valid_utf8("\xce\xba\xe1\xbd\xb9"), "\xce\xba\xe1\xbd\xb9");
    EXPECT_EQ(to_valid_utf8("a\xff" "b"), "a\xef\xbf\xbd" "b");
    EXPECT_EQ(to_valid_utf8("\xed\xa0\x80"), "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"); // surrogate
    EXPECT_EQ(to_valid_utf8("x\xc3"), "x\xef\xbf\xbd");                                 // cut short
    EXPECT_TRUE(is_printable_text(as_bytes(to_valid_utf8("\x80\xc0\xaf\xf5\x80\x80\x80"))));
}

TEST(Encoding, HexRoundTrips) {
    const std::vector<std::uint8_t> b{0x00, 0x7f, 0x80, 0xff, 0x0a};
    EXPECT_EQ(to_hex(b), "007f80ff0a");
    EXPECT_EQ(from_hex("007f80ff0a"), b);
    EXPECT_EQ(from_hex("007F80FF0A"), b);
    EXPECT_EQ(from_hex(""), std::vector<std::uint8_t>{});
    EXPECT_FALSE(from_hex("abc").has_value());
    EXPECT_FALSE(from_hex("zz").has_value());
}

TEST(Encoding, Rfc3339WritesUtcWithMicroseconds) {
    const auto t = system_clock::time_point{sys_days{year{2026} / 11 / 25}.time_since_epoch() +
                                            hours{7} + minutes{33} + seconds{5} +
                                            microseconds{123456}};
    EXPECT_EQ(to_rfc3339(t), "2026-11-25T07:33:05.123456Z");
    EXPECT_EQ(to_rfc3339(system_clock::time_point{}), "1970-01-01T00:00:00.000000Z");
    EXPECT_EQ(from_rfc3339("2026-11-25T07:33:05.123456Z"), t);
}

TEST(Encoding, Rfc3339ReadsOffsetsAndFractions) {
    const auto base = sys_days{year{2026} / 1 / 2}.time_since_epoch();
    const auto t = [&](auto d) { return system_clock::time_point{duration_cast<system_clock::duration>(base + d)}; };
    EXPECT_EQ(from_rfc3339("2026-01-02T00:00:00Z"), t(seconds{0}));
    EXPECT_EQ(from_rfc3339("2026-01-02t00:00:00.5z"), t(milliseconds{500}));
    EXPECT_EQ(from_rfc3339("2026-01-02T01:30:00+01:30"), t(seconds{0}));
    EXPECT_EQ(from_rfc3339("2026-01-01T23:00:00-01:00"), t(seconds{0}));
    EXPECT_EQ(from_rfc3339("2026-01-02T00:00:00.1234569Z"), t(microseconds{123456}));
}

TEST(Encoding, Rfc3339RejectsWhatIsNotADateTime) {
    for (const char* bad : {"", "2026-01-02", "2026-01-02T00:00:00", "2026-13-01T00:00:00Z",
                            "2026-02-30T00:00:00Z", "2026-01-02T24:00:00Z", "2026-01-02T00:00:00.Z",
                            "2026-01-02T00:00:00Zjunk", "2026-01-02T00:00:00+0100",
                            "26-01-02T00:00:00Z"}) {
        EXPECT_FALSE(from_rfc3339(bad).has_value()) << bad;
    }
}

} // namespace
