// The live fuzzer's random numbers: a seeded generator whose output is the same on every
// platform and standard library (std::uniform_int_distribution's is not), so that
// `wscheck fuzz --seed S` sends the same inputs everywhere.
#pragma once

#include <cstddef>
#include <cstdint>

namespace wscheck::fuzz {

/// SplitMix64 (Steele, Lea, Flood 2014): one 64-bit state, statistically sound for test
/// generation, trivially reproducible.
class rng {
public:
    explicit rng(std::uint64_t seed) noexcept : state_(seed) {}

    std::uint64_t next() noexcept {
        std::uint64_t z = (state_ += 0x9E37'79B9'7F4A'7C15ull);
        z = (z ^ (z >> 30)) * 0xBF58'476D'1CE4'E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D0'49BB'1331'11EBull;
        return z ^ (z >> 31);
    }
    /// 0 .. n-1 (0 when n is 0). The modulo bias is below 2^-40 for the sizes used here.
    std::size_t below(std::size_t n) noexcept { return n == 0 ? 0 : static_cast<std::size_t>(next() % n); }
    /// lo .. hi, both included.
    std::size_t between(std::size_t lo, std::size_t hi) noexcept { return lo + below(hi - lo + 1); }
    /// True with probability percent/100.
    bool chance(unsigned percent) noexcept { return below(100) < percent; }
    std::uint8_t byte() noexcept { return static_cast<std::uint8_t>(next() & 0xFFu); }

private:
    std::uint64_t state_;
};

/// The seed of input `index` of a run seeded with `run_seed`: each input is generated from its
/// own seed, so input i is the same whatever ran before it or in parallel with it.
inline std::uint64_t input_seed(std::uint64_t run_seed, std::uint64_t index) noexcept {
    rng r{run_seed ^ (index * 0xD6E8'FEB8'6659'FD93ull)};
    return r.next();
}

} // namespace wscheck::fuzz
