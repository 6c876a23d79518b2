#include "harness/proto/handshake.hpp"

#include "harness/proto/error.hpp"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <algorithm>
#include <cstring>

namespace wscheck::proto {
namespace {

/// 4.1: the key is 16 random bytes.
constexpr std::size_t key_bytes = 16;
/// base64 of 16 bytes: 22 characters and "==".
constexpr std::size_t key_chars = 24;

constexpr std::string_view crlf = "\r\n";

// RFC 9110 5.6.2: tchar
constexpr bool is_tchar(char ch) noexcept {
    const auto c = static_cast<unsigned char>(ch);
    if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
        return true;
    }
    return std::string_view{"!#$%&'*+-.^_`|~"}.find(ch) != std::string_view::npos;
}

bool is_token(std::string_view s) noexcept {
    return !s.empty() && std::all_of(s.begin(), s.end(), is_tchar);
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

// RFC 4648 4, without the pad character.
constexpr bool is_base64_char(char c) noexcept {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
           c == '+' || c == '/';
}

std::string base64(const unsigned char* data, std::size_t size) {
    std::string out(4 * ((size + 2) / 3) + 1, '\0'); // EVP_EncodeBlock adds a NUL
    const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), data,
                                  static_cast<int>(size));
    out.resize(n > 0 ? static_cast<std::size_t>(n) : 0);
    return out;
}

/// Non-empty, OWS-trimmed elements of every `name` field's comma-separated list.
std::vector<std::string> list_elements(const http_head& head, std::string_view name) {
    std::vector<std::string> out;
    for (std::string_view value : head.values(name)) {
        while (true) {
            const std::size_t comma = value.find(',');
            const std::string_view element = trim_ows(value.substr(0, comma));
            if (!element.empty()) {
                out.emplace_back(element);
            }
            if (comma == std::string_view::npos) {
                break;
            }
            value.remove_prefix(comma + 1);
        }
    }
    return out;
}

/// 9.1: several Sec-WebSocket-Extensions fields are one list, their values joined by commas.
std::optional<std::vector<extension_offer>> head_extensions(const http_head& head) {
    const auto values = head.values("Sec-WebSocket-Extensions");
    if (values.empty()) {
        return std::vector<extension_offer>{};
    }
    std::string joined;
    for (const std::string_view v : values) {
        if (!joined.empty()) {
            joined += ", ";
        }
        joined += v;
    }
    return parse_extensions(joined);
}

/// A cursor over a 9.1 extension list; every step is bounded by the input's length.
class ext_reader {
public:
    explicit ext_reader(std::string_view s) noexcept : s_{s} {}

    bool at_end() const noexcept { return i_ >= s_.size(); }
    bool next_is(char c) const noexcept { return !at_end() && s_[i_] == c; }
    void skip() noexcept { ++i_; }
    // RFC 2616 2.1 implied *LWS (adopted by RFC 6455 4.3): whitespace between any two items.
    void skip_ows() noexcept {
        while (!at_end() && is_ows(s_[i_])) {
            ++i_;
        }
    }
    /// The longest run of tchar at the cursor; empty when there is none.
    std::string_view token() noexcept {
        const std::size_t start = i_;
        while (!at_end() && is_tchar(s_[i_])) {
            ++i_;
        }
        return s_.substr(start, i_ - start);
    }
    /// RFC 2616 2.2 quoted-string at the cursor, unescaped; nullopt when unterminated.
    std::optional<std::string> quoted_string() {
        std::string out;
        ++i_; // the opening DQUOTE
        while (!at_end()) {
            const char c = s_[i_++];
            if (c == '"') {
                return out;
            }
            if (c == '\\') {
                // quoted-pair = "\" CHAR
                if (at_end() || static_cast<unsigned char>(s_[i_]) > 0x7f) {
                    return std::nullopt;
                }
                out += s_[i_++];
                continue;
            }
            // qdtext = <any TEXT except <">>: no control characters but LWS
            const auto u = static_cast<unsigned char>(c);
            if ((u < 0x20 && c != '\t') || u == 0x7f) {
                return std::nullopt;
            }
            out += c;
        }
        return std::nullopt;
    }

private:
    std::string_view s_;
    std::size_t i_ = 0;
};

