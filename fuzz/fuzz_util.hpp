// Helpers shared by the fuzz targets: option bytes and chunked feeding.
//
// Options come from leading bytes rather than FuzzedDataProvider so that the same target file
// also builds with g++ as a corpus replayer (fuzz/replay_main.cpp).
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>

namespace wscheck::fuzz {

/// Reads input as: `n` option bytes, then the payload. Missing option bytes read as 0.
struct option_bytes {
    std::span<const std::uint8_t> options;
    std::span<const std::uint8_t> rest;

    option_bytes(const std::uint8_t* data, std::size_t size, std::size_t n) noexcept {
        const std::size_t k = std::min(n, size);
        options = {data, k};
        rest = {data + k, size - k};
    }
    std::uint8_t operator[](std::size_t i) const noexcept { return i < options.size() ? options[i] : 0; }
};

/// Chunk sizes for splitting an input at arbitrary read boundaries, drawn from a tiny
/// xorshift generator seeded by an option byte: the same seed always gives the same split,
/// and seed 0 feeds one byte at a time (the hardest case for a carry).
class chunker {
public:
    explicit chunker(std::uint8_t seed) noexcept : state_(seed), byte_at_a_time_(seed == 0) {}

    std::size_t next(std::size_t left) noexcept {
        if (byte_at_a_time_) {
            return std::min<std::size_t>(1, left);
        }
        state_ ^= static_cast<std::uint32_t>(state_ << 13);
        state_ ^= state_ >> 17;
        state_ ^= static_cast<std::uint32_t>(state_ << 5);
        return std::min<std::size_t>(1 + state_ % 17, left);
    }

private:
    std::uint32_t state_;
    bool byte_at_a_time_;
};

} // namespace wscheck::fuzz

/// For a target's checker and slow reference: their comparisons are left out of coverage
/// (clang). Each would cost a libFuzzer hook call (in a reference, many per input byte) and
/// guide nothing that the branches of the code under test do not.
#if defined(__clang__)
#define WSCHECK_CHECKER __attribute__((no_sanitize("coverage")))
#else
#define WSCHECK_CHECKER
#endif

/// Stops the process the way libFuzzer recognises as a finding, also under the replayer.
#define WSCHECK_FUZZ_CHECK(cond)                                                                   \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            __builtin_trap();                                                                      \
        }                                                                                          \
    } while (0)
