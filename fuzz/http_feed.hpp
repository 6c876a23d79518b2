// What the two HTTP fuzz targets share: feeding an http_parser whole or in pieces while
// checking its feed() contract, comparing two outcomes, and an HTTP list-token test written
// apart from http_head::has_token so the targets do not check the parser with itself.
#pragma once

#include "fuzz/fuzz_util.hpp"
#include "harness/proto/error.hpp"
#include "harness/proto/http1.hpp"

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <system_error>

namespace wscheck::fuzz {

/// How one parse ended.
struct http_outcome {
    proto::http_parser::status status = proto::http_parser::status::need_more;
    std::size_t consumed = 0; ///< over every feed() call
    std::error_code error;
    std::string detail;
    proto::http_head head;
};

inline bool same_head(const proto::http_head& a, const proto::http_head& b) {
    if (a.method != b.method || a.target != b.target || a.status != b.status ||
        a.reason != b.reason || a.version_major != b.version_major ||
        a.version_minor != b.version_minor || a.fields.size() != b.fields.size()) {
        return false;
    }
    for (std::size_t i = 0; i < a.fields.size(); ++i) {
        if (a.fields[i].name != b.fields[i].name || a.fields[i].value != b.fields[i].value) {
            return false;
        }
    }
    return true;
}

inline bool same_outcome(const http_outcome& a, const http_outcome& b) {
    return a.status == b.status && a.consumed == b.consumed && a.error == b.error &&
           a.detail == b.detail && same_head(a.head, b.head);
}

/// Feeds `bytes` in the pieces `split` gives (one piece when null) until done or error,
/// checking feed()'s contract on every call: it never consumes more than it was given,
/// need_more consumes everything, and a finished parser consumes nothing more.
inline http_outcome feed_http(proto::http_parser::kind k, proto::http_limits limits,
                              std::span<const std::uint8_t> bytes, chunker* split) {
    using st = proto::http_parser::status;
    proto::http_parser parser{k, limits};
    http_outcome out;
    std::size_t offset = 0;
    do {
        const std::size_t left = bytes.size() - offset;
        const std::size_t len = split != nullptr ? split->next(left) : left;
        std::size_t used = 0;
        out.status = parser.feed(bytes.subspan(offset, len), used);
        WSCHECK_FUZZ_CHECK(used <= len);
        WSCHECK_FUZZ_CHECK(out.status != st::need_more || used == len);
        out.consumed = offset + used;
        offset += len;
    } while (out.status == st::need_more && offset < bytes.size());
    if (out.status != st::need_more) {
        // Finished: later calls consume nothing and repeat the status.
        std::size_t used = 1;
        WSCHECK_FUZZ_CHECK(parser.feed(bytes, used) == out.status && used == 0);
    }
    out.error = parser.error();
    out.detail = std::string{parser.error_detail()};
    out.head = parser.head();
    return out;
}

/// Checks what every parse must satisfy, whatever the bytes: the caps hold, an error is one
/// of the two the parser may give and says why, and a finished head ends in its blank line.
inline void check_http_caps(const http_outcome& o, proto::http_limits limits,
                            std::span<const std::uint8_t> bytes) {
    using st = proto::http_parser::status;
    WSCHECK_FUZZ_CHECK(o.consumed <= bytes.size());
    switch (o.status) {
    case st::need_more:
        // Everything was taken, so everything fit under the cap.
        WSCHECK_FUZZ_CHECK(o.consumed == bytes.size());
        WSCHECK_FUZZ_CHECK(o.consumed <= limits.max_head_bytes);
        WSCHECK_FUZZ_CHECK(!o.error);
        break;
    case st::done:
        WSCHECK_FUZZ_CHECK(o.consumed <= limits.max_head_bytes);
        WSCHECK_FUZZ_CHECK(o.head.fields.size() <= limits.max_fields);
        WSCHECK_FUZZ_CHECK(o.consumed >= 1 && bytes[o.consumed - 1] == '\n');
        WSCHECK_FUZZ_CHECK(!o.error);
        break;
    case st::error:
        // The byte that revealed the error is at most one past the cap.
        WSCHECK_FUZZ_CHECK(o.consumed <= limits.max_head_bytes + 1);
        WSCHECK_FUZZ_CHECK(o.error == proto::violation::http_malformed ||
                           o.error == proto::violation::http_too_big);
        WSCHECK_FUZZ_CHECK(!o.detail.empty());
        break;
    }
}

/// The limits an option byte picks: bits 0-1 the head size cap, bits 2-3 the field cap.
inline proto::http_limits pick_limits(std::uint8_t option) {
    static constexpr std::size_t head_caps[] = {16 * 1024, 64, 256, 1024};
    static constexpr std::size_t field_caps[] = {100, 0, 3, 10};
    proto::http_limits limits;
    limits.max_head_bytes = head_caps[option & 3];
    limits.max_fields = field_caps[(option >> 2) & 3];
    return limits;
}

inline char ascii_lower(char c) {
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

inline bool same_ascii_ignoring_case(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) {
        return false;
    }
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (ascii_lower(a[i]) != ascii_lower(b[i])) {
            return false;
        }
    }
    return true;
}

/// Calls `f` on each OWS-trimmed, non-empty element of a comma-separated field value
/// (RFC 9110 5.6.1).
template <class F>
void for_each_list_element(std::string_view value, F&& f) {
    std::size_t start = 0;
    while (start <= value.size()) {
        std::size_t end = value.find(',', start);
        if (end == std::string_view::npos) {
            end = value.size();
        }
        std::string_view e = value.substr(start, end - start);
        while (!e.empty() && (e.front() == ' ' || e.front() == '\t')) {
            e.remove_prefix(1);
        }
        while (!e.empty() && (e.back() == ' ' || e.back() == '\t')) {
            e.remove_suffix(1);
        }
        if (!e.empty()) {
            f(e);
        }
        start = end + 1;
    }
}

/// True when a field named `name` (any case) lists `token` (any case).
inline bool lists_token(const proto::http_head& head, std::string_view name,
                        std::string_view token) {
    bool found = false;
    for (const auto& field : head.fields) {
        if (same_ascii_ignoring_case(field.name, name)) {
            for_each_list_element(field.value, [&](std::string_view e) {
                found = found || same_ascii_ignoring_case(e, token);
            });
        }
    }
    return found;
}

/// Number of fields named `name`, any case.
inline std::size_t count_fields(const proto::http_head& head, std::string_view name) {
    std::size_t n = 0;
    for (const auto& field : head.fields) {
        n += same_ascii_ignoring_case(field.name, name) ? 1U : 0U;
    }
    return n;
}

/// The value of the first field named `name`; null when there is none.
inline const std::string* first_field(const proto::http_head& head, std::string_view name) {
    for (const auto& field : head.fields) {
        if (same_ascii_ignoring_case(field.name, name)) {
            return &field.value;
        }
    }
    return nullptr;
}

} // namespace wscheck::fuzz
