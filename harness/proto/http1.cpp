#include "harness/proto/http1.hpp"

#include "harness/proto/error.hpp"

#include <algorithm>
#include <cstring>

namespace wscheck::proto {
namespace {

constexpr unsigned char to_lower(unsigned char c) noexcept {
    return (c >= 'A' && c <= 'Z') ? static_cast<unsigned char>(c - 'A' + 'a') : c;
}

// RFC 9110 5.6.2: tchar
constexpr bool is_tchar(unsigned char c) noexcept {
    if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
        return true;
    }
    switch (c) {
    case '!': case '#': case '$': case '%': case '&': case '\'': case '*': case '+': case '-':
    case '.': case '^': case '_': case '`': case '|': case '~':
        return true;
    default:
        return false;
    }
}

bool is_token(std::string_view s) noexcept {
    return !s.empty() &&
           std::all_of(s.begin(), s.end(), [](char c) { return is_tchar(static_cast<unsigned char>(c)); });
}

constexpr bool is_ows(char c) noexcept { return c == ' ' || c == '\t'; }

std::string_view trim_ows(std::string_view s) noexcept {
    while (!s.empty() && is_ows(s.front())) {
        s.remove_prefix(1);
    }
    while (!s.empty() && is_ows(s.back())) {
        s.remove_suffix(1);
    }
    return s;
}

// RFC 9110 5.5: field-vchar = VCHAR / obs-text; SP and HTAB may sit between them.
bool is_field_value(std::string_view s) noexcept {
    return std::all_of(s.begin(), s.end(), [](char ch) {
        const auto c = static_cast<unsigned char>(ch);
        return c == ' ' || c == '\t' || (c >= 0x21 && c != 0x7f);
    });
}

constexpr bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }

// RFC 9112 2.3: HTTP-version = %s"HTTP" "/" DIGIT "." DIGIT
bool parse_version(std::string_view s, int& major, int& minor) noexcept {
    if (s.size() != 8 || s.substr(0, 5) != "HTTP/" || !is_digit(s[5]) || s[6] != '.' ||
        !is_digit(s[7])) {
        return false;
    }
    major = s[5] - '0';
    minor = s[7] - '0';
    return true;
}

// Calls f(element) for each non-empty, OWS-trimmed element of a comma-separated list
// (RFC 9110 5.6.1: empty elements are accepted and ignored); stops when f returns true.
template <typename F>
bool any_list_element(std::string_view list, F&& f) {
    while (true) {
        const std::size_t comma = list.find(',');
        const std::string_view element = trim_ows(list.substr(0, comma));
        if (!element.empty() && f(element)) {
            return true;
        }
        if (comma == std::string_view::npos) {
            return false;
        }
        list.remove_prefix(comma + 1);
    }
}

} // namespace

bool iequals(std::string_view a, std::string_view b) noexcept {
    if (a.size() != b.size()) {
        return false;
    }
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (to_lower(static_cast<unsigned char>(a[i])) !=
            to_lower(static_cast<unsigned char>(b[i]))) {
            return false;
        }
    }
    return true;
}

// ------------------------------------------------------------------------------- http_head

std::vector<std::string_view> http_head::values(std::string_view name) const {
    std::vector<std::string_view> out;
    for (const auto& f : fields) {
        if (iequals(f.name, name)) {
            out.emplace_back(f.value);
        }
    }
    return out;
}

std::optional<std::string_view> http_head::single(std::string_view name) const {
    std::optional<std::string_view> found;
    for (const auto& f : fields) {
        if (iequals(f.name, name)) {
            if (found) {
                return std::nullopt;
            }
            found = f.value;
        }
    }
    return found;
}

std::size_t http_head::count(std::string_view name) const {
    return static_cast<std::size_t>(std::count_if(
        fields.begin(), fields.end(), [&](const http_field& f) { return iequals(f.name, name); }));
}

bool http_head::has_token(std::string_view name, std::string_view token) const {
    return std::any_of(fields.begin(), fields.end(), [&](const http_field& f) {
        return iequals(f.name, name) &&
               any_list_element(f.value, [&](std::string_view e) { return iequals(e, token); });
    });
}

// ----------------------------------------------------------------------------- http_parser

http_parser::http_parser(kind k, http_limits limits) noexcept : kind_{k}, limits_{limits} {}

http_parser::status http_parser::feed(std::span<const std::uint8_t> input, std::size_t& consumed) {
    consumed = 0;
    if (stage_ == stage::done) {
        return status::done;
    }
    if (stage_ == stage::error) {
        return status::error;
    }
    // Each round takes one line, or the rest of the input when no LF is left in it.
    while (consumed < input.size()) {
        const std::uint8_t* begin = input.data() + consumed;
        const std::size_t left = input.size() - consumed;
        const auto* lf = static_cast<const std::uint8_t*>(std::memchr(begin, '\n', left));
        const std::size_t take = lf != nullptr ? static_cast<std::size_t>(lf - begin) + 1 : left;
        const std::size_t room = limits_.max_head_bytes - head_bytes_;
        if (take > room) {
            consumed += room + 1;
            return fail(violation::http_too_big, "head longer than the size cap");
        }
        head_bytes_ += take;
        consumed += take;
        const std::string_view piece{reinterpret_cast<const char*>(begin), take};
        if (lf == nullptr) {
            line_.append(piece);
            break;
        }
        // A line wholly inside this input is parsed in place, without a copy.
        std::string_view line = piece;
        if (!line_.empty()) {
            line_.append(piece);
            line = line_;
        }
        line.remove_suffix(1);
        // 2.2: a recipient may take a bare LF as a line terminator and ignore a preceding CR.
        if (!line.empty() && line.back() == '\r') {
            line.remove_suffix(1);
        }
        const status st = on_line(line);
        line_.clear();
        if (st != status::need_more) {
            return st;
        }
    }
    return status::need_more;
}

