#include "harness/runner/frame_writer.hpp"

#include "harness/proto/mask.hpp"

#include <openssl/rand.h>

#include <array>
#include <cstdio>
#include <cstdlib>

namespace wscheck::runner {

proto::mask_key random_mask_key() {
    // Keys are drawn from OpenSSL's generator a thousand at a time: one call per frame cost
    // more than masking the frame (12.x cut each message into frames of 256 bytes). The
    // bytes are the generator's all the same, so each key stays unpredictable (5.3).
    constexpr std::size_t pooled = 1024;
    thread_local std::array<proto::mask_key, pooled> pool{};
    thread_local std::size_t next = pooled;
    if (next == pooled) {
        if (RAND_bytes(pool.data()->data(), static_cast<int>(sizeof pool)) != 1) {
            std::fputs("wscheck: OpenSSL's random generator failed; cannot make mask keys\n", stderr);
            std::abort();
        }
        next = 0;
    }
    return pool[next++];
}

namespace {

proto::frame_header header_for(const frame_spec& spec, std::size_t payload_size, proto::role sender) {
    proto::frame_header h;
    h.fin = spec.fin;
    h.rsv1 = (spec.rsv & 4u) != 0;
    h.rsv2 = (spec.rsv & 2u) != 0;
    h.rsv3 = (spec.rsv & 1u) != 0;
    h.op = spec.op;
    h.masked = spec.masked.value_or(sender == proto::role::client);
    h.length = spec.declared_length.value_or(payload_size);
    if (h.masked) {
        h.key = spec.key ? *spec.key : random_mask_key();
    }
    return h;
}

} // namespace

proto::frame_header append_frame(const frame_spec& spec, std::span<const std::uint8_t> payload,
                                 proto::role sender, std::vector<std::uint8_t>& out) {
    const proto::frame_header h = header_for(spec, payload.size(), sender);
    std::array<std::uint8_t, proto::max_header_size> head{};
    const std::size_t head_size = proto::encode_header(h, head, spec.encoding);
    out.insert(out.end(), head.begin(), head.begin() + static_cast<std::ptrdiff_t>(head_size));
    const std::size_t at = out.size();
    out.insert(out.end(), payload.begin(), payload.end());
    if (h.masked) {
        proto::mask_inplace(std::span{out}.subspan(at), h.key);
    }
    return h;
}

written_frame write_frame(const frame_spec& spec, std::span<const std::uint8_t> payload,
                          proto::role sender) {
    std::vector<std::uint8_t> out;
    out.reserve(proto::max_header_size + payload.size());
    const auto h = append_frame(spec, payload, sender, out);
    return {h, std::move(out)};
}

} // namespace wscheck::runner
