// The two verdict axes of a case, with the names and meanings of the Autobahn Testsuite so
// that reports compare one to one with its published ones.
#pragma once

#include <string_view>

namespace wscheck::cases {

/// What the peer did, judged against the case's expected event traces.
enum class behavior {
    ok,             ///< matched the strict expectation
    non_strict,     ///< matched an outcome the RFC allows but does not prefer (SHOULD cases)
    informational,  ///< recorded, not judged (the RFC leaves it open)
    unimplemented,  ///< the case needs a feature the peer declined (e.g. an extension)
    failed,         ///< matched no allowed outcome
};

/// How the connection ended, judged against the case's close expectation.
enum class close_behavior {
    ok,               ///< closed by the right side, cleanly if required, with an allowed code
    failed,           ///< closed by the wrong side (or never closed)
    wrong_code,       ///< the peer's close code is not one of those allowed
    unclean,          ///< the RFC requires a clean close here and it was not
    failed_by_client, ///< testing a server: the client had to drop TCP; the server should close first
    informational,    ///< recorded, not judged
};

/// True for the verdicts that fail a run (and its exit status): FAILED. NON-STRICT,
/// INFORMATIONAL and UNIMPLEMENTED are reported, not failures, as in the Autobahn Testsuite.
constexpr bool is_failure(behavior b) noexcept { return b == behavior::failed; }
/// FAILED, WRONG CODE, UNCLEAN and FAILED BY CLIENT: each breaks a MUST of RFC 6455 7.
constexpr bool is_failure(close_behavior b) noexcept {
    return b != close_behavior::ok && b != close_behavior::informational;
}

/// "OK", "NON-STRICT", "INFORMATIONAL", "UNIMPLEMENTED", "FAILED" (Autobahn's spelling).
std::string_view to_string(behavior b) noexcept;
/// "OK", "FAILED", "WRONG CODE", "UNCLEAN", "FAILED BY CLIENT", "INFORMATIONAL".
std::string_view to_string(close_behavior b) noexcept;

} // namespace wscheck::cases
