#include "fuzz/live/deflate_traffic.hpp"

#include "cases/builders.hpp"
#include "fuzz/live/generator.hpp"
#include "harness/proto/deflate_stream.hpp"
#include "harness/runner/frame_writer.hpp"

#include <algorithm>
#include <array>
#include <optional>
#include <span>
#include <string_view>

namespace wscheck::fuzz {

namespace {

using bytes = std::vector<std::uint8_t>;
using proto::opcode;

constexpr std::array<std::uint8_t, 4> sync_tail{0x00, 0x00, 0xff, 0xff};
// What a DEFLATE decoder remembers at most (RFC 1951 3.2.5: distances up to 32768).
constexpr std::size_t max_history = 32 * 1024;

void append(bytes& out, std::span<const std::uint8_t> more) {
    out.insert(out.end(), more.begin(), more.end());
}

bytes random_bytes(rng& r, std::size_t n) {
    bytes b(n);
    for (auto& x : b) {
        x = r.byte();
    }
    return b;
}

// ---------------------------------------------------------------- what is compressed

/// Something to compress: text that compresses as text does, runs that compress a thousand
/// to one, random bytes that do not compress, and text that is not UTF-8.
bytes plain_message(rng& r, opcode& op) {
    static constexpr std::array<std::string_view, 8> words{"the ", "websocket ", "frame ", "deflate ",
                                                           "window ", "é ", "€uro ", "\xF0\x9F\x98\x80 "};
    bytes p;
    op = opcode::text;
    const auto roll = r.below(100);
    if (roll < 20) { // short ASCII
        for (std::size_t i = r.below(64); i > 0; --i) {
            p.push_back(static_cast<std::uint8_t>(0x20 + r.below(0x5F)));
        }
    } else if (roll < 45) { // words, with repeats for LZ77 to find
        const std::size_t n = r.chance(80) ? r.between(5, 200) : r.between(200, 2000);
        for (std::size_t i = 0; i < n; ++i) {
            const auto w = words[r.below(words.size())];
            p.insert(p.end(), w.begin(), w.end());
        }
    } else if (roll < 70) { // a run or a short pattern repeated: a high inflate ratio
        op = r.chance(50) ? opcode::binary : opcode::text;
        bytes pattern(r.between(1, 8));
        for (auto& b : pattern) {
            b = op == opcode::text ? static_cast<std::uint8_t>(0x20 + r.below(0x5F)) : r.byte();
        }
        const std::size_t n = r.chance(70) ? r.between(100, 4096) : r.between(4096, 64 * 1024);
        for (std::size_t i = 0; i < n; ++i) {
            p.push_back(pattern[i % pattern.size()]);
        }
    } else if (roll < 85) { // random bytes
        p = random_bytes(r, r.below(2048));
        op = opcode::binary;
    } else if (roll < 90) { // text with a byte that breaks UTF-8 (RFC 6455 8.1, after inflating)
        for (std::size_t i = r.between(1, 40); i > 0; --i) {
            p.push_back(static_cast<std::uint8_t>('a' + r.below(26)));
        }
        constexpr std::array<std::uint8_t, 5> bad{0xC0, 0xED, 0xF5, 0xFF, 0x80};
        p.insert(p.begin() + static_cast<std::ptrdiff_t>(r.below(p.size())), bad[r.below(bad.size())]);
    } else { // empty: compressed, the single byte 0x00
        op = r.chance(50) ? opcode::binary : opcode::text;
    }
    return p;
}

/// A message whose second copy of a chunk lies further back than 2^window bytes: only a
/// compressor with a larger window can refer to it.
bytes far_repeat(rng& r, std::uint8_t window) {
    const bytes chunk = random_bytes(r, 300);
    bytes p = chunk;
    append(p, random_bytes(r, (std::size_t{1} << window) + r.below(200)));
    append(p, chunk);
    return p;
}

// ---------------------------------------------------------------- frames

/// One masked frame from the client. `rsv` as frame_spec's (4 = RSV1).
void put_frame(rng& r, bytes& out, opcode op, bool fin, std::uint8_t rsv, std::span<const std::uint8_t> payload,
               std::optional<std::uint64_t> declared = {}) {
    runner::frame_spec spec;
    spec.op = op;
    spec.fin = fin;
    spec.rsv = rsv;
    spec.masked = true;
    spec.key = proto::mask_key{r.byte(), r.byte(), r.byte(), r.byte()};
    spec.declared_length = declared;
    runner::append_frame(spec, payload, proto::role::client, out);
}

/// How a message's payload goes out.
struct framing {
    bool rsv1 = true;                     ///< on the first frame (a compressed message)
    bool rsv1_on_continuations = false;   ///< 7.2.3.1 forbids it
    std::size_t pieces = 1;               ///< frames (at most one per byte)
    bool ping_between = false;            ///< a Ping between two fragments (5.4 allows it)
    std::optional<std::uint64_t> lie;     ///< the first frame's declared length
};

void put_message(rng& r, bytes& out, opcode op, std::span<const std::uint8_t> data, const framing& how) {
    const std::size_t pieces = std::clamp<std::size_t>(how.pieces, 1, std::max<std::size_t>(data.size(), 1));
    std::vector<std::size_t> cuts;
    if (pieces == data.size()) {
        for (std::size_t i = 1; i < pieces; ++i) {
            cuts.push_back(i);
        }
    } else {
        for (std::size_t i = 1; i < pieces; ++i) {
            cuts.push_back(r.between(1, data.size() - 1));
        }
        std::sort(cuts.begin(), cuts.end());
    }
    cuts.push_back(data.size());
    std::size_t at = 0;
    for (std::size_t i = 0; i < cuts.size(); ++i) {
        const bool first = i == 0;
        const auto piece = data.subspan(at, cuts[i] - at);
        const std::uint8_t rsv = (first ? how.rsv1 : how.rsv1_on_continuations) ? 4 : 0;
        put_frame(r, out, first ? op : opcode::cont, i + 1 == cuts.size(), rsv, piece,
                  first ? how.lie : std::nullopt);
        if (how.ping_between && i + 1 < cuts.size() && r.chance(50)) {
            put_frame(r, out, opcode::ping, true, 0, random_bytes(r, r.below(8)));
        }
        at = cuts[i];
    }
}

// ---------------------------------------------------------------- compressing and breaking

enum class damage {
    none, rsv1_cleared, rsv1_on_plain, rsv1_on_continuation, rsv1_on_ping, corrupt, truncated, lying_length,
    window_lie, context_lie, tail_kept, tail_doubled, tail_halved, tail_removed_mid, final_block,
    final_block_then_more, empty_stored_flood, bad_stored_length, dynamic_garbage, reserved_block_type, bomb,
    one_byte_frames,
};
constexpr std::size_t damage_count = static_cast<std::size_t>(damage::one_byte_frames) + 1;

damage pick_damage(rng& r) {
    return r.chance(50) ? damage::none : static_cast<damage>(r.between(1, damage_count - 1));
}

/// The compressor of an input's clean messages, and the history the server's decompressor
/// holds (so that a message compressed elsewhere can be followed by clean ones again).
class client_compressor {
public:
    explicit client_compressor(const deflate_plan& plan)
        : plan_(plan), main_(proto::deflater_options{plan.client_window, no_context_takeover()}) {}

