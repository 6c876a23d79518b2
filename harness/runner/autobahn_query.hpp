// The request targets of the Autobahn Testsuite's client protocol (its fuzzingserver), which
// every client test script speaks:
//   /getCaseCount                       the number of cases, as a text message, then Close
//   /runCase?case=N&agent=NAME          runs case N (1-based) on this connection
//   /getCaseInfo?case=N                 {"id": ..., "description": ...}, then Close
//   /getCaseStatus?case=N&agent=NAME    {"behavior": ...} once case N has a verdict, then Close
//   /updateReports?agent=NAME           writes the reports, then Close
// Pure parsing: no I/O.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace wscheck::runner {

struct autobahn_request {
    enum class kind { get_case_count, run_case, get_case_info, get_case_status, update_reports, unknown };
    kind what = kind::unknown;
    std::string path;                 ///< the target up to '?'
    std::optional<long> case_number;  ///< "case", as given (1-based; range checked by the caller)
    std::string agent;                ///< "agent", percent-decoded; empty when absent
    std::string error;                ///< why the target cannot be served, in a sentence; empty when fine
};

/// Splits and checks a request target. Parameters each path needs are required (runCase:
/// case and agent; getCaseInfo: case; getCaseStatus: case and agent; updateReports: agent),
/// as that suite requires them; a parameter given twice, or a case that is not a number, is
/// an error. An unknown path is kind::unknown with an error.
autobahn_request parse_autobahn_target(std::string_view target);

/// "%41b+c" -> "Ab c" (application/x-www-form-urlencoded, as Python's parse_qs decodes
/// Autobahn's query strings). A malformed escape is kept as it is.
std::string percent_decode(std::string_view s);

} // namespace wscheck::runner
