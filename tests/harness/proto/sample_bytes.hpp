// Bytes for the protocol core's tests: text as written, and noise from a fixed seed (the same
// on every run, so a failure can be replayed).
#pragma once

#include <cstddef>
#include <cstdint>
#include <random>
#include <string_view>
#include <vector>

namespace wscheck::proto::testing {

inline std::vector<std::uint8_t> of(std::string_view s) { return {s.begin(), s.end()}; }

/// `n` bytes that do not compress.
inline std::vector<std::uint8_t> random_bytes(std::size_t n, unsigned seed) {
    std::mt19937 rng(seed);
    std::vector<std::uint8_t> out(n);
    for (auto& b : out) {
        b = static_cast<std::uint8_t>(rng());
    }
    return out;
}

} // namespace wscheck::proto::testing
