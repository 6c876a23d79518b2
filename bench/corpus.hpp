// The bytes the benchmarks run on: text and binary payloads, and batches of masked frames as a
// client sends them (RFC 6455 5.3). Everything is drawn from a fixed seed, so every run, and
// both implementations, see the same bytes.
#pragma once

#include "harness/proto/frame.hpp"

#include <cstddef>
#include <cstdint>
#include <vector>

namespace wscheck::bench {

enum class text_profile : std::uint8_t {
    ascii,        ///< printable ASCII only
    mostly_ascii, ///< 7 code points in 8 ASCII, the rest 2- and 3-byte (European prose)
    multibyte,    ///< only 2-, 3- and 4-byte code points, evenly mixed (CJK, emoji)
};

/// Exactly `size` bytes of valid UTF-8 in `profile`: whole code points, padded with ASCII at
/// the end where the next code point would not fit.
std::vector<std::uint8_t> make_text(std::size_t size, text_profile profile, std::uint32_t seed);

/// `size` uniformly random bytes.
std::vector<std::uint8_t> make_binary(std::size_t size, std::uint32_t seed);

/// `frame_count` single-frame messages of `payload_size` bytes each, back to back.
struct frame_batch {
    proto::opcode op = proto::opcode::binary;
    std::size_t frame_count = 0;
    std::size_t payload_size = 0;
    std::vector<std::uint8_t> wire;  ///< the frames as sent: headers, keys, masked payloads
    std::vector<std::uint8_t> plain; ///< the payloads unmasked, concatenated: what a reader
                                     ///< must deliver
};

/// A batch of FIN text or binary frames, each masked with its own key; text payloads are
/// valid UTF-8 in `profile` (ignored for binary).
frame_batch make_batch(proto::opcode op, std::size_t payload_size, std::size_t frame_count,
                       text_profile profile, std::uint32_t seed);

} // namespace wscheck::bench
