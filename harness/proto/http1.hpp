// A capped, incremental HTTP/1.1 head parser (RFC 9112 2-5) for the opening handshake.
//
// Why not Beast's parser: the harness must *observe* malformed heads (duplicate Host, odd
// tokens, bare LF) and report exactly what was wrong, the fuzz targets need a core with no
// Asio underneath, and a handshake needs only the head, never a body.
//
// Theory of operation: feed() appends bytes until the blank line that ends the head; bytes
// after it are not consumed (they are the first WebSocket frames). The head is capped in size
// and in field count; past either cap the parse fails with http_too_big. Field names keep
// their spelling and order, duplicates included.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace wscheck::proto {

struct http_field {
    std::string name;
    std::string value; ///< with leading and trailing whitespace removed
};

/// The head of a request or response, whichever was parsed.
struct http_head {
    // request line
    std::string method;
    std::string target;
    // status line
    int status = 0;
    std::string reason;
    // both
    int version_major = 0;
    int version_minor = 0;
    std::vector<http_field> fields;

    /// Every value of the fields named `name` (case-insensitive), in order.
    std::vector<std::string_view> values(std::string_view name) const;
    /// The value of the only field named `name`; nullopt when absent or repeated.
    std::optional<std::string_view> single(std::string_view name) const;
    /// Number of fields named `name`.
    std::size_t count(std::string_view name) const;
    /// True when some field named `name` has `token` in its comma-separated list
    /// (case-insensitive, whitespace around tokens ignored).
    bool has_token(std::string_view name, std::string_view token) const;
};

struct http_limits {
    std::size_t max_head_bytes = 16 * 1024;
    std::size_t max_fields = 100;
};

class http_parser {
public:
    enum class kind : std::uint8_t { request, response };
    enum class status : std::uint8_t { need_more, done, error };

    explicit http_parser(kind k, http_limits limits = {}) noexcept;

    /// Consumes bytes up to and including the blank line ending the head. Returns done once
    /// the head is complete (`consumed` tells how many bytes of `input` were part of it).
    status feed(std::span<const std::uint8_t> input, std::size_t& consumed);
    status feed(std::string_view s, std::size_t& consumed) {
        return feed(std::span{reinterpret_cast<const std::uint8_t*>(s.data()), s.size()}, consumed);
    }

    const http_head& head() const noexcept { return head_; }
    http_head& head() noexcept { return head_; }
    /// The violation when feed() returned error (http_malformed or http_too_big).
    std::error_code error() const noexcept { return error_; }
    /// One sentence saying what was wrong, for reports ("field line without a colon").
    std::string_view error_detail() const noexcept { return detail_; }

private:
    status parse_head();

    kind kind_;
    http_limits limits_;
    std::string buffer_;
    http_head head_;
    std::error_code error_;
    std::string_view detail_;
    bool done_ = false;
};

/// Case-insensitive ASCII comparison, as HTTP field names and tokens need.
bool iequals(std::string_view a, std::string_view b) noexcept;

} // namespace wscheck::proto
