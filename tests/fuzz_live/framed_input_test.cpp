// The live fuzzer's view of an input as handshake head and frames (fuzz/live/framed_input.hpp):
// splitting loses nothing, the shape names opcodes and flags, and the shrinker's frame passes
// take a finding apart frame by frame (whole frames dropped, payloads shortened with their
// length fields fixed and their mask kept, flags cleared, header fields dropped).
#include "fuzz/live/framed_input.hpp"

#include "cases/catalog.hpp"
#include "fuzz/live/case_seeds.hpp"
#include "fuzz/live/generator.hpp"
#include "fuzz/live/shrinker.hpp"
#include "harness/proto/handshake.hpp"
#include "harness/proto/mask.hpp"

#include <gtest/gtest.h>

#include <array>

namespace wscheck::fuzz {
namespace {

using namespace std::chrono_literals;
using proto::opcode;

std::vector<std::uint8_t> request_bytes(std::vector<proto::http_field> extra = {}) {
    proto::client_request req;
    req.host = "127.0.0.1:9001";
    req.key = "dGhlIHNhbXBsZSBub25jZQ==";
    req.extra_fields = std::move(extra);
    const auto text = proto::build_request(req);
    return {text.begin(), text.end()};
}

/// A frame as a client writes it: `payload` masked with `key` unless `masked` is false.
wire_frame frame(opcode op, std::vector<std::uint8_t> payload, bool masked = true, proto::mask_key key = {1, 2, 3, 4}) {
    wire_frame f;
    f.header.op = op;
    f.header.masked = masked;
    f.header.key = key;
    f.header.length = payload.size();
    if (masked) {
        proto::mask_inplace(payload, key);
    }
    f.payload = std::move(payload);
    return f;
}

std::vector<std::uint8_t> unmasked(const wire_frame& f) {
    auto p = f.payload;
    if (f.header.masked) {
        proto::mask_inplace(p, f.header.key);
    }
    return p;
}

std::vector<std::uint8_t> repeated(std::uint8_t b, std::size_t n) {
    return std::vector<std::uint8_t>(n, b);
}

TEST(live_fuzz_framed_input, splitting_loses_no_byte_of_any_generated_input) {
    const auto seeds = make_case_seeds(cases::full_catalog(), "127.0.0.1:9", "/", 64 * 1024);
    const input_generator gen{7, "127.0.0.1:9", "/", seeds};
    std::size_t with_frames = 0;
    for (std::uint64_t i = 0; i < 300; ++i) {
        const auto bytes = concatenated(gen.make(i));
        const auto parts = split_input(bytes);
        ASSERT_EQ(parts.bytes(), bytes) << "input " << i;
        with_frames += parts.head_state == framed_input::head_status::accepted && !parts.frames.empty() ? 1u : 0u;
    }
    // Most inputs are a valid request and frames (frames, fragments, most case mutations).
    EXPECT_GT(with_frames, 150u);
}

TEST(live_fuzz_framed_input, shape_names_opcodes_and_flags_not_bytes) {
    framed_input in;
    in.head = request_bytes();
    auto cont = frame(opcode::cont, repeated(7, 300), false);
    cont.header.rsv2 = true;
    cont.header.fin = false;
    auto close = frame(opcode::close, {0x03});
    auto longlen = frame(opcode::text, {'a'});
    longlen.encoding = proto::length_encoding::force_64;
    in.frames = {frame(opcode::ping, {0, 1}), cont, close, frame(opcode::pong, repeated(0, 126)), longlen};
    in.rest = {0x81, 0x7F, 0x00}; // an unmasked text frame cut short in its 64-bit length
    const auto bytes = in.bytes();
    const auto back = split_input(bytes);
    EXPECT_EQ(back.bytes(), bytes);
    EXPECT_EQ(back.head_state, framed_input::head_status::accepted);
    ASSERT_EQ(back.frames.size(), 5u);
    EXPECT_EQ(back.frames[1].payload.size(), 300u);
    EXPECT_EQ(back.frames[4].encoding, proto::length_encoding::force_64);
    EXPECT_EQ(shape_of(back), "request ping cont+rsv2+unmasked+nofin close+len1 pong+len>125 text+longlen text+unmasked+partial");

    // Other payload bytes and lengths, the same shape.
    framed_input other = in;
    other.frames[0] = frame(opcode::ping, {9, 9, 9, 9, 9}, true, {7, 7, 7, 7});
    other.frames[1].payload.resize(3);
    other.frames[1].header.length = 3;
    EXPECT_EQ(shape_of(split_input(other.bytes())), shape_of(back));

    // Heads that a server refuses, or that do not parse.
    auto refused = request_bytes();
    const std::string version = "Sec-WebSocket-Version: 13";
    std::search(refused.begin(), refused.end(), version.begin(), version.end())[23] = '8';
    EXPECT_EQ(shape_of(split_input(refused)), "bad-request");
    const std::string garbage = "\x01\x02 not a request\r\n\r\n";
    EXPECT_EQ(shape_of(split_input({reinterpret_cast<const std::uint8_t*>(garbage.data()), garbage.size()})), "bad-head");
}

TEST(live_fuzz_framed_input, shape_contains_is_an_ordered_subsequence) {
    EXPECT_TRUE(shape_contains("request text ping cont+rsv2", "request ping"));
    EXPECT_TRUE(shape_contains("request ping", "request ping"));
    EXPECT_TRUE(shape_contains("request ping", ""));
    EXPECT_FALSE(shape_contains("request ping", "request ping ping"));
    EXPECT_FALSE(shape_contains("request ping text", "request text ping"));
    EXPECT_FALSE(shape_contains("request ping+rsv1", "request ping")); // flags are part of the token
    EXPECT_FALSE(shape_contains("bad-request ping", "request ping"));
    // A frame cut short (or with a lying length) stands for the same frame whole, not the reverse.
    EXPECT_TRUE(shape_contains("request text cont+rsv2+partial", "request cont+rsv2"));
    EXPECT_FALSE(shape_contains("request cont+rsv2", "request cont+rsv2+partial"));
    EXPECT_FALSE(shape_contains("request close+partial", "request close+len1"));
}

/// A finding torn over three writes: a request with a junk field, text, the ping that matters
/// (payload starting with 0x00), a binary frame with RSV1, and a frame cut short.
fuzz_input torn_ping_finding() {
    framed_input parts;
    parts.head = request_bytes({{"X-Junk", std::string(300, 'j')}});
    auto binary = frame(opcode::binary, repeated(5, 40));
    binary.header.rsv1 = true;
    auto ping = frame(opcode::ping, {0x00, 0x10, 0x20, 0x30, 0x40, 0x50, 0x60, 0x70}, true, {0xA1, 0xB2, 0xC3, 0xD4});
    ping.encoding = proto::length_encoding::force_16;
    parts.frames = {frame(opcode::text, repeated('t', 200)), ping, binary};
    parts.rest = {0x82, 0x85, 0x01};
    const auto bytes = parts.bytes();
    fuzz_input in;
    in.index = 12;
    const std::size_t cut1 = 100;
    const std::size_t cut2 = bytes.size() - 30;
    const auto at = [&](std::size_t n) { return bytes.begin() + static_cast<std::ptrdiff_t>(n); };
    in.writes = {{0ms, {bytes.begin(), at(cut1)}}, {3ms, {at(cut1), at(cut2)}}, {5ms, {at(cut2), bytes.end()}}};
    return in;
}

TEST(live_fuzz_shrinker, takes_a_finding_apart_frame_by_frame) {
    // A server that aborts on a Ping whose payload starts with 0x00, after a valid handshake.
    const reproduces_fn zero_ping = [](const fuzz_input& c) -> std::optional<bool> {
        const auto p = split_input(concatenated(c));
        if (p.head_state != framed_input::head_status::accepted) {
            return false;
        }
        for (const auto& f : p.frames) {
            if (f.header.op == opcode::ping && !f.payload.empty() && unmasked(f)[0] == 0x00) {
                return true;
            }
        }
        return false;
    };
    const auto in = torn_ping_finding();
    ASSERT_TRUE(*zero_ping(in));
    const auto r = shrink(in, zero_ping, {150, 10s, nullptr});
    ASSERT_EQ(r.input.writes.size(), 1u);
    const auto p = split_input(r.input.writes[0].bytes);
    EXPECT_EQ(shape_of(p), "request ping");
    ASSERT_EQ(p.frames.size(), 1u);
    const auto& ping = p.frames[0];
    EXPECT_EQ(ping.payload.size(), 1u) << "the payload shortened to the byte that matters";
    EXPECT_EQ(ping.header.length, 1u) << "its length field fixed";
    EXPECT_EQ(ping.header.key, (proto::mask_key{0xA1, 0xB2, 0xC3, 0xD4})) << "its mask kept";
    EXPECT_EQ(unmasked(ping), (std::vector<std::uint8_t>{0x00}));
    EXPECT_EQ(ping.encoding, proto::length_encoding::minimal) << "the 16-bit length made minimal";
    // The junk field gone; Host's value cut (a server here does not read it).
    const std::string head{p.head.begin(), p.head.end()};
    EXPECT_EQ(head.find("X-Junk"), std::string::npos) << head;
    EXPECT_EQ(head.find("127.0.0.1"), std::string::npos) << head;
    EXPECT_EQ(r.input.total_bytes(), p.head.size() + 2 + 4 + 1);
    EXPECT_FALSE(r.ended_early);
    EXPECT_LE(r.attempts, 150u);
}

TEST(live_fuzz_shrinker, clears_the_flags_that_do_not_matter_and_keeps_the_one_that_does) {
    // A server that exits on a continuation frame with RSV2, whatever else it carries.
    const reproduces_fn rsv2_cont = [](const fuzz_input& c) -> std::optional<bool> {
        const auto p = split_input(concatenated(c));
        return p.head_state == framed_input::head_status::accepted &&
               std::any_of(p.frames.begin(), p.frames.end(),
                           [](const wire_frame& f) { return f.header.op == opcode::cont && f.header.rsv2; });
    };
    framed_input parts;
    parts.head = request_bytes();
    auto first = frame(opcode::text, repeated('x', 20));
    first.header.fin = false;
    auto cont = frame(opcode::cont, repeated('y', 70000), true, {9, 8, 7, 6});
    cont.header.rsv1 = true;
    cont.header.rsv2 = true;
    cont.header.rsv3 = true;
    cont.header.fin = false;
    parts.frames = {first, cont, frame(opcode::close, {0x03, 0xE8})};
    fuzz_input in;
    in.writes = {{0ms, parts.bytes()}};
    const auto r = shrink(in, rsv2_cont, {150, 10s, nullptr});
    const auto p = split_input(concatenated(r.input));
    ASSERT_EQ(p.frames.size(), 1u) << shape_of(p);
    EXPECT_EQ(shape_of(p), "request cont+rsv2");
    EXPECT_TRUE(p.frames[0].payload.empty());
    EXPECT_TRUE(p.frames[0].header.fin);
    EXPECT_TRUE(p.rest.empty());
    EXPECT_LE(r.attempts, 150u);
}

TEST(live_fuzz_shrinker, leaves_an_input_whose_tearing_matters_to_the_byte_passes) {
    // Reproduces only when the ping's header arrives in a write of its own: the writes stay,
    // and every candidate kept still holds the ping.
    const auto in = torn_ping_finding();
    const reproduces_fn torn = [](const fuzz_input& c) -> std::optional<bool> {
        return c.writes.size() >= 2 && c.total_pause() > 0ms &&
               shape_contains(input_shape(c), "ping+longlen");
    };
    ASSERT_TRUE(*torn(in));
    const auto r = shrink(in, torn, {200, 10s, nullptr});
    EXPECT_TRUE(*torn(r.input));
    EXPECT_GE(r.input.writes.size(), 2u);
    EXPECT_LT(r.input.total_bytes(), in.total_bytes());
    EXPECT_LE(r.attempts, 200u);
}

} // namespace
} // namespace wscheck::fuzz
