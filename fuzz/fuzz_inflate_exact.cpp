// Differential: proto::deflate_decoder (message_inflater with exact_window) against zlib given
// one byte of output room per inflate() call (exact_window off, chunk_size 1), the only way
// zlib holds back-references to the window exactly. Both must agree byte for byte:
//   - garbage: the same bytes, split into the same messages and pieces, give after every
//     piece the same output and the same error (or none), and the same again when each
//     message is finished; once failed, both stay failed;
//   - round trip: messages compressed by zlib with parameters from the input (level,
//     memLevel, window, strategy, context takeover, messages ended by a sync flush or by
//     BFINAL) inflate in both to the message, or in both to inflated_too_big exactly when the
//     message is longer than the cap (messages of tens of KiB in the decoder alone, against
//     the plaintext: zlib one byte a call would take all the time);
//   - corrupted round trip: the same messages with a few bits of each compressed payload
//     flipped, read alike as garbage is. Random bytes seldom make a dynamic block header
//     that holds together; flipped bits in zlib's reach every check behind it.
//
// Input: [flags][chunk seed][shape][zlib][repeat][bytes]. flags: bits 0-2 window bits
// (8 + value), bit 3 no context takeover, bits 4-5 the cap (0, 100, 1000, 64 KiB), bit 6
// round trip (the bytes are plaintext) rather than garbage (the bytes are compressed
// payload), bit 7 (round trip) corrupted: 1 to 4 bits flipped per message, where the chunk
// seed and the zlib byte say. The chunk seed splits the bytes into pieces (fuzz_util.hpp),
// and in a round trip the compressed payload too. shape: bits 0-1 pieces per message - 1,
// bit 2 an empty message after each message; round trip only: bit 3 each message ends with
// BFINAL, bits 4-7 zlib's strategy (value % 5: default, filtered, Huffman only, RLE, fixed).
// zlib (round trip): level (value % 10), memLevel (1 + value / 10 % 9). repeat (round
// trip): each piece of plaintext is written 1 + (value % 4) times, or for values 0xfc-0xff
// (not corrupted) 128, 256, 512 or 1024 times, up to 128 KiB of plaintext per input, so that
// messages reach tens of KiB, references cross the decoder's slides of its history, and the
// larger caps are passed. The compressor's window is the window bits, or 9 for 8 (zlib's
// caveat, deflate_stream.hpp), and it resets with the inflaters' context rule.
#include "fuzz/fuzz_util.hpp"
#include "harness/proto/deflate_stream.hpp"
#include "harness/proto/error.hpp"

#include <zlib.h>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <system_error>
#include <vector>

namespace {

using namespace wscheck::proto;
namespace wf = wscheck::fuzz;
using bytes = std::vector<std::uint8_t>;

constexpr std::array<std::uint64_t, 4> caps{0, 100, 1000, 64 * 1024};
constexpr std::size_t max_plaintext = 128 * 1024;

struct params {
    std::uint8_t window_bits = 15;
    bool no_context_takeover = false;
    std::uint64_t cap = 0;
    std::size_t pieces_per_message = 1;
    bool empty_after_each = false;
    bool bfinal = false;
    bool corrupt = false;
    int level = 6;
    int mem_level = 8;
    int strategy = Z_DEFAULT_STRATEGY;
    std::size_t repeat = 1;
};

inflater_options inflater_for(const params& p, bool exact) {
    inflater_options o;
    o.window_bits = p.window_bits;
    o.no_context_takeover = p.no_context_takeover;
    o.max_message_size = p.cap;
    o.exact_window = exact;
    o.chunk_size = 1;
    return o;
}

/// The decoder under test and the reference, fed alike, each with its own output; or the
/// decoder alone (`with_reference` false).
struct pair {
    message_inflater exact;
    message_inflater zlib;
    bytes exact_out;
    bytes zlib_out;
    bool with_reference;

    pair(const params& p, bool reference)
        : exact(inflater_for(p, true)), zlib(inflater_for(p, false)), with_reference(reference) {}