std::string_view reason_phrase(int status) noexcept {
    switch (status) {
    case 400: return "Bad Request";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 426: return "Upgrade Required";
    case 431: return "Request Header Fields Too Large";
    case 505: return "HTTP Version Not Supported";
    default: return "Error";
    }
}

void add_field(std::string& out, std::string_view name, std::string_view value) {
    out.append(name).append(": ").append(value).append(crlf);
}

} // namespace

std::string compute_accept(std::string_view sec_websocket_key) {
    std::string input;
    input.reserve(sec_websocket_key.size() + websocket_guid.size());
    input.append(sec_websocket_key).append(websocket_guid);
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int digest_size = 0;
    if (EVP_Digest(input.data(), input.size(), digest, &digest_size, EVP_sha1(), nullptr) != 1) {
        return {};
    }
    return base64(digest, digest_size);
}

std::string generate_key() {
    unsigned char nonce[key_bytes];
    if (RAND_bytes(nonce, static_cast<int>(key_bytes)) != 1) {
        return {};
    }
    return base64(nonce, key_bytes);
}

bool is_valid_key(std::string_view key) noexcept {
    // 4.2.1 item 5: base64 (RFC 4648 4) that decodes to 16 bytes is 22 characters and "==".
    if (key.size() != key_chars || key.substr(key_chars - 2) != "==" ||
        !std::all_of(key.begin(), key.end() - 2, is_base64_char)) {
        return false;
    }
    unsigned char decoded[3 * key_chars / 4];
    const int n = EVP_DecodeBlock(decoded, reinterpret_cast<const unsigned char*>(key.data()),
                                  static_cast<int>(key.size()));
    if (n != static_cast<int>(sizeof decoded)) {
        return false;
    }
    // RFC 4648 3.5: nonzero pad bits mean the text is no encoding of any 16 bytes.
    unsigned char reencoded[key_chars + 1];
    const int m = EVP_EncodeBlock(reencoded, decoded, static_cast<int>(key_bytes));
    return m == static_cast<int>(key_chars) && std::memcmp(reencoded, key.data(), key_chars) == 0;
}

std::optional<std::vector<extension_offer>> parse_extensions(std::string_view value) {
    // 9.1: extension-list = 1#extension
    //      extension = extension-token *( ";" extension-param )
    //      extension-param = token [ "=" (token | quoted-string) ]
    std::vector<extension_offer> out;
    ext_reader in{value};
    while (true) {
        in.skip_ows();
        if (in.at_end()) {
            break;
        }
        if (in.next_is(',')) { // an empty list element
            in.skip();
            continue;
        }
        extension_offer ext;
        ext.name = in.token();
        if (ext.name.empty()) {
            return std::nullopt;
        }
        in.skip_ows();
        while (in.next_is(';')) {
            in.skip();
            in.skip_ows();
            std::string name{in.token()};
            if (name.empty()) {
                return std::nullopt;
            }
            in.skip_ows();
            std::optional<std::string> param_value;
            if (in.next_is('=')) {
                in.skip();
                in.skip_ows();
                if (in.next_is('"')) {
                    param_value = in.quoted_string();
                    // 9.1: the unescaped quoted-string must conform to the token ABNF.
                    if (!param_value || !is_token(*param_value)) {
                        return std::nullopt;
                    }
                } else {
                    param_value = std::string{in.token()};
                    if (param_value->empty()) {
                        return std::nullopt;
                    }
                }
                in.skip_ows();
            }
            ext.params.emplace_back(std::move(name), std::move(param_value));
        }
        out.push_back(std::move(ext));
        if (in.at_end()) {
            break;
        }
        if (!in.next_is(',')) {
            return std::nullopt;
        }
        in.skip();
    }
    // 1#extension: at least one.
    if (out.empty()) {
        return std::nullopt;
    }
    return out;
}

