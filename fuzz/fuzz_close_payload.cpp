// Invariants: parse_close_payload's verdict is the one 5.5.1 and 7.4 give, with the code's
// class taken from a table written here from 7.4.1, 7.4.2 and the IANA registry (checked
// against classify_close_code and is_valid_close_code) and the reason checked with
// is_valid_utf8 (fuzzed on its own by fuzz_utf8); `out` holds the code and reason whenever
// there are two bytes; build_close_payload writes back exactly the bytes a valid payload
// came from, and what it builds parses to what it was built from.
//
// Input: the close payload, as the bytes after a Close frame's header.
#include "fuzz/fuzz_util.hpp"
#include "harness/proto/close.hpp"
#include "harness/proto/error.hpp"
#include "harness/proto/utf8.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace {

using namespace wscheck::proto;

/// 7.4 as a table: the class of every code, one range per row.
close_code_class expected_class(std::uint16_t code) {
    struct row {
        std::uint16_t first;
        std::uint16_t last;
        close_code_class cls;
    };
    static constexpr row table[] = {
        {0, 999, close_code_class::out_of_range},           // 7.4.2: not used
        {1000, 1003, close_code_class::registered},         // 7.4.1
        {1004, 1006, close_code_class::reserved_never_sent}, // 7.4.1: reserved, 1005, 1006
        {1007, 1011, close_code_class::registered},         // 7.4.1
        {1012, 1014, close_code_class::registered},         // IANA: restart, try again, gateway
        {1015, 1015, close_code_class::reserved_never_sent}, // 7.4.1: TLS failure
        {1016, 2999, close_code_class::unassigned},         // 7.4.2: future revisions
        {3000, 3999, close_code_class::library_use},        // 7.4.2
        {4000, 4999, close_code_class::private_use},        // 7.4.2
        {5000, 65535, close_code_class::out_of_range},
    };
    for (const row& r : table) {
        if (code >= r.first && code <= r.last) {
            return r.cls;
        }
    }
    __builtin_trap(); // the table covers every code
}

/// 7.4.1, 7.4.2: the codes an endpoint may send.
bool expected_valid(std::uint16_t code) {
    return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) ||
           (code >= 3000 && code <= 4999);
}

std::string_view as_text(std::span<const std::uint8_t> b) {
    return {reinterpret_cast<const char*>(b.data()), b.size()};
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::span<const std::uint8_t> payload{data, size};

    close_payload out;
    out.code = 1; // stale values the parse must overwrite
    out.reason = "stale";
    const std::error_code ec = parse_close_payload(payload, out);

    if (payload.empty()) {
        // 5.5.1: an empty body: no code, no reason, nothing wrong.
        WSCHECK_FUZZ_CHECK(!ec && !out.code && out.reason.empty());
        WSCHECK_FUZZ_CHECK(build_close_payload(std::nullopt, "ignored").empty());
        return 0;
    }
    if (payload.size() == 1) {
        // 5.5.1: a body starts with a 2-byte code, so one byte is no body at all.
        WSCHECK_FUZZ_CHECK(ec == violation::bad_close_size);
        WSCHECK_FUZZ_CHECK(!out.code && out.reason.empty());
        return 0;
    }

    const auto code = static_cast<std::uint16_t>((payload[0] << 8) | payload[1]);
    const std::string_view reason = as_text(payload.subspan(2));

    // The class table and the wire rule agree with the library, and with each other.
    const close_code_class cls = classify_close_code(code);
    WSCHECK_FUZZ_CHECK(cls == expected_class(code));
    WSCHECK_FUZZ_CHECK(is_valid_close_code(code) == expected_valid(code));
    WSCHECK_FUZZ_CHECK(expected_valid(code) == (cls == close_code_class::registered ||
                                                cls == close_code_class::library_use ||
                                                cls == close_code_class::private_use));
    WSCHECK_FUZZ_CHECK(!to_string(cls).empty());

    // The verdict: the code first (7.4), then the reason (5.5.1, 8.1).
    if (!expected_valid(code)) {
        WSCHECK_FUZZ_CHECK(ec == violation::bad_close_code);
    } else if (!is_valid_utf8(reason)) {
        WSCHECK_FUZZ_CHECK(ec == violation::bad_close_reason);
    } else {
        WSCHECK_FUZZ_CHECK(!ec);
    }
    // Every close-payload violation fails the connection with the code 7.4.1 gives it.
    if (ec) {
        const violation_info* row = info(ec);
        WSCHECK_FUZZ_CHECK(row != nullptr);
        WSCHECK_FUZZ_CHECK(row->close_code == (ec == violation::bad_close_reason
                                                   ? close_code::invalid_payload
                                                   : close_code::protocol_error));
    }
    // Filled as far as the bytes allow, valid or not.
    WSCHECK_FUZZ_CHECK(out.code == code);
    WSCHECK_FUZZ_CHECK(out.reason == reason);

    // Build -> bytes: exactly the payload, for any code and reason.
    const std::vector<std::uint8_t> built = build_close_payload(code, reason);
    WSCHECK_FUZZ_CHECK(built.size() == payload.size() &&
                       std::equal(built.begin(), built.end(), payload.begin()));
    if (!ec) {
        // Valid: parse -> build is the identity, and build -> parse gives the same values.
        const std::vector<std::uint8_t> again = build_close_payload(out.code, out.reason);
        WSCHECK_FUZZ_CHECK(again == built);
        close_payload back;
        WSCHECK_FUZZ_CHECK(!parse_close_payload(again, back));
        WSCHECK_FUZZ_CHECK(back.code == out.code && back.reason == out.reason);
    }
    return 0;
}
