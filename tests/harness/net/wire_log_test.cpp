#include "harness/net/wire_log.hpp"

#include <gtest/gtest.h>

#include <sstream>
#include <vector>

namespace wscheck::net {
namespace {

TEST(wire_log, records_both_directions_in_order) {
    wire_log log;
    const std::vector<std::uint8_t> a{0x81, 0x02, 'h', 'i'};
    const std::vector<std::uint8_t> b{0x88, 0x00};
    log.record(direction::sent, a);
    log.record(direction::received, b);
    ASSERT_EQ(log.records().size(), 2u);
    EXPECT_EQ(log.records()[0].dir, direction::sent);
    EXPECT_EQ(log.records()[0].bytes, a);
    EXPECT_EQ(log.records()[1].dir, direction::received);
    EXPECT_EQ(log.records()[1].size, 2u);
    EXPECT_LE(log.records()[0].at, log.records()[1].at);
    EXPECT_EQ(log.stored_bytes(), 6u);
    EXPECT_EQ(log.dropped_bytes(), 0u);
}

TEST(wire_log, keeps_sizes_but_caps_stored_bytes) {
    wire_log log(10);
    log.record(direction::received, std::vector<std::uint8_t>(8, 0xAA));
    log.record(direction::received, std::vector<std::uint8_t>(8, 0xBB));
    log.record(direction::sent, std::vector<std::uint8_t>(5, 0xCC));
    ASSERT_EQ(log.records().size(), 3u);
    EXPECT_EQ(log.records()[0].bytes.size(), 8u);
    EXPECT_EQ(log.records()[1].bytes.size(), 2u); // what was left of the cap
    EXPECT_EQ(log.records()[1].size, 8u);
    EXPECT_TRUE(log.records()[2].bytes.empty());
    EXPECT_EQ(log.records()[2].size, 5u);
    EXPECT_EQ(log.stored_bytes(), 10u);
    EXPECT_EQ(log.dropped_bytes(), 11u);
}

TEST(wire_log, bounds_the_number_of_records) {
    // A peer trickling one byte per read must not grow the log without limit.
    wire_log log(16);
    const std::vector<std::uint8_t> one{0x00};
    for (int i = 0; i < 5000; ++i) {
        log.record(direction::received, one);
    }
    EXPECT_LT(log.records().size(), 5000u);
    EXPECT_EQ(log.stored_bytes() + log.dropped_bytes(), 5000u);
}

TEST(wire_log, text_form_shows_direction_size_and_hex) {
    wire_log log;
    log.record(direction::sent, std::vector<std::uint8_t>{0x81, 0x00});
    log.record(direction::received, std::vector<std::uint8_t>{0x88, 0x02, 0x03, 0xe8});
    std::ostringstream out;
    log.write_text(out, 3);
    const auto text = out.str();
    EXPECT_NE(text.find(" > 2 bytes  81 00\n"), std::string::npos) << text;
    EXPECT_NE(text.find(" < 4 bytes  88 02 03 ...\n"), std::string::npos) << text;
    EXPECT_EQ(text.rfind("+0.", 0), 0u) << text;
}

} // namespace
} // namespace wscheck::net
