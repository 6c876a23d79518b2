// The compressed payloads of an echo_series (12.x, 13.x: a thousand messages, each the next
// `length` bytes of a data set read round and round), without compressing the data set a
// thousand times over.
//
// Theory of operation
//   The data set is cut into chunks at fixed offsets, in grids of several sizes (chunk_sizes,
//   each a multiple of the next). Each chunk is compressed once per process (and window),
//   alone, ended with a sync flush so that it ends on a byte boundary (RFC 7692 7.2.1): it
//   refers to nothing before it, so its bytes are valid DEFLATE at any point of any stream,
//   whatever the agreed window and context rule. A message is then the pieces it spans: its
//   first piece (the head, up to the next boundary of the smallest grid), compressed for the
//   message; then, again and again, the largest chunk that starts where the message is and
//   fits in what is left; and what is left at the end (the tail, less than a smallest chunk),
//   stored, which costs a copy. The message's last 4 bytes (0x00 0x00 0xff 0xff) go, as 7.2.1
//   says. So a 128 KiB message costs at most one smallest chunk of zlib's compressing time
//   instead of 128 KiB, and large chunks keep the blocks, and the peer's cost of starting
//   each one, few.
//
//   With context takeover on our side, the head is compressed with the bytes the peer
//   inflated just before it (the previous message's end, which is the data set's bytes before
//   this one) as a dictionary, so every message refers back into the previous one and the
//   peer's decompressor must have kept its context (7.1.1) for the echo to come back right.
//   Without it, the head is compressed alone like every other piece.
//
//   What changes on the wire against one zlib stream per connection: an empty stored block
//   (5 bytes) every chunk, no back-references across chunk boundaries but at the head, and a
//   stored tail. All are ordinary DEFLATE a decompressor must read.
#pragma once

#include "harness/proto/deflate_stream.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

namespace wscheck::runner {

class series_deflater {
public:
    /// Plain bytes per cached chunk, in each grid, largest first; the smallest is also the
    /// most of the previous message a head may refer to.
    static constexpr std::array<std::size_t, 3> chunk_sizes{32 * 1024, 4 * 1024, 512};
    static constexpr std::size_t small_chunk = chunk_sizes.back();

    /// `ours`: the window and context rule of our side of the agreement; the level.
    explicit series_deflater(const proto::deflater_options& ours);
    ~series_deflater();
    series_deflater(series_deflater&&) noexcept;
    series_deflater& operator=(series_deflater&&) noexcept;

    /// The compressed payload of the message of `length` bytes at `at` (taken modulo the
    /// source's size) in `source`, read round and round; the series' messages are asked for in order, each starting where the one
    /// before ended (its head refers back into it, under context takeover).
    void compress(std::span<const std::uint8_t> source, std::size_t at, std::size_t length,
                  std::vector<std::uint8_t>& out);

    /// Plain bytes of the chunks compressed by this process so far, for tests.
    static std::size_t chunk_bytes_compressed() noexcept;

private:
    void head(std::span<const std::uint8_t> source, std::size_t at, std::size_t n, std::vector<std::uint8_t>& out);

    proto::deflater_options options_;
    proto::message_deflater heads_;  ///< heads
    proto::message_deflater chunks_; ///< chunks new to the cache
    proto::message_deflater stored_; ///< tails, stored (zlib's level 0)
    /// The cache's key for the source last seen (hashing a data set costs ~0.3 ms: once a series).
    std::span<const std::uint8_t> keyed_;
    struct cache_key {
        std::size_t size = 0;
        std::size_t hash = 0;
    } key_;
    std::size_t sent_ = 0; ///< plain bytes of the series sent so far (the head's dictionary)
};

} // namespace wscheck::runner
