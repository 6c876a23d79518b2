#include "harness/runner/step_frames.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace {

using namespace wscheck;
using runner::mask_key_source;
using runner::step_frame;

std::vector<std::uint8_t> bytes_of(std::string_view s) { return {s.begin(), s.end()}; }

std::string text_of(std::span<const std::uint8_t> b) { return {b.begin(), b.end()}; }

/// Keys 01 01 01 01, 02 02 02 02, ... in the order they are asked for.
mask_key_source counting_keys(int& drawn) {
    return [&drawn] {
        ++drawn;
        const auto b = static_cast<std::uint8_t>(drawn);
        return proto::mask_key{b, b, b, b};
    };
}

TEST(StepFrames, SendFrameKeepsEveryFieldAndItsOwnKey) {
    cases::send_frame f;
    f.op = proto::opcode::ping;
    f.data = "abc";
    f.fin = false;
    f.rsv = 5;
    f.declared_length = 300;
    f.encoding = proto::length_encoding::force_64;
    f.masked = false;
    f.key = proto::mask_key{9, 8, 7, 6};
    int drawn = 0;
    const step_frame s = runner::frame_of(f, counting_keys(drawn));
    EXPECT_EQ(drawn, 0) << "a step that names its key draws none";
    EXPECT_EQ(s.spec.op, proto::opcode::ping);
    EXPECT_FALSE(s.spec.fin);
    EXPECT_EQ(s.spec.rsv, 5);
    EXPECT_EQ(s.spec.declared_length, 300u);
    EXPECT_EQ(s.spec.encoding, proto::length_encoding::force_64);
    EXPECT_EQ(s.spec.masked, false);
    EXPECT_EQ(s.spec.key, (proto::mask_key{9, 8, 7, 6}));
    EXPECT_EQ(text_of(s.payload), "abc");
}

TEST(StepFrames, KeySourceOnlyWhenTheStepNamesNone) {
    cases::send_frame f;
    int drawn = 0;
    EXPECT_EQ(runner::frame_of(f, counting_keys(drawn)).spec.key, (proto::mask_key{1, 1, 1, 1}));
    EXPECT_EQ(drawn, 1);
    // No source: the key is left to write_frame, which draws a random one when masking.
    EXPECT_FALSE(runner::frame_of(f, {}).spec.key.has_value());
}

TEST(StepFrames, MessageSplitIntoFragments) {
    const auto message = bytes_of("0123456789");
    int drawn = 0;
    const auto frames = runner::message_frames(proto::opcode::binary, message, 4, false, counting_keys(drawn));
    ASSERT_EQ(frames.size(), 3u);
    EXPECT_EQ(text_of(frames[0].payload), "0123");
    EXPECT_EQ(text_of(frames[1].payload), "4567");
    EXPECT_EQ(text_of(frames[2].payload), "89");
    EXPECT_EQ(frames[0].spec.op, proto::opcode::binary);
    EXPECT_EQ(frames[1].spec.op, proto::opcode::cont);
    EXPECT_EQ(frames[2].spec.op, proto::opcode::cont);
    EXPECT_FALSE(frames[0].spec.fin);
    EXPECT_FALSE(frames[1].spec.fin);
    EXPECT_TRUE(frames[2].spec.fin);
    for (std::size_t i = 0; i < frames.size(); ++i) {
        EXPECT_EQ(frames[i].spec.rsv, 0);
        const auto b = static_cast<std::uint8_t>(i + 1);
        EXPECT_EQ(frames[i].spec.key, (proto::mask_key{b, b, b, b})) << "keys drawn in frame order";
    }
}

TEST(StepFrames, MessageInOneFrameAndEmptyMessage) {
    const auto message = bytes_of("hello");
    const auto whole = runner::message_frames(proto::opcode::text, message, 0, false, {});
    ASSERT_EQ(whole.size(), 1u);
    EXPECT_TRUE(whole[0].spec.fin);
    EXPECT_EQ(text_of(whole[0].payload), "hello");
    // A fragment size beyond the message is one frame too.
    EXPECT_EQ(runner::message_frames(proto::opcode::text, message, 100, false, {}).size(), 1u);
    const auto empty = runner::message_frames(proto::opcode::text, {}, 0, false, {});
    ASSERT_EQ(empty.size(), 1u);
    EXPECT_TRUE(empty[0].spec.fin);
    EXPECT_TRUE(empty[0].payload.empty());
}

TEST(StepFrames, CompressedMessageHasRsv1OnItsFirstFrameOnly) {
    // RFC 7692 6.1: RSV1 on the first frame of a compressed message, never on continuations.
    const auto message = bytes_of("compressed");
    const auto frames = runner::message_frames(proto::opcode::text, message, 3, true, {});
    ASSERT_EQ(frames.size(), 4u);
    EXPECT_EQ(frames[0].spec.rsv, 4);
    for (std::size_t i = 1; i < frames.size(); ++i) {
        EXPECT_EQ(frames[i].spec.rsv, 0);
    }
}

TEST(StepFrames, ClosePayloadRawOrCodeAndReason) {
    cases::send_close raw;
    raw.raw = cases::payload{std::vector<std::uint8_t>{0x03}};
    EXPECT_EQ(runner::close_payload_of(raw), (std::vector<std::uint8_t>{0x03}));
    cases::send_close coded;
    coded.code = 1001;
    coded.reason = "bye";
    EXPECT_EQ(runner::close_payload_of(coded), (std::vector<std::uint8_t>{0x03, 0xe9, 'b', 'y', 'e'}));
    cases::send_close none;
    none.code.reset();
    EXPECT_TRUE(runner::close_payload_of(none).empty());

    const auto payload = runner::close_payload_of(coded);
    int drawn = 0;
    const step_frame f = runner::close_frame(payload, counting_keys(drawn));
    EXPECT_EQ(f.spec.op, proto::opcode::close);
    EXPECT_TRUE(f.spec.fin);
    EXPECT_EQ(drawn, 1);
    EXPECT_EQ(f.payload.size(), payload.size());
}

TEST(StepFrames, FrameDataContinuesTheMaskFromWhereItLeftOff) {
    // A frame announcing 11 bytes written as 3 bytes, then 5, then 3 (offsets not multiples
    // of 4) must be the bytes of the frame written at once.
    const auto payload = bytes_of("hello world");
    cases::send_frame whole;
    whole.data = cases::payload{std::string_view{"hello world"}};
    whole.key = proto::mask_key{0x11, 0x22, 0x33, 0x44};
    const auto at_once = runner::write_step_frame(runner::frame_of(whole, {}), proto::role::client);

    cases::send_frame first = whole;
    first.data = "hel";
    first.declared_length = payload.size();
    const auto begun = runner::write_step_frame(runner::frame_of(first, {}), proto::role::client);
    std::size_t written = first.data.size();
    std::vector<std::uint8_t> parts = begun.bytes;
    for (std::string_view more : {"lo wo", "rld"}) {
        const auto b = runner::more_frame_data(begun.header, written, bytes_of(more));
        parts.insert(parts.end(), b.begin(), b.end());
    }
    EXPECT_EQ(written, payload.size());
    EXPECT_EQ(parts, at_once.bytes);
}

TEST(StepFrames, FrameDataOfAnUnmaskedFrameGoesAsItIs) {
    proto::frame_header unmasked;
    unmasked.masked = false;
    std::size_t written = 2;
    EXPECT_EQ(runner::more_frame_data(unmasked, written, bytes_of("abc")), bytes_of("abc"));
    EXPECT_EQ(written, 5u);
}

} // namespace
