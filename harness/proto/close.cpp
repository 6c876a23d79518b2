#include "harness/proto/close.hpp"

#include "harness/proto/error.hpp"
#include "harness/proto/utf8.hpp"

namespace wscheck::proto {

close_code_class classify_close_code(std::uint16_t code) noexcept {
    // 7.4.2: 0-999 are not used
    if (code < 1000)
        return close_code_class::out_of_range;
    // 7.4.1: 1004 is reserved; 1005, 1006 and 1015 are only for reporting, never sent
    if (code == close_code::reserved_1004 || code == close_code::no_status ||
        code == close_code::abnormal || code == close_code::tls_handshake)
        return close_code_class::reserved_never_sent;
    // 7.4.1 defines 1000-1011 (less the above); IANA's registry added 1012-1014
    if (code <= close_code::bad_gateway)
        return close_code_class::registered;
    // 7.4.2: 1016-2999 are reserved for this protocol's future revisions
    if (code < 3000)
        return close_code_class::unassigned;
    // 7.4.2: 3000-3999 for libraries and frameworks, 4000-4999 for private use
    if (code < 4000)
        return close_code_class::library_use;
    if (code < 5000)
        return close_code_class::private_use;
    return close_code_class::out_of_range;
}

std::string_view to_string(close_code_class c) noexcept {
    switch (c) {
    case close_code_class::out_of_range: return "out_of_range";
    case close_code_class::registered: return "registered";
    case close_code_class::reserved_never_sent: return "reserved_never_sent";
    case close_code_class::unassigned: return "unassigned";
    case close_code_class::library_use: return "library_use";
    case close_code_class::private_use: return "private_use";
    }
    return "unknown";
}

bool is_valid_close_code(std::uint16_t code) noexcept {
    switch (classify_close_code(code)) {
    case close_code_class::registered:
    case close_code_class::library_use:
    case close_code_class::private_use:
        return true;
    case close_code_class::out_of_range:
    case close_code_class::reserved_never_sent:
    case close_code_class::unassigned:
        break;
    }
    return false;
}

std::error_code parse_close_payload(std::span<const std::uint8_t> payload,
                                    close_payload& out) noexcept {
    out.code.reset();
    out.reason.clear();
    // 5.5.1: the body is empty, or a 2-byte code followed by the reason
    if (payload.empty())
        return {};
    if (payload.size() == 1)
        return violation::bad_close_size;
    const auto code = static_cast<std::uint16_t>((payload[0] << 8) | payload[1]);
    out.code = code;
    const auto reason = payload.subspan(2);
    // At most 123 bytes after a strict parser; an allocation failure here terminates, as
    // the noexcept promises.
    out.reason.assign(reinterpret_cast<const char*>(reason.data()), reason.size());
    // 7.4: codes that must not appear on the wire
    if (!is_valid_close_code(code))
        return violation::bad_close_code;
    // 5.5.1: the reason is UTF-8
    if (!is_valid_utf8(reason))
        return violation::bad_close_reason;
    return {};
}

std::vector<std::uint8_t> build_close_payload(std::optional<std::uint16_t> code,
                                              std::string_view reason) {
    std::vector<std::uint8_t> out;
    if (!code)
        return out;
    out.reserve(2 + reason.size());
    out.push_back(static_cast<std::uint8_t>(*code >> 8));
    out.push_back(static_cast<std::uint8_t>(*code & 0xFF));
    out.insert(out.end(), reason.begin(), reason.end());
    return out;
}

} // namespace wscheck::proto
