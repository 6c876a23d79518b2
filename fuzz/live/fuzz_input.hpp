// One input of the live fuzzer: the bytes written on one fresh connection, from the first byte
// of the opening handshake on, as a list of writes with a pause before each.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace wscheck::fuzz {

/// One write on the input's connection, made after `pause` (torn frames, slow writers).
struct timed_write {
    std::chrono::milliseconds pause{};
    std::vector<std::uint8_t> bytes;

    friend bool operator==(const timed_write&, const timed_write&) = default;
};

struct fuzz_input {
    std::uint64_t index = 0;   ///< position in the run (input 0 is the first sent)
    std::string strategy;      ///< which generator made it: handshake, frames, fragments, case <id>
    std::vector<timed_write> writes;

    std::size_t total_bytes() const noexcept {
        std::size_t n = 0;
        for (const auto& w : writes) {
            n += w.bytes.size();
        }
        return n;
    }
    std::chrono::milliseconds total_pause() const noexcept {
        std::chrono::milliseconds t{};
        for (const auto& w : writes) {
            t += w.pause;
        }
        return t;
    }
};

} // namespace wscheck::fuzz