    /// Feeds a piece to both; they must agree. Returns the (common) error.
    WSCHECK_CHECKER std::error_code write(std::span<const std::uint8_t> piece) {
        const std::error_code a = exact.write(piece, exact_out);
        if (with_reference) {
            const std::error_code b = zlib.write(piece, zlib_out);
            WSCHECK_FUZZ_CHECK(a == b);
            WSCHECK_FUZZ_CHECK(exact_out == zlib_out);
            WSCHECK_FUZZ_CHECK(exact.message_size() == zlib.message_size());
        }
        return a;
    }
    WSCHECK_CHECKER std::error_code finish() {
        const std::error_code a = exact.finish(exact_out);
        if (with_reference) {
            const std::error_code b = zlib.finish(zlib_out);
            WSCHECK_FUZZ_CHECK(a == b);
            WSCHECK_FUZZ_CHECK(exact_out == zlib_out);
        }
        return a;
    }
    void clear() {
        exact_out.clear();
        zlib_out.clear();
    }
    /// After an error: both stay failed, whatever comes.
    WSCHECK_CHECKER void check_spent() {
        const std::array<std::uint8_t, 1> more{0};
        WSCHECK_FUZZ_CHECK(exact.write(more, exact_out) == violation::bad_compressed_data);
        WSCHECK_FUZZ_CHECK(exact.finish(exact_out) == violation::bad_compressed_data);
        WSCHECK_FUZZ_CHECK(!with_reference || exact_out == zlib_out);
    }
};

bool is_inflate_error(std::error_code ec) {
    return ec == violation::bad_compressed_data || ec == violation::inflated_too_big;
}

void garbage(const params& p, wf::chunker& split, std::span<const std::uint8_t> in) {
    pair both(p, true);
    std::size_t piece = 0;
    while (!in.empty()) {
        const std::size_t n = split.next(in.size());
        std::error_code ec = both.write(in.first(n));
        in = in.subspan(n);
        if (!ec && (++piece % p.pieces_per_message == 0 || in.empty())) {
            ec = both.finish();
            if (!ec && p.empty_after_each) {
                ec = both.finish(); // a message with an empty payload, which changes nothing
            }
            if (!ec) {
                WSCHECK_FUZZ_CHECK(both.exact_out.size() <= p.cap);
                both.clear();
            }
        }
        WSCHECK_FUZZ_CHECK(both.exact_out.size() <= p.cap + 1);
        if (ec) {
            WSCHECK_FUZZ_CHECK(is_inflate_error(ec));
            both.check_spent();
            return;
        }
    }
}

/// zlib's raw deflate with the input's parameters, messages ended as permessage-deflate ends
/// them (7.2.1), or with BFINAL (7.2.3.4).
class compressor {
public:
    explicit compressor(const params& p)
        : window_bits_(std::max(9, int{p.window_bits})), no_context_takeover_(p.no_context_takeover) {
        ok_ = deflateInit2(&s_, p.level, Z_DEFLATED, -window_bits_, p.mem_level, p.strategy) == Z_OK;
    }
    ~compressor() {
        if (ok_) {
            deflateEnd(&s_);
        }
    }
    compressor(const compressor&) = delete;
    compressor& operator=(const compressor&) = delete;
    bool ok() const noexcept { return ok_; }

    void write(std::span<const std::uint8_t> piece, bytes& out) {
        history_.insert(history_.end(), piece.begin(), piece.end());
        run(piece, Z_NO_FLUSH, out);
    }
    void finish(bool bfinal, bytes& out) {
        const std::size_t before = out.size();
        if (bfinal) {
            run({}, Z_FINISH, out);
            // A new stream for the next message, which may refer back into this one's
            // window when the context is taken over.
            deflateReset(&s_);
            const std::size_t window = std::size_t{1} << window_bits_;
            if (!no_context_takeover_ && !history_.empty()) {
                const std::size_t keep = std::min(history_.size(), window);
                deflateSetDictionary(&s_, history_.data() + history_.size() - keep, static_cast<uInt>(keep));
            }
        } else {
            run({}, Z_SYNC_FLUSH, out);
            if (out.size() == before) {
                out.push_back(0x00); // a flush right after a flush writes nothing: the empty stored block
            } else {
                out.resize(out.size() - 4); // 00 00 ff ff (7.2.1)
            }
            if (no_context_takeover_) {
                deflateReset(&s_);
            }
        }
        if (no_context_takeover_) {
            history_.clear();
        }
    }

private:
    void run(std::span<const std::uint8_t> in, int flush, bytes& out) {
        std::array<std::uint8_t, 4096> room{};
        s_.next_in = const_cast<Bytef*>(in.data());
        s_.avail_in = static_cast<uInt>(in.size());
        for (;;) {
            s_.next_out = room.data();
            s_.avail_out = static_cast<uInt>(room.size());
            const int rc = ::deflate(&s_, flush);
            out.insert(out.end(), room.data(), room.data() + (room.size() - s_.avail_out));
            if (rc != Z_OK || (s_.avail_in == 0 && s_.avail_out != 0)) {
                break;
            }
        }
    }

