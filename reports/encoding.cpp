#include "reports/encoding.hpp"

#include "harness/proto/utf8.hpp"

#include <algorithm>
#include <cstdio>

namespace wscheck::reports {

bool is_printable_text(std::span<const std::uint8_t> data) noexcept {
    const bool no_controls = std::none_of(data.begin(), data.end(), [](std::uint8_t c) {
        return (c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f;
    });
    return no_controls && proto::is_valid_utf8(data);
}

std::string to_valid_utf8(std::string_view s) {
    if (proto::is_valid_utf8(s)) {
        return std::string{s};
    }
    std::string out;
    out.reserve(s.size() + 8);
    std::size_t i = 0;
    while (i < s.size()) {
        const auto lead = static_cast<unsigned char>(s[i]);
        // RFC 3629 4: the lead byte gives the sequence length.
        const std::size_t n = lead < 0x80 ? 1 : lead >= 0xC2 && lead <= 0xDF ? 2
                            : lead >= 0xE0 && lead <= 0xEF ? 3 : lead >= 0xF0 && lead <= 0xF4 ? 4 : 0;
        if (n > 0 && i + n <= s.size() && proto::is_valid_utf8(s.substr(i, n))) {
            out.append(s, i, n);
            i += n;
        } else {
            out += "\xEF\xBF\xBD"; // U+FFFD REPLACEMENT CHARACTER
            ++i;
        }
    }
    return out;
}

std::string to_hex(std::span<const std::uint8_t> data) {
    static constexpr char digits[] = "0123456789abcdef";
    std::string out;
    out.reserve(data.size() * 2);
    for (const std::uint8_t b : data) {
        out += digits[b >> 4];
        out += digits[b & 0x0f];
    }
    return out;
}

namespace {

int hex_digit(char c) noexcept {
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

/// Reads exactly `n` decimal digits at `pos`, advancing it; -1 when they are not there.
int read_digits(std::string_view s, std::size_t& pos, std::size_t n) noexcept {
    if (s.size() - pos < n) {
        return -1;
    }
    int value = 0;
    for (std::size_t i = 0; i < n; ++i) {
        const char c = s[pos + i];
        if (c < '0' || c > '9') {
            return -1;
        }
        value = value * 10 + (c - '0');
    }
    pos += n;
    return value;
}

bool expect_char(std::string_view s, std::size_t& pos, std::string_view allowed) noexcept {
    if (pos >= s.size() || allowed.find(s[pos]) == std::string_view::npos) {
        return false;
    }
    ++pos;
    return true;
}

} // namespace

std::optional<std::vector<std::uint8_t>> from_hex(std::string_view hex) {
    if (hex.size() % 2 != 0) {
        return std::nullopt;
    }
    std::vector<std::uint8_t> out;
    out.reserve(hex.size() / 2);
    for (std::size_t i = 0; i < hex.size(); i += 2) {
        const int hi = hex_digit(hex[i]);
        const int lo = hex_digit(hex[i + 1]);
        if (hi < 0 || lo < 0) {
            return std::nullopt;
        }
        out.push_back(static_cast<std::uint8_t>(hi * 16 + lo));
    }
    return out;
}

std::string to_rfc3339(std::chrono::system_clock::time_point t) {
    using namespace std::chrono;
    const auto us = floor<microseconds>(t);
    const auto day = floor<days>(us);
    const year_month_day ymd{day};
    const hh_mm_ss<microseconds> tod{us - day};
    char buf[48];
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d.%06lldZ",
                  static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                  static_cast<unsigned>(ymd.day()), static_cast<int>(tod.hours().count()),
                  static_cast<int>(tod.minutes().count()), static_cast<int>(tod.seconds().count()),
                  static_cast<long long>(tod.subseconds().count()));
    return buf;
}

std::optional<std::chrono::system_clock::time_point> from_rfc3339(std::string_view s) {
    using namespace std::chrono;
    // RFC 3339 5.6: full-date "T" full-time, full-time = partial-time time-offset.
    std::size_t pos = 0;
    const int y = read_digits(s, pos, 4);
    if (y < 0 || !expect_char(s, pos, "-")) {
        return std::nullopt;
    }
    const int mo = read_digits(s, pos, 2);
    if (mo < 0 || !expect_char(s, pos, "-")) {
        return std::nullopt;
    }
    const int d = read_digits(s, pos, 2);
    if (d < 0 || !expect_char(s, pos, "Tt ")) {
        return std::nullopt;
    }
    const int h = read_digits(s, pos, 2);
    if (h < 0 || !expect_char(s, pos, ":")) {
        return std::nullopt;
    }
    const int mi = read_digits(s, pos, 2);
    if (mi < 0 || !expect_char(s, pos, ":")) {
        return std::nullopt;
    }
    const int sec = read_digits(s, pos, 2);
    if (sec < 0) {
        return std::nullopt;
    }
    long long micros = 0;
    if (pos < s.size() && s[pos] == '.') {
        ++pos;
        std::size_t n = 0;
        while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
            if (n < 6) {
                micros = micros * 10 + (s[pos] - '0');
            }
            ++n;
            ++pos;
        }
        if (n == 0) {
            return std::nullopt;
        }
        for (; n < 6; ++n) {
            micros *= 10;
        }
    }
    int offset_minutes = 0;
    if (expect_char(s, pos, "Zz")) {
        offset_minutes = 0;
    } else if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
        const bool negative = s[pos] == '-';
        ++pos;
        const int oh = read_digits(s, pos, 2);
        if (oh < 0 || !expect_char(s, pos, ":")) {
            return std::nullopt;
        }
        const int om = read_digits(s, pos, 2);
        if (om < 0 || oh > 23 || om > 59) {
            return std::nullopt;
        }
        offset_minutes = (negative ? -1 : 1) * (oh * 60 + om);
    } else {
        return std::nullopt;
    }
    if (pos != s.size()) {
        return std::nullopt;
    }
    const year_month_day ymd{year{y}, month{static_cast<unsigned>(mo)},
                             day{static_cast<unsigned>(d)}};
    // 5.7: a leap second (60) is allowed; it lands on the next second.
    if (!ymd.ok() || h > 23 || mi > 59 || sec > 60) {
        return std::nullopt;
    }
    const auto local = sys_days{ymd} + hours{h} + minutes{mi} + seconds{sec} + microseconds{micros};
    return time_point_cast<system_clock::duration>(local - minutes{offset_minutes});
}

std::string cut_text(std::string s, std::size_t max) {
    if (s.size() <= max) {
        return s;
    }
    std::size_t n = max >= 3 ? max - 3 : 0;
    while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) {
        --n;
    }
    s.resize(n);
    s += "...";
    return s;
}

} // namespace wscheck::reports
