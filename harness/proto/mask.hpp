// Payload masking (RFC 6455 5.3): XOR with a 4-byte key, word at a time.
#pragma once

#include "harness/proto/frame.hpp"

#include <cstddef>
#include <span>

namespace wscheck::proto {

/// XORs `data` with `key`, starting at key byte `phase` (0-3), and returns the phase for the
/// next byte, so that a payload split across reads is masked as if it came in one piece.
/// Works 8 bytes at a time; never reads or writes outside `data`.
std::size_t mask_inplace(std::span<std::uint8_t> data, const mask_key& key,
                         std::size_t phase = 0) noexcept;

/// Writes `from` XORed with `key` (starting at key byte `phase`) to `to`, which must hold at
/// least from.size() bytes and must not overlap `from`; returns the phase for the next byte.
/// Unmasking while copying, in one pass, what mask_inplace and a copy do in two.
std::size_t mask_copy(std::span<const std::uint8_t> from, std::span<std::uint8_t> to,
                      const mask_key& key, std::size_t phase = 0) noexcept;

} // namespace wscheck::proto