    bool no_context_takeover() const { return plan_.offer.client_no_context_takeover; }

    bytes compress(std::span<const std::uint8_t> message) {
        bytes out;
        main_.compress(message, out);
        return out;
    }
    /// A message compressed by another compressor went out: take the context up after it.
    void sent_elsewhere(std::span<const std::uint8_t> message) {
        main_.reset();
        if (!no_context_takeover()) {
            main_.set_dictionary(message.subspan(message.size() - std::min(message.size(), max_history)));
        }
    }

private:
    deflate_plan plan_;
    proto::message_deflater main_;
};

bytes compress_alone(std::span<const std::uint8_t> message, std::uint8_t window,
                     std::span<const std::uint8_t> dictionary = {}) {
    proto::message_deflater d{proto::deflater_options{window, true}};
    if (!dictionary.empty()) {
        d.set_dictionary(dictionary);
    }
    bytes out;
    d.compress(message, out);
    return out;
}

/// An empty stored block after a byte boundary: BFINAL 0, BTYPE 00, padding; LEN 0, NLEN ffff.
constexpr std::array<std::uint8_t, 5> empty_stored_block{0x00, 0x00, 0x00, 0xff, 0xff};

/// Writes one message, broken by `d`, compressing with `cc`.
void put_damaged_message(rng& r, bytes& out, client_compressor& cc, const deflate_plan& plan, damage d) {
    opcode op = opcode::text;
    bytes plain = plain_message(r, op);
    framing how;
    how.pieces = r.chance(65) ? 1 : r.between(2, 4);
    how.ping_between = r.chance(20);
    bytes data;
    switch (d) {
    case damage::rsv1_on_plain:
        how.rsv1 = true;
        put_message(r, out, op, plain, how);
        cc.sent_elsewhere({}); // the server's inflater, if it went on, holds garbage now
        return;
    case damage::rsv1_on_ping:
        plain.resize(std::min<std::size_t>(plain.size(), 125));
        put_frame(r, out, opcode::ping, true, 4, r.chance(50) ? compress_alone(plain, proto::max_window_bits) : plain);
        return;
    case damage::window_lie:
        if (plan.client_window < proto::max_window_bits) {
            plain = far_repeat(r, plan.client_window);
            op = opcode::binary;
            data = compress_alone(plain, proto::max_window_bits);
        } else { // a reference into history the server never saw
            const bytes unseen = random_bytes(r, r.between(300, 2000));
            plain.assign(unseen.begin(), unseen.begin() + static_cast<std::ptrdiff_t>(r.between(10, 300)));
            op = opcode::binary;
            data = compress_alone(plain, proto::max_window_bits, unseen);
        }
        put_message(r, out, op, data, how);
        cc.sent_elsewhere(plain);
        return;
    case damage::context_lie:
        if (cc.no_context_takeover()) { // the same message twice, the second referring into the first
            proto::message_deflater keeps{proto::deflater_options{plan.client_window, false}};
            bytes first;
            bytes second;
            keeps.compress(plain, first);
            keeps.compress(plain, second);
            put_message(r, out, op, first, how);
            put_message(r, out, op, second, how);
            cc.sent_elsewhere(plain);
            return;
        }
        break;
    case damage::bomb: {
        const auto zeros = cases::build::deflated_zeros(std::size_t{1} << r.below(5)); // 1-16 MiB
        data.assign(zeros.view().begin(), zeros.view().end());
        how.pieces = r.chance(50) ? 1 : r.between(2, 64);
        put_message(r, out, opcode::binary, data, how);
        cc.sent_elsewhere(bytes(max_history, 0));
        return;
    }
    case damage::dynamic_garbage:
    case damage::reserved_block_type:
        data = random_bytes(r, r.between(3, 40));
        data.front() = static_cast<std::uint8_t>((d == damage::dynamic_garbage ? 0x04 : 0x06) | r.below(2));
        put_message(r, out, op, data, how);
        cc.sent_elsewhere({});
        return;
    default:
        break;
    }

    data = cc.compress(plain);
    switch (d) {
    case damage::rsv1_cleared:
        how.rsv1 = false;
        break;
    case damage::rsv1_on_continuation:
        how.pieces = std::max<std::size_t>(how.pieces, 2);
        how.rsv1_on_continuations = true;
        break;
    case damage::corrupt:
        for (std::size_t i = r.between(1, 3); i > 0 && !data.empty(); --i) {
            auto& b = data[r.below(data.size())];
            b = r.chance(50) ? static_cast<std::uint8_t>(b ^ (1u << r.below(8))) : r.byte();
        }
        break;
    case damage::truncated:
        data.resize(r.below(data.size()));
        break;
    case damage::lying_length: {
        constexpr std::array<std::uint64_t, 3> huge{1ull << 62, 0x7FFF'FFFF'FFFF'FFFFull, 1ull << 30};
        how.pieces = 1;
        how.lie = r.chance(50) ? huge[r.below(huge.size())]
                               : data.size() + r.between(1, 3) - (r.chance(50) ? std::min<std::size_t>(data.size(), 4) : 0);
        break;
    }
    case damage::tail_kept:
        append(data, sync_tail);
        break;
    case damage::tail_doubled:
        append(data, sync_tail);
        append(data, sync_tail);
        break;
    case damage::tail_halved:
        data.push_back(0x00);
        data.push_back(0x00);
        break;
    case damage::tail_removed_mid: { // a flush inside the message, its 00 00 ff ff dropped
        proto::message_deflater alone{proto::deflater_options{plan.client_window, true}};
        const std::size_t half = plain.size() / 2;
        data.clear();
        alone.write(std::span{plain}.first(half), data, true);
        if (data.size() >= 4) {
            data.resize(data.size() - 4);
        }
        alone.write(std::span{plain}.subspan(half), data);
        alone.finish(data);
        cc.sent_elsewhere(plain);
        break;
    }
    case damage::final_block:
    case damage::final_block_then_more: {
        // The empty stored block completed, then a final stored block (BFINAL 1, BTYPE 00).
        append(data, sync_tail);
        const bytes last = random_bytes(r, r.below(20));
        const auto n = static_cast<std::uint8_t>(last.size());
        append(data, std::array<std::uint8_t, 5>{0x01, n, 0x00, static_cast<std::uint8_t>(~n), 0xff});
        append(data, last);
        if (d == damage::final_block_then_more) {
            append(data, compress_alone(plain_message(r, op), plan.client_window));
        }
        cc.sent_elsewhere({});
        break;
    }
    case damage::empty_stored_flood:
        append(data, sync_tail);
        for (std::size_t i = r.chance(70) ? r.between(1, 200) : r.between(1000, 5000); i > 0; --i) {
            append(data, empty_stored_block);
        }
        data.resize(data.size() - 4); // 7.2.1: the last one's LEN and NLEN are left for the server
        break;
    case damage::bad_stored_length: {
        append(data, sync_tail);
        const auto n = static_cast<std::uint8_t>(r.between(1, 20));
        append(data, std::array<std::uint8_t, 5>{0x00, n, 0x00, static_cast<std::uint8_t>(~n ^ (1u << r.below(8))), 0xff});
        append(data, random_bytes(r, n));
        cc.sent_elsewhere({});
        break;
    }
    case damage::one_byte_frames:
        how.pieces = std::min<std::size_t>(data.size(), 3000);
        how.ping_between = false;
        break;
    default:
        break;
    }
    put_message(r, out, op, data, how);
}

} // namespace

deflate_plan deflate_plan_for(std::uint64_t index) {
    const auto k = static_cast<unsigned>(index % 36);
    deflate_plan p;
    p.offer.client_no_context_takeover = (k & 1u) != 0;
    p.offer.server_no_context_takeover = (k & 2u) != 0;
    if (const unsigned w = k / 4; w > 0) { // 1..8: windows 15 down to 8
        const auto bits = static_cast<std::uint8_t>(proto::max_window_bits + 1 - w);
        p.offer.server_max_window_bits = bits;
        p.offer.client_max_window_bits = true;
        p.offer.client_max_window_bits_value = bits;
        p.client_window = bits;
    }
    return p;
}

std::string deflate_offer_value(rng& r, const deflate_plan& plan) {
    std::string value = proto::format_deflate_offers(std::span{&plan.offer, 1});
    if (!r.chance(10)) {
        return value;
    }
    constexpr std::array<std::string_view, 9> lies{
        "; server_max_window_bits=7", "; server_max_window_bits=16", "; client_max_window_bits=0",
        "; server_no_context_takeover; server_no_context_takeover", "; server_no_context_takeover=1",
        "; server_max_window_bits=\"10\"", "; server_max_window_bits", "; x_window_bits=10",
        "; client_max_window_bits=99999999999999999999"};
    value += lies[r.below(lies.size())];
    return value;
}

std::vector<std::uint8_t> deflate_strategy(rng& r, const deflate_plan& plan, const std::string& request) {
    bytes out(request.begin(), request.end());
    client_compressor cc{plan};
    const std::size_t messages = r.between(1, 5);
    for (std::size_t i = 0; i < messages && out.size() < max_input_bytes; ++i) {
        if (r.chance(10)) { // an uncompressed message (RSV1 clear): allowed, RFC 7692 6
            opcode op = opcode::text;
            const bytes plain = plain_message(r, op);
            put_frame(r, out, op, true, 0, plain);
            continue;
        }
        put_damaged_message(r, out, cc, plan, pick_damage(r));
        if (r.chance(15)) {
            put_frame(r, out, opcode::ping, true, 0, random_bytes(r, r.below(16)));
        }
    }
    if (r.chance(30)) {
        put_frame(r, out, opcode::close, true, 0, std::array<std::uint8_t, 2>{0x03, 0xE8});
    }
    if (out.size() > max_input_bytes) {
        out.resize(max_input_bytes);
    }
    return out;
}

} // namespace wscheck::fuzz