std::string format_extensions(const std::vector<extension_offer>& exts) {
    std::string out;
    for (const auto& ext : exts) {
        if (!out.empty()) {
            out += ", ";
        }
        out += ext.name;
        for (const auto& [name, value] : ext.params) {
            out.append("; ").append(name);
            if (!value) {
                continue;
            }
            out += '=';
            if (is_token(*value)) {
                out += *value;
                continue;
            }
            out += '"';
            for (const char c : *value) {
                if (c == '"' || c == '\\') {
                    out += '\\';
                }
                out += c;
            }
            out += '"';
        }
    }
    return out;
}

std::string build_request(const client_request& req) {
    std::string out;
    out.append(req.method).append(" ").append(req.target).append(" ").append(req.version);
    out.append(crlf);
    if (!req.host.empty()) {
        add_field(out, "Host", req.host);
    }
    if (!req.upgrade.empty()) {
        add_field(out, "Upgrade", req.upgrade);
    }
    if (!req.connection.empty()) {
        add_field(out, "Connection", req.connection);
    }
    if (!req.key.empty()) {
        add_field(out, "Sec-WebSocket-Key", req.key);
    }
    if (!req.ws_version.empty()) {
        add_field(out, "Sec-WebSocket-Version", req.ws_version);
    }
    if (!req.subprotocols.empty()) {
        std::string joined;
        for (const auto& p : req.subprotocols) {
            if (!joined.empty()) {
                joined += ", ";
            }
            joined += p;
        }
        add_field(out, "Sec-WebSocket-Protocol", joined);
    }
    if (!req.extensions.empty()) {
        add_field(out, "Sec-WebSocket-Extensions", req.extensions);
    }
    for (const auto& f : req.extra_fields) {
        add_field(out, f.name, f.value);
    }
    out.append(crlf);
    return out;
}

std::error_code check_request(const http_head& req, accepted_request& out) {
    // 4.2.1 item 1: an HTTP/1.1 or higher GET request.
    if (req.method != "GET") {
        return violation::http_bad_method;
    }
    if (req.version_major < 1 || (req.version_major == 1 && req.version_minor < 1)) {
        return violation::http_bad_version;
    }
    // 4.2.1 item 2: a Host header field (RFC 9112 3.2: exactly one).
    if (req.count("Host") != 1) {
        return violation::http_no_host;
    }
    // 4.2.1 item 3: Upgrade contains "websocket", ASCII case-insensitive.
    if (!req.has_token("Upgrade", "websocket")) {
        return violation::no_upgrade;
    }
    // 4.2.1 item 4: Connection includes the token "Upgrade", ASCII case-insensitive.
    if (!req.has_token("Connection", "Upgrade")) {
        return violation::no_connection_upgrade;
    }
    // 4.2.1 item 5 and 11.3.1: one Sec-WebSocket-Key, base64 of 16 bytes.
    const auto key = req.single("Sec-WebSocket-Key");
    if (!key || !is_valid_key(*key)) {
        return violation::bad_sec_key;
    }
    // 4.2.1 item 6 and 11.3.5: one Sec-WebSocket-Version, with the value 13.
    const auto version = req.single("Sec-WebSocket-Version");
    if (!version || *version != "13") {
        return violation::bad_version;
    }

    accepted_request accepted;
    accepted.key = *key;
    accepted.target = req.target;
    accepted.subprotocols = list_elements(req, "Sec-WebSocket-Protocol");
    if (auto exts = head_extensions(req)) {
        accepted.extensions = std::move(*exts);
    }
    if (const auto origins = req.values("Origin"); !origins.empty()) {
        accepted.origin = std::string{origins.front()};
    }
    out = std::move(accepted);
    return {};
}

