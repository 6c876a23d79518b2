// The summary printed at the end of a run: one table row per section, then one line per case
// that needs a look, worst first.
//
//   section                      total    OK  NON-STRICT  INFORMATIONAL  UNIMPLEMENTED  FAILED
//   1.1 Text Messages                8     8           0              0              0       0
//   ...
//   6.3.1  FAILED/WRONG CODE  The peer broke 5.1: a server sent a masked frame (frame 1).
//
// A case is listed when its behavior is FAILED, NON-STRICT or UNIMPLEMENTED, or its close
// behavior is anything but OK or INFORMATIONAL: FAILED behavior first, then close failures,
// then NON-STRICT, then UNIMPLEMENTED, in run order within each.
#pragma once

#include "reports/result.hpp"

#include <cstddef>
#include <string>

namespace wscheck::reports {

struct summary_options {
    std::size_t max_listed = 50;        ///< cases listed; the rest are counted
    std::size_t max_reason_chars = 160; ///< a longer reason is cut with "..."
};

/// The summary as lines of text, each ending in '\n'.
std::string render_text_summary(const run_result& run, const summary_options& options = {});

} // namespace wscheck::reports
