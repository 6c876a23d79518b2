#include "fuzz/live/generator.hpp"

#include "fuzz/live/deflate_traffic.hpp"
#include "fuzz/live/rng.hpp"
#include "harness/proto/handshake.hpp"
#include "harness/runner/frame_writer.hpp"

#include <algorithm>
#include <array>
#include <iterator>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

namespace wscheck::fuzz {

namespace {

using bytes = std::vector<std::uint8_t>;
using proto::opcode;

template <typename T, std::size_t N>
const T& pick(rng& r, const std::array<T, N>& from) {
    return from[r.below(N)];
}

void append(bytes& out, std::string_view s) {
    out.insert(out.end(), s.begin(), s.end());
}

// ---------------------------------------------------------------- payloads and frames

// Sizes around the length encodings of 5.2 (7-bit, 16-bit, 64-bit) and the control frame
// limit of 5.5; the big ones are rare, they cost time to send.
constexpr std::array<std::size_t, 14> boundary_sizes{0, 1, 2, 3, 4, 123, 124, 125, 126, 127, 128, 255, 256, 1024};
constexpr std::array<std::size_t, 3> big_sizes{65535, 65536, 70000};
// Bytes that often mean something: NUL, ASCII edges, UTF-8 lead, continuation and invalid
// bytes (RFC 3629), and the 0x7E/0x7F length markers.
constexpr std::array<std::uint8_t, 12> interesting_bytes{0x00, 0x01, 0x7E, 0x7F, 0x80, 0xBF, 0xC0,
                                                         0xC2, 0xED, 0xF4, 0xF5, 0xFF};

std::size_t payload_size(rng& r) {
    const auto roll = r.below(100);
    if (roll < 40) {
        return r.below(17);
    }
    if (roll < 70) {
        return pick(r, boundary_sizes);
    }
    if (roll < 97) {
        return r.below(301);
    }
    return pick(r, big_sizes);
}

bytes make_payload(rng& r, std::size_t n) {
    bytes p(n);
    const auto kind = r.below(10);
    for (auto& b : p) {
        if (kind < 4) { // ASCII text
            b = static_cast<std::uint8_t>(0x20 + r.below(0x5F));
        } else if (kind < 6) { // mostly interesting bytes
            b = r.chance(70) ? pick(r, interesting_bytes) : r.byte();
        } else {
            b = r.byte();
        }
    }
    // A first byte with a meaning of its own, often (a ping's or a message's first byte).
    if (!p.empty() && r.chance(25)) {
        p[0] = pick(r, interesting_bytes);
    }
    return p;
}

// Close codes of 7.4: valid, reserved-never-sent, unassigned, private use, out of range.
constexpr std::array<std::uint16_t, 15> close_codes{1000, 1001, 1002, 1003, 999,  1004, 1005, 1006,
                                                    1015, 1016, 2999, 3000, 4999, 5000, 65535};

bytes close_payload(rng& r) {
    const auto roll = r.below(10);
    if (roll == 0) {
        return {};
    }
    if (roll == 1) { // 5.5.1: a 1-byte body cannot hold a code
        return {r.byte()};
    }
    const std::uint16_t code = pick(r, close_codes);
    bytes p{static_cast<std::uint8_t>(code >> 8), static_cast<std::uint8_t>(code & 0xFF)};
    const bytes reason = make_payload(r, r.chance(10) ? 124 : r.below(12));
    p.insert(p.end(), reason.begin(), reason.end());
    return p;
}

opcode any_opcode(rng& r) {
    constexpr std::array<opcode, 6> defined{opcode::text, opcode::binary, opcode::cont,
                                            opcode::ping, opcode::pong, opcode::close};
    return r.chance(70) ? pick(r, defined) : static_cast<opcode>(r.below(16));
}

/// A frame with random flags: FIN, RSV bits, mask, lying length, non-minimal encoding.
bytes random_frame(rng& r, opcode op, bytes payload) {
    runner::frame_spec spec;
    spec.op = op;
    spec.fin = r.chance(80);
    spec.rsv = r.chance(85) ? 0 : static_cast<std::uint8_t>(r.between(1, 7));
    spec.masked = r.chance(93);
    spec.key = proto::mask_key{r.byte(), r.byte(), r.byte(), r.byte()};
    if (r.chance(10)) {
        // 5.2: a length that lies, by a little or beyond anything (2^63 - 1, MSB set).
        constexpr std::array<std::uint64_t, 6> lies{0, 126, 65536, 0x7FFF'FFFF'FFFF'FFFFull,
                                                    0xFFFF'FFFF'FFFF'FFFFull, 0x1'0000'0000ull};
        spec.declared_length = r.chance(50) ? payload.size() + r.between(1, 3) : pick(r, lies);
        if (payload.size() > 3 && r.chance(30)) {
            spec.declared_length = payload.size() - r.between(1, 3);
        }
    }
    if (r.chance(8)) {
        spec.encoding = r.chance(50) ? proto::length_encoding::force_16 : proto::length_encoding::force_64;
    }
    return runner::write_frame(spec, payload, proto::role::client).bytes;
}

/// A well-formed masked frame (the skeleton the fragment strategy mutates around).
bytes clean_frame(rng& r, opcode op, bool fin, std::span<const std::uint8_t> payload) {
    runner::frame_spec spec;
    spec.op = op;
    spec.fin = fin;
    spec.key = proto::mask_key{r.byte(), r.byte(), r.byte(), r.byte()};
    return runner::write_frame(spec, payload, proto::role::client).bytes;
}

bytes control_frame(rng& r) {
    const auto roll = r.below(10);
    if (roll < 4) {
        return clean_frame(r, opcode::ping, true, make_payload(r, r.chance(10) ? 126 : r.below(20)));
    }
    if (roll < 6) {
        return clean_frame(r, opcode::pong, true, make_payload(r, r.below(20)));
    }
    if (roll < 7) {
        return clean_frame(r, opcode::close, true, close_payload(r));
    }
    if (roll < 8) { // 5.5: control frames must not be fragmented
        return clean_frame(r, opcode::ping, false, make_payload(r, r.below(8)));
    }
    return random_frame(r, static_cast<opcode>(r.between(8, 15)), make_payload(r, r.below(10)));
}

// ---------------------------------------------------------------- strategies

bytes frames_strategy(rng& r, const std::string& request) {
    bytes out;
    append(out, request);
    const std::size_t n = r.between(1, 6);
    for (std::size_t i = 0; i < n && out.size() < max_input_bytes; ++i) {
        const opcode op = any_opcode(r);
        bytes payload = op == opcode::close && r.chance(70) ? close_payload(r) : make_payload(r, payload_size(r));
        const bytes f = random_frame(r, op, std::move(payload));
        out.insert(out.end(), f.begin(), f.end());
    }
    return out;
}

bytes fragments_strategy(rng& r, const std::string& request) {
    bytes out;
    append(out, request);
    const opcode op = r.chance(50) ? opcode::text : opcode::binary;
    const std::size_t pieces = r.between(2, 6);
    for (std::size_t i = 0; i < pieces; ++i) {
        while (r.chance(35)) {
            const bytes c = control_frame(r);
            out.insert(out.end(), c.begin(), c.end());
        }
        // 5.4: continuations after the first fragment; sometimes not (a new message inside
        // the message, a continuation first), sometimes with RSV bits.
        opcode this_op = i == 0 ? op : opcode::cont;
        if (r.chance(8)) {
            this_op = i == 0 ? opcode::cont : op;
        }
        const bytes payload = make_payload(r, r.chance(80) ? r.below(32) : payload_size(r));
        const bytes f = r.chance(12) ? random_frame(r, this_op, payload)
                                     : clean_frame(r, this_op, i + 1 == pieces, payload);
        out.insert(out.end(), f.begin(), f.end());
    }
    if (r.chance(30)) {
        const bytes c = clean_frame(r, opcode::close, true, close_payload(r));
        out.insert(out.end(), c.begin(), c.end());
    }
    return out;
}

// Lines of a request, without their line ends.
std::vector<std::string> split_lines(const std::string& request) {
    std::vector<std::string> lines;
    std::size_t at = 0;
    while (at < request.size()) {
        const auto end = request.find("\r\n", at);
        if (end == std::string::npos || end == at) {
            break;
        }
        lines.push_back(request.substr(at, end - at));
        at = end + 2;
    }
    return lines;
}

bytes handshake_strategy(rng& r, const std::string& request) {
    auto lines = split_lines(request);
    constexpr std::array<std::string_view, 12> odd_values{"", "websocket", "Upgrade", "13", "8", "14",
                                                          "keep-alive, Upgrade", "websocket, h2c",
                                                          "\x01\x7f", "dGhlIHNhbXBsZSBub25jZQ",
                                                          "  13  ", "permessage-deflate; x=\"\""};
    constexpr std::array<std::string_view, 6> methods{"POST", "get", "GET GET", "", "CONNECT", "OPTIONS"};
    constexpr std::array<std::string_view, 5> versions{"HTTP/1.0", "HTTP/2", "HTTP/1.1x", "http/1.1", "HTTP/9.9"};
    std::string eol = "\r\n";
    std::size_t cut = std::string::npos;
    const std::size_t ops = r.between(1, 3);
    for (std::size_t i = 0; i < ops && !lines.empty(); ++i) {
        const std::size_t at = r.below(lines.size());
        switch (r.below(11)) {
        case 0: { // a byte changed
            auto& l = lines[at];
            if (!l.empty()) {
                l[r.below(l.size())] = static_cast<char>(r.chance(50) ? r.byte() : pick(r, interesting_bytes));
            }
            break;
        }
        case 1:
            lines.erase(lines.begin() + static_cast<std::ptrdiff_t>(at));
            break;
        case 2:
            lines.insert(lines.begin() + static_cast<std::ptrdiff_t>(at), lines[at]);
            break;
        case 3: { // a field's value swapped for an odd one
            if (at > 0) {
                const auto colon = lines[at].find(':');
                if (colon != std::string::npos) {
                    lines[at] = lines[at].substr(0, colon + 1) + " " + std::string{pick(r, odd_values)};
                }
            }
            break;
        }
        case 4: { // the method
            const auto sp = lines[0].find(' ');
            lines[0] = std::string{pick(r, methods)} + (sp == std::string::npos ? "" : lines[0].substr(sp));
            break;
        }
        case 5: { // the version
            const auto sp = lines[0].rfind(' ');
            lines[0] = (sp == std::string::npos ? lines[0] : lines[0].substr(0, sp)) + " " +
                       std::string{pick(r, versions)};
            break;
        }
        case 6: { // a field of random bytes
            std::string value;
            const std::size_t n = r.below(40);
            for (std::size_t k = 0; k < n; ++k) {
                value.push_back(static_cast<char>(r.byte()));
            }
            lines.insert(lines.begin() + static_cast<std::ptrdiff_t>(std::max<std::size_t>(at, 1)),
                         "X-Fuzz-" + std::to_string(i) + ": " + value);
            break;
        }
        case 7: // RFC 9112 2.2: bare LF line ends
            eol = "\n";
            break;
        case 8: // a cut head
            cut = r.below(request.size());
            break;
        case 9: // a long value (servers cap the head; 8 KiB is under common caps)
            lines.insert(lines.begin() + static_cast<std::ptrdiff_t>(std::max<std::size_t>(at, 1)),
                         "X-Long: " + std::string(r.chance(50) ? 8000 : 20000, 'a'));
            break;
        default: // RFC 9112 5.2: obs-fold
            lines.insert(lines.begin() + static_cast<std::ptrdiff_t>(std::max<std::size_t>(at, 1)), " folded");
            break;
        }
    }
    std::string head;
    for (const auto& l : lines) {
        head += l + eol;
    }
    head += eol;
    if (cut < head.size()) {
        head.resize(cut);
    }
    bytes out;
    append(out, head);
    if (r.chance(60)) {
        const bytes f = clean_frame(r, opcode::text, true, make_payload(r, r.below(16)));
        out.insert(out.end(), f.begin(), f.end());
    }
    return out;
}

bytes case_strategy(rng& r, const case_seed& seed, std::size_t request_size) {
    bytes out = seed.bytes;
    // Most mutations leave the handshake alone, so that they reach the frames.
    const std::size_t from = r.chance(85) ? std::min(request_size, out.size()) : 0;
    const std::size_t ops = r.between(1, 4);
    for (std::size_t i = 0; i < ops; ++i) {
        const std::size_t span = out.size() - from;
        if (span == 0) {
            break;
        }
        const std::size_t at = from + r.below(span);
        const auto pos = out.begin() + static_cast<std::ptrdiff_t>(at);
        switch (r.below(7)) {
        case 0:
            out[at] = static_cast<std::uint8_t>(out[at] ^ (1u << r.below(8)));
            break;
        case 1:
            out[at] = pick(r, interesting_bytes);
            break;
        case 2:
            out.erase(pos, pos + static_cast<std::ptrdiff_t>(std::min(r.between(1, 16), out.size() - at)));
            break;
        case 3: {
            const bytes extra = make_payload(r, r.between(1, 16));
            out.insert(pos, extra.begin(), extra.end());
            break;
        }
        case 4: { // a span doubled
            const std::size_t n = std::min(r.between(1, 64), out.size() - at);
            const bytes copy(pos, pos + static_cast<std::ptrdiff_t>(n));
            out.insert(out.begin() + static_cast<std::ptrdiff_t>(at + n), copy.begin(), copy.end());
            break;
        }
        case 5: { // a random frame spliced in
            const opcode op = any_opcode(r);
            const bytes f = random_frame(r, op, make_payload(r, r.below(20)));
            out.insert(pos, f.begin(), f.end());
            break;
        }
        default:
            out.resize(at);
            break;
        }
        if (out.size() > max_input_bytes) {
            out.resize(max_input_bytes);
        }
    }
    return out;
}

/// Splits `all` into up to 6 writes at random points, with pauses of up to 20 ms before some.
std::vector<timed_write> tear(rng& r, bytes all) {
    std::vector<timed_write> writes;
    const std::size_t pieces = r.chance(40) ? 1 : r.between(2, 6);
    std::vector<std::size_t> cuts;
    for (std::size_t i = 1; i < pieces && all.size() > 1; ++i) {
        cuts.push_back(r.between(1, all.size() - 1));
    }
    std::sort(cuts.begin(), cuts.end());
    cuts.erase(std::unique(cuts.begin(), cuts.end()), cuts.end());
    std::size_t at = 0;
    cuts.push_back(all.size());
    for (const std::size_t c : cuts) {
        timed_write w;
        if (!writes.empty() && r.chance(40)) {
            w.pause = std::chrono::milliseconds{r.between(1, 20)};
        }
        w.bytes.assign(all.begin() + static_cast<std::ptrdiff_t>(at), all.begin() + static_cast<std::ptrdiff_t>(c));
        writes.push_back(std::move(w));
        at = c;
    }
    return writes;
}

/// The valid opening handshake request of every input, with the fuzzer's fixed key.
std::string valid_request(const std::string& host, const std::string& target, std::string extensions = {}) {
    proto::client_request req;
    req.host = host;
    req.target = target;
    req.key = std::string{fuzz_key};
    req.extensions = std::move(extensions);
    return proto::build_request(req);
}

} // namespace

input_generator::input_generator(std::uint64_t run_seed, std::string host, std::string target,
                                 std::span<const case_seed> seeds, bool deflate)
    : run_seed_(run_seed), host_(std::move(host)), target_(std::move(target)),
      request_(valid_request(host_, target_)), seeds_(seeds), deflate_(deflate) {}

fuzz_input input_generator::make(std::uint64_t index) const {
    // Each strategy's share of the inputs, as cumulative percentages.
    enum class kind { handshake, frames, fragments, case_seed, deflate };
    struct share {
        kind strategy;
        std::size_t below;
    };
    static constexpr std::array<share, 4> plain{
        {{kind::handshake, 15}, {kind::frames, 45}, {kind::fragments, 70}, {kind::case_seed, 100}}};
    static constexpr std::array<share, 5> with_deflate{{{kind::handshake, 10},
                                                        {kind::frames, 25},
                                                        {kind::case_seed, 35},
                                                        {kind::fragments, 45},
                                                        {kind::deflate, 100}}};

    rng r{input_seed(run_seed_, index)};
    std::optional<deflate_plan> plan;
    std::string deflate_request;
    if (deflate_) {
        plan = deflate_plan_for(index);
        deflate_request = valid_request(host_, target_, deflate_offer_value(r, *plan));
    }
    const std::string& request = deflate_ ? deflate_request : request_;
    const std::span<const share> shares = deflate_ ? std::span<const share>{with_deflate} : std::span<const share>{plain};
    const auto roll = r.below(100);
    kind strategy = std::find_if(shares.begin(), shares.end(), [roll](const share& s) { return roll < s.below; })->strategy;
    if (strategy == kind::case_seed && seeds_.empty()) {
        strategy = kind::frames;
    }

    fuzz_input in;
    in.index = index;
    bytes all;
    switch (strategy) {
    case kind::handshake:
        in.strategy = "handshake";
        all = handshake_strategy(r, request);
        break;
    case kind::frames:
        in.strategy = "frames";
        all = frames_strategy(r, request);
        break;
    case kind::fragments:
        in.strategy = "fragments";
        all = fragments_strategy(r, request);
        break;
    case kind::case_seed: {
        const case_seed& seed = seeds_[r.below(seeds_.size())];
        in.strategy = "case " + seed.case_id;
        all = case_strategy(r, seed, request_.size());
        break;
    }
    case kind::deflate:
        in.strategy = "deflate";
        all = deflate_strategy(r, *plan, request);
        break;
    }
    in.writes = tear(r, std::move(all));
    return in;
}

} // namespace wscheck::fuzz
