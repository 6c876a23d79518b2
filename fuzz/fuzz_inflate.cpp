// Invariants for the permessage-deflate streams (proto::message_inflater and
// message_deflater, RFC 7692 7.2):
//   - garbage: whatever the bytes, the inflater never crashes, never grows a message past its
//     cap by more than the one byte that shows the cap was passed, reports only
//     bad_compressed_data or inflated_too_big, and stays failed once it failed;
//   - round trip: messages deflated with some parameters inflate, with the same parameters,
//     to exactly the original bytes, or to inflated_too_big exactly when a message is longer
//     than the cap; whatever the read boundaries and the output chunk size.
//
// Input: [flags][chunk seed][output chunk][bytes]. flags: bits 0-2 window bits (8 + value),
// bit 3 no context takeover, bits 4-5 the cap (1, 1000, 64 KiB, 1 MiB), bit 6 round trip
// (the bytes are plaintext) rather than garbage (the bytes are compressed payload), bit 7
// each piece of plaintext is flushed (as a fragment) rather than buffered. The chunk seed
// splits the bytes into pieces (fuzz_util.hpp); every fourth piece ends a message. Output
// chunk 0 means 64 KiB, n means n bytes.
#include "fuzz/fuzz_util.hpp"
#include "harness/proto/deflate_stream.hpp"
#include "harness/proto/error.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

namespace {

using namespace wscheck::proto;
namespace wf = wscheck::fuzz;

constexpr std::array<std::uint64_t, 4> caps{1, 1000, 64 * 1024, 1024 * 1024};
constexpr std::size_t pieces_per_message = 4;

struct params {
    std::uint8_t window_bits = 15;
    bool no_context_takeover = false;
    std::uint64_t cap = 0;
    std::size_t chunk = 0;
    bool flush_pieces = false;
};

inflater_options inflater_for(const params& p) {
    inflater_options o;
    o.window_bits = p.window_bits;
    o.no_context_takeover = p.no_context_takeover;
    o.max_message_size = p.cap;
    o.chunk_size = p.chunk;
    return o;
}

bool is_inflate_error(std::error_code ec) {
    return ec == violation::bad_compressed_data || ec == violation::inflated_too_big;
}

void garbage(const params& p, wf::chunker& split, std::span<const std::uint8_t> in) {
    message_inflater inflater(inflater_for(p));
    std::vector<std::uint8_t> out;
    bool failed = false;
    std::size_t piece = 0;
    while (!in.empty()) {
        const std::size_t n = split.next(in.size());
        std::error_code ec = inflater.write(in.first(n), out);
        in = in.subspan(n);
        if (!ec && (++piece % pieces_per_message == 0 || in.empty())) {
            ec = inflater.finish(out);
            // A message that ended well is within its cap.
            WSCHECK_FUZZ_CHECK(ec || out.size() <= p.cap);
            if (!ec) {
                out.clear();
            }
        }
        // Even while failing: never more than one byte past the cap.
        WSCHECK_FUZZ_CHECK(out.size() <= p.cap + 1);
        if (ec) {
            WSCHECK_FUZZ_CHECK(is_inflate_error(ec));
            failed = true;
            break;
        }
    }
    if (failed) {
        // A spent inflater stays failed.
        std::vector<std::uint8_t> more;
        WSCHECK_FUZZ_CHECK(inflater.write(std::array<std::uint8_t, 1>{0}, more) == violation::bad_compressed_data);
        WSCHECK_FUZZ_CHECK(inflater.finish(more) == violation::bad_compressed_data);
        WSCHECK_FUZZ_CHECK(more.empty());
    }
}

/// A compressor for these parameters, fresh as a new one. One per (window bits, context
/// takeover) is kept across inputs and reset: constructing one costs zlib about 256 KiB of
/// buffers and the clearing of its hash table, which was most of the work of a short input.
message_deflater& fresh_deflater(const params& p) {
    static std::array<std::unique_ptr<message_deflater>, 2 * (max_window_bits - min_window_bits + 1)> kept;
    auto& slot = kept[2 * std::size_t{static_cast<std::uint8_t>(p.window_bits - min_window_bits)} +
                      (p.no_context_takeover ? 1 : 0)];
    if (!slot) {
        deflater_options d;
        d.window_bits = p.window_bits;
        d.no_context_takeover = p.no_context_takeover;
        slot = std::make_unique<message_deflater>(d);
    } else {
        slot->reset();
    }
    return *slot;
}

void round_trip(const params& p, wf::chunker& split, std::span<const std::uint8_t> in) {
    message_deflater& deflater = fresh_deflater(p);
    message_inflater inflater(inflater_for(p));
    std::vector<std::uint8_t> message;
    std::vector<std::uint8_t> inflated;
    std::vector<std::uint8_t> compressed;
    while (!in.empty()) {
        // One message: up to four pieces, each deflated (and, as a fragment, inflated) alone.
        message.clear();
        inflated.clear();
        std::error_code ec;
        for (std::size_t i = 0; i < pieces_per_message && !in.empty(); ++i) {
            const std::size_t n = split.next(in.size());
            const auto piece = in.first(n);
            in = in.subspan(n);
            message.insert(message.end(), piece.begin(), piece.end());
            compressed.clear();
            const bool last = i + 1 == pieces_per_message || in.empty();
            deflater.write(piece, compressed, p.flush_pieces && !last);
            if (last) {
                deflater.finish(compressed);
            }
            if (!ec) {
                ec = inflater.write(compressed, inflated);
            }
        }
        if (!ec) {
            ec = inflater.finish(inflated);
        }
        if (message.size() > p.cap) {
            WSCHECK_FUZZ_CHECK(ec == violation::inflated_too_big);
            WSCHECK_FUZZ_CHECK(inflated.size() <= p.cap + 1);
            return; // the inflater is spent; the connection would be failed
        }
        WSCHECK_FUZZ_CHECK(!ec);
        WSCHECK_FUZZ_CHECK(inflated == message);
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const wf::option_bytes input(data, size, 3);
    const std::uint8_t flags = input[0];
    params p;
    p.window_bits = static_cast<std::uint8_t>(min_window_bits + (flags & 7u));
    p.no_context_takeover = (flags & 8u) != 0;
    p.cap = caps[(flags >> 4) & 3u];
    p.chunk = input[2] == 0 ? 64 * 1024 : input[2];
    p.flush_pieces = (flags & 0x80u) != 0;
    wf::chunker split(input[1]);
    if ((flags & 0x40u) != 0) {
        round_trip(p, split, input.rest);
    } else {
        garbage(p, split, input.rest);
    }
    return 0;
}