http_parser::status http_parser::on_line(std::string_view line) {
    // RFC 9110 5.5 and RFC 9112 2.2: NUL and bare CR are invalid anywhere in the head.
    for (const char c : line) {
        if (c == '\0') {
            return fail(violation::http_malformed, "NUL byte in the head");
        }
        if (c == '\r') {
            return fail(violation::http_malformed, "bare CR inside a line");
        }
    }
    if (stage_ == stage::start_line) {
        if (line.empty()) {
            // 2.2: a server should ignore empty lines received before the request-line.
            if (kind_ == kind::request) {
                return status::need_more;
            }
            return fail(violation::http_malformed, "empty line before the status line");
        }
        const status st = kind_ == kind::request ? on_request_line(line) : on_status_line(line);
        if (st == status::need_more) {
            stage_ = stage::fields;
        }
        return st;
    }
    if (line.empty()) {
        stage_ = stage::done;
        return status::done;
    }
    if (is_ows(line.front())) {
        return on_obs_fold(line);
    }
    return on_field_line(line);
}

http_parser::status http_parser::on_request_line(std::string_view line) {
    // 3: request-line = method SP request-target SP HTTP-version
    const std::size_t sp1 = line.find(' ');
    if (sp1 == std::string_view::npos) {
        return fail(violation::http_malformed, "request line without a space");
    }
    const std::string_view method = line.substr(0, sp1);
    const std::string_view rest = line.substr(sp1 + 1);
    const std::size_t sp2 = rest.find(' ');
    if (sp2 == std::string_view::npos) {
        return fail(violation::http_malformed, "request line without an HTTP version");
    }
    const std::string_view target = rest.substr(0, sp2);
    const std::string_view version = rest.substr(sp2 + 1);
    if (!is_token(method)) {
        return fail(violation::http_malformed, "request method is not a token");
    }
    // 3.2: the target holds no whitespace; RFC 3986 allows only visible ASCII in it.
    if (target.empty() || !std::all_of(target.begin(), target.end(), [](char ch) {
            const auto c = static_cast<unsigned char>(ch);
            return c >= 0x21 && c <= 0x7e;
        })) {
        return fail(violation::http_malformed, "request target empty or not visible ASCII");
    }
    if (!parse_version(version, head_.version_major, head_.version_minor)) {
        return fail(violation::http_malformed, "request line does not end in HTTP/x.y");
    }
    head_.method = method;
    head_.target = target;
    return status::need_more;
}

http_parser::status http_parser::on_status_line(std::string_view line) {
    // 4: status-line = HTTP-version SP status-code SP [ reason-phrase ]
    if (!parse_version(line.substr(0, 8), head_.version_major, head_.version_minor)) {
        return fail(violation::http_malformed, "status line does not start with HTTP/x.y");
    }
    if (line.size() < 13 || line[8] != ' ' || !is_digit(line[9]) || !is_digit(line[10]) || !is_digit(line[11]) ||
        line[12] != ' ') {
        return fail(violation::http_malformed, "status line without SP 3DIGIT SP");
    }
    // 4: reason-phrase = 1*( HTAB / SP / VCHAR / obs-text )
    const std::string_view reason = line.substr(13);
    if (!is_field_value(reason)) {
        return fail(violation::http_malformed, "control character in the reason phrase");
    }
    head_.status = (line[9] - '0') * 100 + (line[10] - '0') * 10 + (line[11] - '0');
    head_.reason = reason;
    return status::need_more;
}

http_parser::status http_parser::on_field_line(std::string_view line) {
    if (head_.fields.size() >= limits_.max_fields) {
        return fail(violation::http_too_big, "more field lines than the field cap");
    }
    // 5: field-line = field-name ":" OWS field-value OWS
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) {
        return fail(violation::http_malformed, "field line without a colon");
    }
    const std::string_view name = line.substr(0, colon);
    if (name.empty()) {
        return fail(violation::http_malformed, "field line with an empty name");
    }
    // 5.1: no whitespace is allowed between the field name and colon.
    if (is_ows(name.back())) {
        return fail(violation::http_malformed, "whitespace between a field name and its colon");
    }
    if (!is_token(name)) {
        return fail(violation::http_malformed, "field name is not a token");
    }
    const std::string_view value = trim_ows(line.substr(colon + 1));
    if (!is_field_value(value)) {
        return fail(violation::http_malformed, "control character in a field value");
    }
    head_.fields.push_back({std::string{name}, std::string{value}});
    return status::need_more;
}

http_parser::status http_parser::on_obs_fold(std::string_view line) {
    // 2.2: whitespace between the start line and the first field may not be taken as a field.
    if (head_.fields.empty()) {
        return fail(violation::http_malformed, "whitespace-preceded line before the first field");
    }
    // 5.2: a server rejects obs-fold in a request (or unfolds it; we reject, so it is seen).
    if (kind_ == kind::request) {
        return fail(violation::http_malformed, "obs-fold line in a request");
    }
    const std::string_view more = trim_ows(line);
    if (!is_field_value(more)) {
        return fail(violation::http_malformed, "control character in a field value");
    }
    // 5.2: a user agent replaces each obs-fold in a response with SP.
    std::string& value = head_.fields.back().value;
    if (!more.empty()) {
        if (!value.empty()) {
            value += ' ';
        }
        value += more;
    }
    return status::need_more;
}

http_parser::status http_parser::fail(std::error_code ec, std::string_view detail) noexcept {
    stage_ = stage::error;
    error_ = ec;
    detail_ = detail;
    line_.clear();
    return status::error;
}

} // namespace wscheck::proto
