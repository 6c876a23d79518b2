#include "harness/runner/step_frames.hpp"

#include "harness/proto/close.hpp"
#include "harness/proto/mask.hpp"

#include <algorithm>
#include <optional>
#include <string_view>

namespace wscheck::runner {

namespace {

std::optional<proto::mask_key> key_from(const mask_key_source& keys) {
    if (keys) {
        return keys();
    }
    return std::nullopt;
}

} // namespace

step_frame frame_of(const cases::send_frame& f, const mask_key_source& keys) {
    // The step's own key wins; no key is drawn for it then.
    const auto key = f.key ? f.key : key_from(keys);
    return {frame_spec{f.op, f.fin, f.rsv, f.declared_length, f.encoding, f.masked, key}, f.data.view()};
}

std::vector<step_frame> message_frames(proto::opcode op, std::span<const std::uint8_t> message,
                                       std::size_t fragment_size, bool compressed,
                                       const mask_key_source& keys) {
    const std::size_t piece = fragment_size == 0 ? std::max<std::size_t>(message.size(), 1) : fragment_size;
    std::vector<step_frame> frames;
    frames.reserve(message.size() / piece + 1);
    std::size_t at = 0;
    do {
        const std::size_t n = std::min(piece, message.size() - at);
        step_frame f{{}, message.subspan(at, n)};
        f.spec.op = at == 0 ? op : proto::opcode::cont;
        f.spec.fin = at + n >= message.size();
        f.spec.rsv = compressed && at == 0 ? 4 : 0;
        f.spec.key = key_from(keys);
        frames.push_back(f);
        at += n;
    } while (at < message.size());
    return frames;
}

std::vector<std::uint8_t> close_payload_of(const cases::send_close& c) {
    if (c.raw) {
        const auto raw = c.raw->view();
        return {raw.begin(), raw.end()};
    }
    const auto reason = c.reason.view();
    return proto::build_close_payload(c.code, {reinterpret_cast<const char*>(reason.data()), reason.size()});
}

step_frame close_frame(std::span<const std::uint8_t> payload, const mask_key_source& keys) {
    step_frame f{{}, payload};
    f.spec.op = proto::opcode::close;
    f.spec.key = key_from(keys);
    return f;
}

std::vector<std::uint8_t> more_frame_data(const proto::frame_header& begun, std::size_t& written,
                                          std::span<const std::uint8_t> data) {
    std::vector<std::uint8_t> bytes{data.begin(), data.end()};
    if (begun.masked) {
        // 5.3: payload byte i is XORed with key byte i % 4, counted from the frame's first.
        proto::mask_inplace(bytes, begun.key, written % 4);
    }
    written += bytes.size();
    return bytes;
}

written_frame write_step_frame(const step_frame& f, proto::role sender) {
    return write_frame(f.spec, f.payload, sender);
}

} // namespace wscheck::runner
