#include "cases/verdict.hpp"

namespace wscheck::cases {

std::string_view to_string(behavior b) noexcept {
    switch (b) {
    case behavior::ok: return "OK";
    case behavior::non_strict: return "NON-STRICT";
    case behavior::informational: return "INFORMATIONAL";
    case behavior::unimplemented: return "UNIMPLEMENTED";
    case behavior::failed: return "FAILED";
    }
    return "FAILED";
}

std::string_view to_string(close_behavior b) noexcept {
    switch (b) {
    case close_behavior::ok: return "OK";
    case close_behavior::failed: return "FAILED";
    case close_behavior::wrong_code: return "WRONG CODE";
    case close_behavior::unclean: return "UNCLEAN";
    case close_behavior::failed_by_client: return "FAILED BY CLIENT";
    case close_behavior::informational: return "INFORMATIONAL";
    }
    return "FAILED";
}

} // namespace wscheck::cases
