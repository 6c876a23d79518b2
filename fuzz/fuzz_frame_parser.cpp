// Invariants: the strict parser gives the same frames and the same error whether its input
// comes whole or in arbitrary pieces; observe mode agrees with strict up to strict's first
// error and lists that error among the failing header's violations; a header observe finds
// no fault with is exactly the minimal encoding of what it parsed; payload comes out unmasked.
//
// Input: [options][chunk seed][wire bytes]. Options: bit 0 role (0 = we are the server),
// bit 1 RSV1 allowed, bits 2-3 frame size limit (none, 0, 125, 1000).
#include "fuzz/fuzz_util.hpp"
#include "harness/proto/frame.hpp"
#include "harness/proto/frame_parser.hpp"

#include <array>
#include <cstdint>
#include <cstring>
#include <vector>

namespace {

using namespace wscheck::proto;

struct frame_record {
    frame_header header;
    std::uint64_t violations = 0;
    std::size_t header_offset = 0;
    std::size_t header_end = 0;
    std::vector<std::uint8_t> payload;
    bool complete = false;

    bool same_frame(const frame_record& o) const {
        return header == o.header && header_offset == o.header_offset &&
               header_end == o.header_end && payload == o.payload && complete == o.complete;
    }
};

struct trace {
    std::vector<frame_record> frames;
    std::error_code error;
    std::size_t error_offset = 0;
};

constexpr std::size_t max_frames = 4096;

trace run(frame_parser_options opts, std::span<const std::uint8_t> wire, wscheck::fuzz::chunker* split) {
    std::vector<std::uint8_t> buf(wire.begin(), wire.end());
    frame_parser parser{opts};
    trace t;
    std::size_t offset = 0;
    std::size_t frame_start = 0;
    while (offset <= buf.size() && t.frames.size() < max_frames) {
        std::size_t len = buf.size() - offset;
        if (split != nullptr) {
            len = split->next(len);
        }
        std::span<std::uint8_t> in{buf.data() + offset, len};
        std::size_t used = 0;
        // Drain this chunk: one call per event.
        for (;;) {
            auto r = parser.feed(in.subspan(used));
            used += r.consumed;
            if (r.what == frame_parser::event::need_more) {
                break;
            }
            if (r.what == frame_parser::event::error) {
                t.error = r.error;
                t.error_offset = offset + used;
                return t;
            }
            if (r.what == frame_parser::event::header) {
                frame_record f;
                f.header = parser.header();
                f.violations = parser.header_violations().bits();
                f.header_offset = frame_start;
                f.header_end = offset + used;
                t.frames.push_back(std::move(f));
            } else if (r.what == frame_parser::event::payload) {
                WSCHECK_FUZZ_CHECK(!t.frames.empty());
                auto& p = t.frames.back().payload;
                p.insert(p.end(), r.data.begin(), r.data.end());
            } else if (r.what == frame_parser::event::frame_end) {
                WSCHECK_FUZZ_CHECK(!t.frames.empty());
                t.frames.back().complete = true;
                frame_start = offset + used;
            }
            if (t.frames.size() >= max_frames) {
                break;
            }
        }
        WSCHECK_FUZZ_CHECK(used == len || t.frames.size() >= max_frames);
        offset += len;
        if (len == 0) {
            break;
        }
    }
    return t;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    wscheck::fuzz::option_bytes in{data, size, 2};
    static constexpr std::array<std::uint64_t, 4> limits{max_payload_length, 0, 125, 1000};

    frame_parser_options opts;
    opts.local_role = (in[0] & 1) != 0 ? role::client : role::server;
    opts.rsv1_allowed = (in[0] & 2) != 0;
    opts.max_frame_payload = limits[(in[0] >> 2) & 3];

    opts.mode = parse_mode::strict;
    const trace whole = run(opts, in.rest, nullptr);
    wscheck::fuzz::chunker split{in[1]};
    const trace pieces = run(opts, in.rest, &split);
    opts.mode = parse_mode::observe;
    const trace observed = run(opts, in.rest, nullptr);

    // Whole and chunked strict runs agree frame by frame and on the error.
    WSCHECK_FUZZ_CHECK(whole.error == pieces.error);
    WSCHECK_FUZZ_CHECK(whole.frames.size() == pieces.frames.size());
    for (std::size_t i = 0; i < whole.frames.size(); ++i) {
        WSCHECK_FUZZ_CHECK(whole.frames[i].same_frame(pieces.frames[i]));
        WSCHECK_FUZZ_CHECK(whole.frames[i].violations == 0);
    }

    // Observe agrees with strict up to strict's error, and flags the header strict rejected.
    const std::size_t agreed = whole.frames.size();
    WSCHECK_FUZZ_CHECK(observed.frames.size() >= agreed);
    for (std::size_t i = 0; i < agreed; ++i) {
        WSCHECK_FUZZ_CHECK(whole.frames[i].same_frame(observed.frames[i]));
        WSCHECK_FUZZ_CHECK(observed.frames[i].violations == 0);
    }
    WSCHECK_FUZZ_CHECK(!observed.error); // observe never fails
    if (whole.error) {
        WSCHECK_FUZZ_CHECK(observed.frames.size() > agreed);
        const auto& bad = observed.frames[agreed];
        const auto bit = std::uint64_t{1} << static_cast<unsigned>(whole.error.value());
        WSCHECK_FUZZ_CHECK((bad.violations & bit) != 0);
    } else {
        // Strict found nothing wrong, so observe cannot have seen anything more.
        WSCHECK_FUZZ_CHECK(observed.frames.size() == agreed);
    }

    for (const auto& f : observed.frames) {
        const std::span<const std::uint8_t> wire = in.rest;
        // A header without faults is the minimal encoding of what was parsed.
        if (f.violations == 0) {
            std::array<std::uint8_t, max_header_size> enc{};
            const std::size_t n = encode_header(f.header, enc);
            WSCHECK_FUZZ_CHECK(n == f.header_end - f.header_offset);
            WSCHECK_FUZZ_CHECK(std::memcmp(enc.data(), wire.data() + f.header_offset, n) == 0);
        }
        // Payload is the wire bytes XOR the key (or the wire bytes when unmasked).
        WSCHECK_FUZZ_CHECK(f.header_end + f.payload.size() <= wire.size());
        for (std::size_t i = 0; i < f.payload.size(); ++i) {
            std::uint8_t b = wire[f.header_end + i];
            if (f.header.masked) {
                b = static_cast<std::uint8_t>(b ^ f.header.key[i % 4]);
            }
            WSCHECK_FUZZ_CHECK(b == f.payload[i]);
        }
    }
    return 0;
}
