#include "harness/proto/mask.hpp"

#include <cstring>

namespace wscheck::proto {

std::size_t mask_inplace(std::span<std::uint8_t> data, const mask_key& key,
                         std::size_t phase) noexcept {
    phase &= 3;
    std::uint8_t* p = data.data();
    std::size_t n = data.size();

    // Head: bytes up to an 8-byte boundary of the address, so the word loop's loads and
    // stores are aligned (memcpy keeps them legal either way).
    while (n > 0 && (reinterpret_cast<std::uintptr_t>(p) & 7u) != 0) {
        *p++ ^= key[phase];
        phase = (phase + 1) & 3;
        --n;
    }

    if (n >= 8) {
        // The key rotated to the current phase, twice: byte i of the word is key[(phase + i) % 4]
        // whatever the machine's byte order, because memcpy lays the bytes out in memory order.
        std::uint8_t rotated[8];
        for (std::size_t i = 0; i < 8; ++i) {
            rotated[i] = key[(phase + i) & 3];
        }
        std::uint64_t word_key;
        std::memcpy(&word_key, rotated, sizeof word_key);
        // A multiple of 8 bytes advances the phase by a multiple of 4: the phase is unchanged.
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
    }

    // Tail: fewer than 8 bytes.
    for (; n > 0; --n) {
        *p++ ^= key[phase];
        phase = (phase + 1) & 3;
    }
    return phase;
}

} // namespace wscheck::proto
