// A capped, incremental HTTP/1.1 head parser (RFC 9112 2-5) for the opening handshake.
//
// Why not Beast's parser: the harness must *observe* malformed heads (duplicate Host, odd
// tokens, bare LF) and report exactly what was wrong, the fuzz targets need a core with no
// Asio underneath, and a handshake needs only the head, never a body.
//
// Theory of operation: feed() takes bytes until the blank line that ends the head; bytes
// after it are not consumed (they are the first WebSocket frames). Each line is parsed once,
// as soon as its LF arrives, and only the unfinished line is buffered, so a byte-at-a-time
// feed costs what a whole one does. The head is capped in size and in field count; past
// either cap the parse fails with http_too_big. Field names keep their spelling and order,
// duplicates included.
//
// Rules (RFC 9112 unless said otherwise)
//   lines       end in CRLF, or leniently in a bare LF (2.2); a bare CR elsewhere, or a NUL,
//               is malformed (2.2, RFC 9110 5.5)
//   request     method SP request-target SP HTTP-version (3), single spaces; method a token,
//               target non-empty visible ASCII; empty lines before it are ignored (2.2)
//   response    HTTP-version SP 3DIGIT SP reason-phrase (4); the reason may be empty but the
//               space before it may not
//   version     "HTTP/" DIGIT "." DIGIT, case-sensitive (2.3); any value parses, callers
//               judge it
//   fields      token ":" OWS value OWS (5); whitespace before the colon is malformed (5.1);
//               values hold only SP, HTAB, VCHAR and obs-text (RFC 9110 5.5)
//   obs-fold    a line starting with SP or HTAB continues the previous field (5.2): malformed
//               in a request; in a response it is replaced by one SP, as 5.2 requires of a
//               user agent. Whitespace before the first field is malformed (2.2)
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
    std::string name;  ///< as sent (case kept)
    std::string value; ///< with leading and trailing whitespace (SP, HTAB) removed
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
    /// (case-insensitive, whitespace around elements ignored, empty elements skipped).
    bool has_token(std::string_view name, std::string_view token) const;
};

struct http_limits {
    std::size_t max_head_bytes = 16 * 1024; ///< every byte of the head, blank line included
    std::size_t max_fields = 100;           ///< field lines (obs-fold continuations excluded)
};

class http_parser {
public:
    enum class kind : std::uint8_t { request, response };
    enum class status : std::uint8_t { need_more, done, error };

    explicit http_parser(kind k, http_limits limits = {}) noexcept;

    /// Consumes bytes up to and including the blank line ending the head.
    ///
    /// Returns need_more when every byte of `input` was consumed and the head is not complete;
    /// done once it is (`consumed` tells how many bytes of `input` were part of it; the rest
    /// are not looked at); error on the first violation (`consumed` then counts the bytes up
    /// to the one that revealed it). After done or error the parser is finished: later calls
    /// consume nothing and return the same status.
    status feed(std::span<const std::uint8_t> input, std::size_t& consumed);
    status feed(std::string_view s, std::size_t& consumed) {
        return feed(std::span{reinterpret_cast<const std::uint8_t*>(s.data()), s.size()}, consumed);
    }

    /// The head parsed so far; complete once feed() returned done.
    const http_head& head() const noexcept { return head_; }
    http_head& head() noexcept { return head_; }
    /// The violation when feed() returned error (http_malformed or http_too_big).
    std::error_code error() const noexcept { return error_; }
    /// One sentence saying what was wrong, for reports ("field line without a colon").
    std::string_view error_detail() const noexcept { return detail_; }

private:
    enum class stage : std::uint8_t { start_line, fields, done, error };

    status on_line(std::string_view line);
    status on_request_line(std::string_view line);
    status on_status_line(std::string_view line);
    status on_field_line(std::string_view line);
    status on_obs_fold(std::string_view line);
    status fail(std::error_code ec, std::string_view detail) noexcept;

    kind kind_;
    http_limits limits_;
    stage stage_ = stage::start_line;
    std::string line_;            ///< the unfinished line, when a line spans feed() calls
    std::size_t head_bytes_ = 0;  ///< bytes of the head consumed so far
    http_head head_;
    std::error_code error_;
    std::string_view detail_;
};

/// Case-insensitive ASCII comparison, as HTTP field names and tokens need.
bool iequals(std::string_view a, std::string_view b) noexcept;

} // namespace wscheck::proto
