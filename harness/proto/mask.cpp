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

} // namespace

std::size_t mask_inplace(std::span<std::uint8_t> data, const mask_key& key,
                         std::size_t phase) noexcept {
    phase &= 3;
    std::uint8_t* p = data.data();
    std::size_t n = data.size();

    // Words are loaded and stored with memcpy, which is legal at any address and compiles to
    // plain (unaligned) moves. No byte-by-byte walk to an aligned address first: payloads sit
    // at any offset in the read buffer, and for the many small frames of a typical stream that
    // walk (up to 7 dependent steps) cost more than the unaligned words it avoided.
    const std::uint64_t word_key = rotated_word_key(key, phase);
    // A multiple of 4 bytes leaves the phase unchanged, so the word key stays right.
    for (; n >= 32; n -= 32, p += 32) {
        std::uint64_t w[4];
        std::memcpy(w, p, sizeof w);
        w[0] ^= word_key;
        w[1] ^= word_key;
        w[2] ^= word_key;
        w[3] ^= word_key;
        std::memcpy(p, w, sizeof w);
    }
    for (; n >= 8; n -= 8, p += 8) {
        std::uint64_t w;
        std::memcpy(&w, p, sizeof w);
        w ^= word_key;
        std::memcpy(p, &w, sizeof w);
    }
    if (n >= 4) {
        // Half a word: the first 4 bytes of word_key in memory order.
        std::uint32_t w;
        std::uint32_t half_key;
        std::memcpy(&half_key, &word_key, sizeof half_key);
        std::memcpy(&w, p, sizeof w);
        w ^= half_key;
        std::memcpy(p, &w, sizeof w);
        p += 4;
        n -= 4;
    }

    // Tail: fewer than 4 bytes.
    for (; n > 0; --n) {
        *p++ ^= key[phase];
        phase = (phase + 1) & 3;
    }
    return phase;
}

std::size_t mask_copy(std::span<const std::uint8_t> from, std::span<std::uint8_t> to,
                      const mask_key& key, std::size_t phase) noexcept {
    // mask_inplace's loop with separate source and destination (kept apart from it so that
    // neither has to allow for the other's aliasing).
    phase &= 3;
    const std::uint8_t* src = from.data();
    std::uint8_t* dst = to.data();
    std::size_t n = std::min(from.size(), to.size());

    const std::uint64_t word_key = rotated_word_key(key, phase);
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
    for (; n > 0; --n) {
        *dst++ = static_cast<std::uint8_t>(*src++ ^ key[phase]);
        phase = (phase + 1) & 3;
    }
    return phase;
}

} // namespace wscheck::proto
