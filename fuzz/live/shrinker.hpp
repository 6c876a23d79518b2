// Shrinking a finding to a small reproducer: candidates made smaller step by step, each kept
// only when the target, made healthy again, still shows the same problem with it.
//
// Passes, in order, each bounded by the attempts and the time left:
//   1. the fewest whole frames after the head that reproduce (binary search over frame
//      boundaries; writes and pauses kept);
//   2. whole writes dropped; 3. all pauses set to 0, then the writes merged into one;
//   then, when the input is one write without a pause (its tearing does not matter), on its
//   frames (framed_input.hpp):
//   4. the frame cut short at the end dropped, or else made whole (its length field fixed);
//      then whole frames dropped one at a time;
//   5. each payload cut to its shortest prefix that reproduces, its length field rewritten
//      and its mask key kept;
//   6. each frame's RSV bits cleared, FIN set, length encoding made minimal and an unmasked
//      frame masked (key 0), one at a time;
//   7. the handshake's field lines dropped, then each value cut;
//   and last the byte passes, on what the frame passes cannot take apart (the bytes after the
//   last whole frame; all after a valid head when the input is torn; all of it when its head
//   does not parse):
//   8. the shortest prefix that reproduces (binary search); 9. chunks of bytes cut out,
//      halving the chunk size from half the bytes down to one (delta debugging's complement
//      step).
// While the input's head is a valid opening handshake, candidates that break it are not tried
// (a server reads no frame after a refused head; they could only show another bug).
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