std::string build_response(std::string_view key, std::optional<std::string_view> subprotocol,
                           std::string_view extensions) {
    std::string out = "HTTP/1.1 101 Switching Protocols\r\n";
    add_field(out, "Upgrade", "websocket");
    add_field(out, "Connection", "Upgrade");
    add_field(out, "Sec-WebSocket-Accept", compute_accept(key));
    if (subprotocol) {
        add_field(out, "Sec-WebSocket-Protocol", *subprotocol);
    }
    if (!extensions.empty()) {
        add_field(out, "Sec-WebSocket-Extensions", extensions);
    }
    out.append(crlf);
    return out;
}

std::string build_rejection(std::error_code ec) {
    const violation_info* row = info(ec);
    const int status = row != nullptr && row->http_status != 0 ? row->http_status : 400;
    std::string body = row != nullptr ? std::string{row->message} : ec.message();
    body += '\n';

    std::string out = "HTTP/1.1 " + std::to_string(status) + " ";
    out.append(reason_phrase(status)).append(crlf);
    add_field(out, "Content-Type", "text/plain; charset=utf-8");
    add_field(out, "Content-Length", std::to_string(body.size()));
    if (status == 405) {
        // RFC 9110 15.5.6: a 405 lists the methods the resource supports.
        add_field(out, "Allow", "GET");
    }
    if (status == 426) {
        // RFC 9110 15.5.22: a 426 names the protocol to upgrade to; 7.8: Upgrade needs the
        // "upgrade" connection option beside it.
        add_field(out, "Upgrade", "websocket");
        add_field(out, "Connection", "Upgrade, close");
    } else {
        add_field(out, "Connection", "close");
    }
    if (ec == violation::bad_version) {
        // 4.4: the versions the server understands.
        add_field(out, "Sec-WebSocket-Version", "13");
    }
    out.append(crlf).append(body);
    return out;
}

std::error_code check_response(const http_head& resp, const client_request& req,
                               accepted_response& out) {
    // 4.1 item 1: anything but 101 is handled per HTTP, not as a WebSocket connection.
    if (resp.status != 101) {
        return violation::bad_status;
    }
    // 4.1 item 2: Upgrade present and an ASCII case-insensitive match for "websocket".
    const auto upgrade = list_elements(resp, "Upgrade");
    if (upgrade.empty() || !std::all_of(upgrade.begin(), upgrade.end(), [](const auto& u) {
            return iequals(u, "websocket");
        })) {
        return violation::no_upgrade;
    }
    // 4.1 item 3: Connection contains the token "Upgrade", ASCII case-insensitive.
    if (!resp.has_token("Connection", "Upgrade")) {
        return violation::no_connection_upgrade;
    }
    // 4.1 item 4 and 11.3.3: one Sec-WebSocket-Accept, equal to the key's accept value.
    const auto accept = resp.single("Sec-WebSocket-Accept");
    if (!accept || *accept != compute_accept(req.key)) {
        return violation::bad_accept;
    }
    // 4.1 item 5: only extensions present in the client's handshake.
    auto exts = head_extensions(resp);
    if (!exts) {
        return violation::bad_extension;
    }
    if (!exts->empty()) {
        std::vector<extension_offer> offered;
        if (auto parsed = parse_extensions(req.extensions); parsed && !req.extensions.empty()) {
            offered = std::move(*parsed);
        }
        for (const auto& e : *exts) {
            if (std::none_of(offered.begin(), offered.end(),
                             [&](const extension_offer& o) { return o.name == e.name; })) {
                return violation::bad_extension;
            }
        }
    }
    // 4.1 item 6, 4.2.2 and 11.3.4: at most one subprotocol, one the client offered.
    std::optional<std::string> subprotocol;
    if (const std::size_t n = resp.count("Sec-WebSocket-Protocol"); n > 1) {
        return violation::bad_subprotocol;
    } else if (n == 1) {
        const std::string_view chosen = *resp.single("Sec-WebSocket-Protocol");
        if (std::find(req.subprotocols.begin(), req.subprotocols.end(), chosen) ==
            req.subprotocols.end()) {
            return violation::bad_subprotocol;
        }
        subprotocol = std::string{chosen};
    }

    out.subprotocol = std::move(subprotocol);
    out.extensions = std::move(*exts);
    return {};
}

} // namespace wscheck::proto
