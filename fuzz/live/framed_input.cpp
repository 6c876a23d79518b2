#include "fuzz/live/framed_input.hpp"

#include "harness/proto/handshake.hpp"
#include "harness/proto/http1.hpp"

#include <algorithm>
#include <array>
#include <optional>

namespace wscheck::fuzz {

namespace {

/// The flags, opcode and mask bit of a frame's first two bytes (5.2).
proto::frame_header first_two(std::uint8_t b0, std::uint8_t b1) {
    proto::frame_header h;
    h.fin = (b0 & 0x80u) != 0;
    h.rsv1 = (b0 & 0x40u) != 0;
    h.rsv2 = (b0 & 0x20u) != 0;
    h.rsv3 = (b0 & 0x10u) != 0;
    h.op = static_cast<proto::opcode>(b0 & 0x0Fu);
    h.masked = (b1 & 0x80u) != 0;
    return h;
}

/// Decodes the header of the frame starting at `at` (5.2) into `f` (payload left empty) and
/// returns its size; 0 when the bytes end inside the header.
std::size_t header_at(std::span<const std::uint8_t> b, std::size_t at, wire_frame& f) {
    const std::size_t left = b.size() - at;
    if (left < 2) {
        return 0;
    }
    f.header = first_two(b[at], b[at + 1]);
    const unsigned len7 = b[at + 1] & 0x7Fu;
    // 5.2: 126 announces a 16-bit length, 127 a 64-bit one.
    const std::size_t extended = len7 == 126 ? 2 : len7 == 127 ? 8 : 0;
    const std::size_t header_size = 2 + extended + (f.header.masked ? 4 : 0);
    if (left < header_size) {
        return 0;
    }
    std::uint64_t length = len7;
    if (extended > 0) {
        length = 0;
        for (std::size_t i = 0; i < extended; ++i) {
            length = (length << 8) | b[at + 2 + i];
        }
    }
    f.encoding = len7 == 126 && length < 126      ? proto::length_encoding::force_16
                 : len7 == 127 && length <= 0xFFFF ? proto::length_encoding::force_64
                                                   : proto::length_encoding::minimal;
    f.header.length = length;
    if (f.header.masked) {
        std::copy_n(b.begin() + static_cast<std::ptrdiff_t>(at + 2 + extended), 4, f.header.key.begin());
    }
    return header_size;
}

/// Decodes the frame starting at `at`; nullopt when the bytes end before its last byte.
std::optional<wire_frame> frame_at(std::span<const std::uint8_t> b, std::size_t& at) {
    wire_frame f;
    const std::size_t header_size = header_at(b, at, f);
    if (header_size == 0 || f.header.length > b.size() - at - header_size) {
        return std::nullopt; // a length that runs past the end (a lie, or a frame cut short)
    }
    const auto from = b.begin() + static_cast<std::ptrdiff_t>(at + header_size);
    f.payload.assign(from, from + static_cast<std::ptrdiff_t>(f.header.length));
    at += header_size + f.payload.size();
    return f;
}

void append_frame(std::vector<std::uint8_t>& out, const wire_frame& f) {
    std::array<std::uint8_t, proto::max_header_size> header{};
    const std::size_t n = proto::encode_header(f.header, header, f.encoding);
    out.insert(out.end(), header.begin(), header.begin() + static_cast<std::ptrdiff_t>(n));
    out.insert(out.end(), f.payload.begin(), f.payload.end());
}

/// The opcode and the flags out of the ordinary.
std::string header_token(const proto::frame_header& h) {
    std::string t{proto::to_string(h.op)};
    t += h.rsv1 ? "+rsv1" : "";
    t += h.rsv2 ? "+rsv2" : "";
    t += h.rsv3 ? "+rsv3" : "";
    t += h.masked ? "" : "+unmasked"; // 5.1: a client masks every frame
    t += h.fin ? "" : "+nofin";       // a fragment (5.4), or a fragmented control frame (5.5)
    return t;
}

std::string frame_token(const wire_frame& f) {
    const auto& h = f.header;
    std::string t = header_token(h);
    t += f.encoding != proto::length_encoding::minimal ? "+longlen" : "";
    if (proto::is_control(h.op)) {
        if (h.length > proto::max_control_payload) {
            t += "+len>125";
        } else if (h.op == proto::opcode::close && h.length == 1) {
            t += "+len1";
        }
    }
    return t;
}

std::vector<std::string_view> tokens(std::string_view s) {
    std::vector<std::string_view> out;
    while (!s.empty()) {
        const auto space = s.find(' ');
        const auto token = s.substr(0, space);
        if (!token.empty()) {
            out.push_back(token);
        }
        if (space == std::string_view::npos) {
            break;
        }
        s.remove_prefix(space + 1);
    }
    return out;
}

} // namespace

std::vector<std::uint8_t> framed_input::bytes() const {
    std::vector<std::uint8_t> out = head;
    for (const auto& f : frames) {
        append_frame(out, f);
    }
    out.insert(out.end(), rest.begin(), rest.end());
    return out;
}

framed_input split_input(std::span<const std::uint8_t> bytes) {
    framed_input out;
    proto::http_parser parser{proto::http_parser::kind::request};
    std::size_t used = 0;
    const auto st = parser.feed(bytes, used);
    if (st != proto::http_parser::status::done) {
        out.head.assign(bytes.begin(), bytes.end());
        out.head_problem = st == proto::http_parser::status::error ? std::string{parser.error_detail()}
                                                                    : "the head does not end";
        return out;
    }
    out.head.assign(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(used));
    proto::accepted_request accepted;
    if (const auto ec = proto::check_request(parser.head(), accepted)) {
        out.head_state = framed_input::head_status::refused;
        out.head_problem = ec.message();
    } else {
        out.head_state = framed_input::head_status::accepted;
    }
    std::size_t at = used;
    while (at < bytes.size()) {
        auto f = frame_at(bytes, at);
        if (!f) {
            break;
        }
        out.frames.push_back(std::move(*f));
    }
    out.rest.assign(bytes.begin() + static_cast<std::ptrdiff_t>(at), bytes.end());
    return out;
}

std::optional<wire_frame> completed_rest(const framed_input& in) {
    wire_frame f;
    const std::size_t header_size = header_at(in.rest, 0, f);
    if (header_size == 0) {
        return std::nullopt;
    }
    f.payload.assign(in.rest.begin() + static_cast<std::ptrdiff_t>(header_size), in.rest.end());
    f.header.length = f.payload.size();
    return f;
}

std::vector<std::uint8_t> concatenated(const fuzz_input& in) {
    std::vector<std::uint8_t> out;
    out.reserve(in.total_bytes());
    for (const auto& w : in.writes) {
        out.insert(out.end(), w.bytes.begin(), w.bytes.end());
    }
    return out;
}

std::string shape_of(const framed_input& in) {
    using hs = framed_input::head_status;
    std::string s = in.head_state == hs::accepted ? "request" : in.head_state == hs::refused ? "bad-request" : "bad-head";
    for (const auto& f : in.frames) {
        s += " " + frame_token(f);
    }
    // A frame cut short still has its first byte and often its second: what a server acting
    // on the header alone (before the payload arrives) looks at.
    if (in.rest.size() >= 2) {
        s += " " + header_token(first_two(in.rest[0], in.rest[1])) + "+partial";
    } else if (!in.rest.empty()) {
        s += " partial";
    }
    return s;
}

std::string input_shape(const fuzz_input& in) {
    return shape_of(split_input(concatenated(in)));
}

bool shape_contains(std::string_view whole, std::string_view part) {
    const auto w = tokens(whole);
    // A frame cut short in `whole` stands for the same frame whole: a lying length is a common
    // mutation, and shrinking makes such a frame whole (its length fixed).
    const auto matches = [](std::string_view wt, std::string_view pt) {
        constexpr std::string_view cut = "+partial";
        return wt == pt || (wt.size() == pt.size() + cut.size() && wt.substr(0, pt.size()) == pt &&
                            wt.substr(pt.size()) == cut);
    };
    std::size_t i = 0;
    for (const auto t : tokens(part)) {
        while (i < w.size() && !matches(w[i], t)) {
            ++i;
        }
        if (i == w.size()) {
            return false;
        }
        ++i;
    }
    return true;
}

} // namespace wscheck::fuzz
