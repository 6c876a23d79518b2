#include "harness/proto/mask.hpp"

#include <algorithm>
#include <bit>
#include <cstdint>
#include <cstring>

namespace wscheck::proto {
namespace {

/// The key as it lies over 8 bytes of data starting at key byte `phase`: byte i of the word
/// (in memory order) is key[(phase + i) % 4], whatever the machine's byte order.
std::uint64_t rotated_word_key(const mask_key& key, std::size_t phase) noexcept {
    std::uint32_t k;
    std::memcpy(&k, key.data(), sizeof k); // memory order: key[0], key[1], key[2], key[3]
    const int shift = static_cast<int>(8 * phase);
    if constexpr (std::endian::native == std::endian::little)
        k = std::rotr(k, shift); // the byte at the lowest address is the least significant
    else
        k = std::rotl(k, shift);
    return (std::uint64_t{k} << 32) | k; // the 4-byte pattern twice
}

/// XORs n bytes of `src` with the key from key byte `phase` into `dst`; returns the next phase.
[[gnu::always_inline]] inline std::size_t mask_bytes(const std::uint8_t* src, std::uint8_t* dst, std::size_t n,
                                                     const mask_key& key, std::size_t phase) noexcept {
    // Words are loaded and stored with memcpy, which is legal at any address and compiles to
    // plain (unaligned) moves. No byte-by-byte walk to an aligned address first: payloads sit
    // at any offset in the read buffer, and for the many small frames of a typical stream that
    // walk (up to 7 dependent steps) cost more than the unaligned words it avoided.
    //
    // Every step loads a block whole before it stores it, so `dst` may be `src` itself
    // (mask_inplace); a partial overlap is not allowed. Inlined into both callers, so that
    // each gets the code it had when it had a loop of its own.
    phase &= 3;

    const std::uint64_t word_key = rotated_word_key(key, phase);
    // A multiple of 4 bytes leaves the phase unchanged, so the word key stays right.
    for (; n >= 32; n -= 32, src += 32, dst += 32) {
        std::uint64_t w[4];
        std::memcpy(w, src, sizeof w);
        w[0] ^= word_key;
        w[1] ^= word_key;
        w[2] ^= word_key;
        w[3] ^= word_key;
        std::memcpy(dst, w, sizeof w);
    }
    for (; n >= 8; n -= 8, src += 8, dst += 8) {
        std::uint64_t w;
        std::memcpy(&w, src, sizeof w);
        w ^= word_key;
        std::memcpy(dst, &w, sizeof w);
    }
    if (n >= 4) {
        // Half a word: the first 4 bytes of word_key in memory order.
        std::uint32_t w;
        std::uint32_t half_key;
        std::memcpy(&half_key, &word_key, sizeof half_key);
        std::memcpy(&w, src, sizeof w);
        w ^= half_key;
        std::memcpy(dst, &w, sizeof w);
        src += 4;
        dst += 4;
        n -= 4;
    }
    // Tail: fewer than 4 bytes.
    for (; n > 0; --n) {
        *dst++ = static_cast<std::uint8_t>(*src++ ^ key[phase]);
        phase = (phase + 1) & 3;
    }
    return phase;
}

} // namespace

std::size_t mask_inplace(std::span<std::uint8_t> data, const mask_key& key,
                         std::size_t phase) noexcept {
    return mask_bytes(data.data(), data.data(), data.size(), key, phase);
}

std::size_t mask_copy(std::span<const std::uint8_t> from, std::span<std::uint8_t> to,
                      const mask_key& key, std::size_t phase) noexcept {
    return mask_bytes(from.data(), to.data(), std::min(from.size(), to.size()), key, phase);
}

} // namespace wscheck::proto