    z_stream s_{};
    int window_bits_;
    bool no_context_takeover_;
    bool ok_ = false;
    bytes history_;
};

/// Where the bits to flip are: a xorshift generator.
class bit_picker {
public:
    explicit bit_picker(std::uint32_t seed) noexcept : state_(seed | 1u) {}
    std::uint32_t next() noexcept {
        state_ ^= state_ << 13;
        state_ ^= state_ >> 17;
        state_ ^= state_ << 5;
        return state_;
    }

private:
    std::uint32_t state_;
};

void round_trip(const params& p, wf::chunker& split, std::span<const std::uint8_t> in, std::uint32_t seed) {
    compressor deflater(p);
    if (!deflater.ok()) {
        return;
    }
    pair both(p, p.repeat <= 4);
    bit_picker flips(seed);
    bytes message;
    bytes compressed;
    std::size_t plaintext = 0;
    while (!in.empty() && plaintext < max_plaintext) {
        message.clear();
        compressed.clear();
        for (std::size_t i = 0; i < p.pieces_per_message && !in.empty(); ++i) {
            const std::size_t n = split.next(in.size());
            for (std::size_t r = 0; r < p.repeat; ++r) {
                message.insert(message.end(), in.begin(), in.begin() + static_cast<std::ptrdiff_t>(n));
                deflater.write(in.first(n), compressed);
            }
            in = in.subspan(n);
        }
        deflater.finish(p.bfinal, compressed);
        plaintext += message.size();
        if (p.corrupt) {
            for (std::uint32_t n = 1 + flips.next() % 4; n > 0; --n) {
                const std::uint32_t bit = flips.next() % static_cast<std::uint32_t>(compressed.size() * 8);
                compressed[bit / 8] = static_cast<std::uint8_t>(compressed[bit / 8] ^ (1u << (bit % 8)));
            }
        }
        // The compressed payload in pieces of its own.
        both.clear();
        std::error_code ec;
        for (std::span<const std::uint8_t> c{compressed}; !c.empty() && !ec;) {
            const std::size_t n = split.next(c.size());
            ec = both.write(c.first(n));
            c = c.subspan(n);
        }
        if (!ec) {
            ec = both.finish();
        }
        if (p.corrupt) {
            // Nothing to expect but agreement, which pair checked.
            if (ec) {
                WSCHECK_FUZZ_CHECK(is_inflate_error(ec));
                both.check_spent();
                return;
            }
            continue;
        }
        if (message.size() > p.cap) {
            WSCHECK_FUZZ_CHECK(ec == violation::inflated_too_big);
            WSCHECK_FUZZ_CHECK(both.exact_out.size() == p.cap + 1);
            WSCHECK_FUZZ_CHECK(std::equal(both.exact_out.begin(), both.exact_out.end(), message.begin()));
            return;
        }
        WSCHECK_FUZZ_CHECK(!ec);
        WSCHECK_FUZZ_CHECK(both.exact_out == message);
        if (p.empty_after_each) {
            both.clear();
            WSCHECK_FUZZ_CHECK(!both.finish() && both.exact_out.empty());
        }
    }
}

int strategy_of(unsigned value) {
    constexpr std::array<int, 5> strategies{Z_DEFAULT_STRATEGY, Z_FILTERED, Z_HUFFMAN_ONLY, Z_RLE, Z_FIXED};
    return strategies[value % strategies.size()];
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const wf::option_bytes input(data, size, 5);
    const std::uint8_t flags = input[0];
    const std::uint8_t shape = input[2];
    const std::uint8_t zlib = input[3];
    params p;
    p.window_bits = static_cast<std::uint8_t>(min_window_bits + (flags & 7u));
    p.no_context_takeover = (flags & 8u) != 0;
    p.cap = caps[(flags >> 4) & 3u];
    p.pieces_per_message = 1 + (shape & 3u);
    p.empty_after_each = (shape & 4u) != 0;
    p.bfinal = (shape & 8u) != 0;
    p.corrupt = (flags & 0x80u) != 0;
    p.level = zlib % 10;
    p.mem_level = 1 + (zlib / 10) % 9;
    p.strategy = strategy_of(shape >> 4);
    const std::uint8_t repeat = input[4];
    p.repeat = repeat >= 0xfc && !p.corrupt ? std::size_t{128} << (repeat % 4) : 1 + repeat % 4u;
    wf::chunker split(input[1]);
    if ((flags & 0x40u) != 0) {
        round_trip(p, split, input.rest, std::uint32_t{input[1]} << 8 | zlib);
    } else {
        garbage(p, split, input.rest);
    }
    return 0;
}
