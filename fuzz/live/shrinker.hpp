// Shrinking a finding to a small reproducer: candidates made smaller step by step, each kept
// only when the target, made healthy again, still shows the same problem with it.
//
// Passes, in order, each bounded by the attempts and the time left:
//   1. the shortest prefix of the input's bytes that still reproduces (binary search, then
//      the bytes after it dropped), 2. whole writes dropped, 3. all pauses set to 0, then the
//      writes merged into one, 4. chunks of bytes cut out, halving the chunk size from half
//      the input down to one byte (delta debugging's complement step).
// Every candidate kept was reproduced, so the result reproduces (as far as the target is
// deterministic); the fuzzer checks the final result once more before saving it.
#pragma once

#include "fuzz/live/fuzz_input.hpp"

#include <atomic>
#include <chrono>
#include <cstddef>
#include <functional>
#include <optional>

namespace wscheck::fuzz {

/// true: the candidate reproduces; false: it does not; nullopt: it could not be tried (the
/// target cannot be made healthy), which ends shrinking.
using reproduces_fn = std::function<std::optional<bool>(const fuzz_input&)>;

struct shrink_limits {
    std::size_t max_attempts = 150;
    std::chrono::milliseconds max_time{30'000};
    const std::atomic<bool>* stop = nullptr;
};

struct shrink_result {
    fuzz_input input;          ///< the smallest reproducer found (the input itself at worst)
    std::size_t attempts = 0;  ///< candidates tried
    bool ended_early = false;  ///< out of attempts or time, stopped, or the target could not be tried
};

shrink_result shrink(fuzz_input in, const reproduces_fn& reproduces, const shrink_limits& limits);

} // namespace wscheck::fuzz
