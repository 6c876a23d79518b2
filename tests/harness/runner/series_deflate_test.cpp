// series_deflater: the messages of a compressed echo series, built from cached chunks of the
// data set, must inflate to exactly the bytes cut from it, within the agreed window and
// context rule, and refer back into the previous message when context takeover is on.
#include "harness/runner/series_deflate.hpp"

#include "harness/proto/deflate_stream.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

namespace {

using namespace wscheck;

/// Text that compresses: words from a small vocabulary, in an order from a fixed generator.
std::vector<std::uint8_t> text_source(std::size_t size, std::uint32_t seed) {
    static const char* words[] = {"alpha ", "bravo ", "charlie ", "delta\n", "echo ", "foxtrot, ", "golf ", "hotel. "};
    std::vector<std::uint8_t> out;
    std::uint32_t x = seed;
    while (out.size() < size) {
        x = x * 1664525u + 1013904223u;
        const std::string w = words[(x >> 24) % 8];
        out.insert(out.end(), w.begin(), w.end());
    }
    out.resize(size);
    return out;
}

std::vector<std::uint8_t> random_source(std::size_t size, std::uint32_t seed) {
    std::vector<std::uint8_t> out(size);
    std::uint32_t x = seed;
    for (auto& b : out) {
        x = x * 1664525u + 1013904223u;
        b = static_cast<std::uint8_t>(x >> 24);
    }
    return out;
}

/// The next `length` bytes of `source` from `at`, round and round (what the runner sends).
std::vector<std::uint8_t> cut(const std::vector<std::uint8_t>& source, std::size_t at, std::size_t length) {
    std::vector<std::uint8_t> out;
    for (std::size_t i = 0; i < length; ++i) {
        out.push_back(source[(at + i) % source.size()]);
    }
    return out;
}

proto::inflater_options strict_reader(std::uint8_t window_bits, bool no_context_takeover) {
    proto::inflater_options o;
    o.window_bits = window_bits;
    o.no_context_takeover = no_context_takeover;
    o.exact_window = true; // every distance held to the agreed window exactly
    return o;
}

/// Sends `count` messages of `length` bytes and checks each inflates, with the peer's reader of
/// the same agreement, to the bytes cut from the source. Returns the compressed sizes' sum.
std::size_t check_series(const std::vector<std::uint8_t>& source, std::size_t length, std::size_t count,
                         std::uint8_t window_bits, bool no_context_takeover, std::size_t start = 0) {
    proto::deflater_options ours;
    ours.window_bits = window_bits;
    ours.no_context_takeover = no_context_takeover;
    ours.level = 1;
    runner::series_deflater series{ours};
    proto::message_inflater peer{strict_reader(window_bits, no_context_takeover)};
    std::size_t at = start % source.size();
    std::size_t total = 0;
    std::vector<std::uint8_t> compressed;
    std::vector<std::uint8_t> inflated;
    for (std::size_t i = 0; i < count; ++i) {
        const auto want = cut(source, at, length);
        series.compress(source, at, length, compressed);
        total += compressed.size();
        const auto ec = peer.inflate(compressed, inflated);
        EXPECT_FALSE(ec) << "message " << i << " of " << length << " bytes at " << at << ", window " << int{window_bits}
                         << (no_context_takeover ? ", no context takeover: " : ": ") << ec.message();
        EXPECT_EQ(inflated, want) << "message " << i << " of " << length << " bytes at " << at;
        if (ec || inflated != want) {
            return total;
        }
        at = (at + length) % source.size();
    }
    return total;
}

TEST(SeriesDeflate, EveryMessageInflatesToItsBytesUnderEveryAgreement) {
    const auto text = text_source(50'000, 7);
    const auto noise = random_source(9'000, 3);
    for (std::uint8_t bits = proto::min_window_bits; bits <= proto::max_window_bits; ++bits) {
        for (const bool no_takeover : {false, true}) {
            for (const std::size_t length : {std::size_t{1}, std::size_t{16}, std::size_t{511}, std::size_t{512},
                                             std::size_t{513}, std::size_t{8191}, std::size_t{8192},
                                             std::size_t{8193}, std::size_t{20'000}}) {
                check_series(text, length, 12, bits, no_takeover, 300);
                check_series(noise, length, 4, bits, no_takeover);
            }
        }
    }
}

TEST(SeriesDeflate, MessagesLongerThanTheSourceWrapAroundIt) {
    // Smaller than a chunk, and not a multiple of one: chunks end at the source's end.
    for (const std::size_t size : {std::size_t{700}, std::size_t{2500}}) {
        const auto text = text_source(size, 11);
        for (const bool no_takeover : {false, true}) {
            check_series(text, 3 * size + 17, 5, 10, no_takeover);
            check_series(text, size, 5, 15, no_takeover, 100);
        }
    }
}

TEST(SeriesDeflate, TheEmptyMessageIsOneZeroByte) {
    proto::deflater_options ours;
    runner::series_deflater series{ours};
    const auto text = text_source(100, 1);
    std::vector<std::uint8_t> out;
    series.compress(text, 0, 0, out);
    EXPECT_EQ(out, std::vector<std::uint8_t>{0x00});
}

TEST(SeriesDeflate, UnderContextTakeoverEachMessageRefersBackIntoThePreviousOne) {
    // A peer that forgets its context between messages (breaking 7.1.1 once takeover was
    // agreed) must not read the series right: the heads refer into the previous message.
    const auto text = text_source(40'000, 5);
    proto::deflater_options ours;
    ours.window_bits = 15;
    ours.level = 1;
    runner::series_deflater series{ours};
    proto::message_inflater forgetful{strict_reader(15, /*no_context_takeover=*/true)};
    std::size_t at = 0;
    std::size_t misread = 0;
    std::vector<std::uint8_t> compressed;
    std::vector<std::uint8_t> inflated;
    for (int i = 0; i < 20; ++i) {
        series.compress(text, at, 3000, compressed);
        if (forgetful.inflate(compressed, inflated) || inflated != cut(text, at, 3000)) {
            ++misread;
            forgetful = proto::message_inflater{strict_reader(15, true)};
        }
        at += 3000;
    }
    EXPECT_GE(misread, 19u) << "all but the first message should need the previous one";
}

TEST(SeriesDeflate, TheDataSetIsCompressedOncePerWindowNotOncePerMessage) {
    const auto text = text_source(64 * 1024 + 100, 99);
    const std::size_t before = runner::series_deflater::chunk_bytes_compressed();
    // 200 messages of 32 KiB: 6.4 MB sent, the 64 KiB source compressed once in large chunks
    // once in each grid of chunks, at most.
    check_series(text, 32 * 1024, 200, 13, false);
    const std::size_t first = runner::series_deflater::chunk_bytes_compressed() - before;
    EXPECT_LE(first, runner::series_deflater::chunk_sizes.size() * text.size());
    // A second series of the same data and window reuses every chunk.
    check_series(text, 32 * 1024, 50, 13, true);
    EXPECT_EQ(runner::series_deflater::chunk_bytes_compressed() - before, first);
}

} // namespace
