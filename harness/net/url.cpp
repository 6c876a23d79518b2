#include "harness/net/url.hpp"

#include <algorithm>
#include <array>
#include <cctype>

#include <arpa/inet.h>

namespace wscheck::net {

namespace {

bool iequals(std::string_view a, std::string_view b) noexcept {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) ==
                      std::tolower(static_cast<unsigned char>(y));
           });
}

// RFC 3986 3.2.2 reg-name, without percent-encoding (no resolver accepts it anyway).
bool is_reg_name(std::string_view host) noexcept {
    return std::all_of(host.begin(), host.end(), [](char c) {
        const auto u = static_cast<unsigned char>(c);
        return std::isalnum(u) != 0 || c == '-' || c == '.' || c == '_' || c == '~';
    });
}

bool is_ipv6_literal(const std::string& host) noexcept {
    std::array<unsigned char, 16> addr{};
    return inet_pton(AF_INET6, host.c_str(), addr.data()) == 1;
}

// Visible ASCII minus the characters a URI cannot hold unescaped (RFC 3986 2).
bool is_uri_text(std::string_view s) noexcept {
    return std::all_of(s.begin(), s.end(), [](char c) {
        const auto u = static_cast<unsigned char>(c);
        return u > 0x20 && u < 0x7F && c != '"' && c != '<' && c != '>' && c != '\\' &&
               c != '^' && c != '`' && c != '{' && c != '|' && c != '}';
    });
}

} // namespace

std::string ws_url::host_literal() const {
    if (host.find(':') != std::string::npos) {
        return "[" + host + "]";
    }
    return host;
}

std::string ws_url::host_field() const {
    if (has_default_port()) {
        return host_literal();
    }
    return host_literal() + ":" + std::to_string(port);
}

std::string ws_url::to_string() const {
    return (secure ? "wss://" : "ws://") + host_literal() + ":" + std::to_string(port) + target;
}

std::optional<ws_url> parse_ws_url(std::string_view text, std::string& error) {
    ws_url url;
    const auto scheme_end = text.find("://");
    if (scheme_end == std::string_view::npos) {
        error = "not a WebSocket URL (expected ws://host[:port]/path or wss://...)";
        return std::nullopt;
    }
    const auto scheme = text.substr(0, scheme_end);
    if (iequals(scheme, "ws")) {
        url.secure = false;
    } else if (iequals(scheme, "wss")) {
        url.secure = true;
    } else {
        error = "unsupported scheme '" + std::string(scheme) + "' (expected ws:// or wss://)";
        return std::nullopt;
    }
    url.port = url.secure ? 443 : 80;

    auto rest = text.substr(scheme_end + 3);
    // 3: "Fragment identifiers are meaningless in the context of WebSocket URIs and MUST NOT
    // be used on these URIs."
    if (rest.find('#') != std::string_view::npos) {
        error = "a WebSocket URL cannot have a fragment ('#')";
        return std::nullopt;
    }
    const auto authority_end = rest.find_first_of("/?");
    auto authority = rest.substr(0, authority_end);
    const auto target = authority_end == std::string_view::npos ? std::string_view{}
                                                                : rest.substr(authority_end);
    if (authority.find('@') != std::string_view::npos) {
        error = "a WebSocket URL cannot carry user information ('user@host')";
        return std::nullopt;
    }

    std::string_view port_text;
    bool has_port = false;
    if (!authority.empty() && authority.front() == '[') {
        const auto close = authority.find(']');
        if (close == std::string_view::npos) {
            error = "unterminated IPv6 address (missing ']')";
            return std::nullopt;
        }
        url.host = std::string(authority.substr(1, close - 1));
        if (!is_ipv6_literal(url.host)) {
            error = "'" + url.host + "' is not an IPv6 address";
            return std::nullopt;
        }
        const auto after = authority.substr(close + 1);
        if (!after.empty()) {
            if (after.front() != ':') {
                error = "unexpected characters after the IPv6 address";
                return std::nullopt;
            }
            has_port = true;
            port_text = after.substr(1);
        }
    } else {
        if (std::count(authority.begin(), authority.end(), ':') > 1) {
            error = "invalid host in '" + std::string(authority) +
                    "' (IPv6 addresses go in brackets: [::1])";
            return std::nullopt;
        }
        const auto colon = authority.find(':');
        url.host = std::string(authority.substr(0, colon));
        if (colon != std::string_view::npos) {
            has_port = true;
            port_text = authority.substr(colon + 1);
        }
        if (url.host.empty()) {
            error = "the URL has no host";
            return std::nullopt;
        }
        if (!is_reg_name(url.host)) {
            error = "invalid host '" + url.host + "' (IPv6 addresses go in brackets: [::1])";
            return std::nullopt;
        }
    }
    if (url.host.empty()) {
        error = "the URL has no host";
        return std::nullopt;
    }

    // RFC 3986 3.2.3: an empty port after the colon means the default.
    if (has_port && !port_text.empty()) {
        unsigned long value = 0;
        for (char c : port_text) {
            if (c < '0' || c > '9' || value > 65535) {
                error = "invalid port '" + std::string(port_text) + "'";
                return std::nullopt;
            }
            value = value * 10 + static_cast<unsigned long>(c - '0');
        }
        if (value == 0 || value > 65535) {
            error = "port " + std::string(port_text) + " is out of range (1-65535)";
            return std::nullopt;
        }
        url.port = static_cast<std::uint16_t>(value);
    }

    if (!is_uri_text(target)) {
        error = "the path or query holds characters a URL cannot (spaces, quotes, controls)";
        return std::nullopt;
    }
    // 3: the resource name is the path ("/" when empty), then "?" and the query if present.
    url.target = target.empty() || target.front() == '?' ? "/" + std::string(target)
                                                         : std::string(target);
    error.clear();
    return url;
}

} // namespace wscheck::net
