#include "harness/proto/frame_parser.hpp"

#include "harness/proto/mask.hpp"

#include <algorithm>
#include <bit>
#include <cstring>

namespace wscheck::proto {
namespace {

// 5.2: a 7-bit length of 126 announces a 16-bit length, 127 a 64-bit one.
constexpr std::uint8_t len7_16 = 126;
constexpr std::uint8_t len7_64 = 127;
constexpr std::size_t mask_key_size = 4;

/// Header bytes announced by the first two: 2, extended length, masking key.
constexpr std::size_t announced_header_size(std::uint8_t b1) noexcept {
    const std::uint8_t len7 = b1 & 0x7F;
    const std::size_t ext = len7 == len7_16 ? 2 : len7 == len7_64 ? 8 : 0;
    return 2 + ext + ((b1 & 0x80) != 0 ? mask_key_size : 0);
}

/// Decodes a complete header from `p` (announced_header_size(p[1]) bytes), as it is on the
/// wire: no rule is checked here.
void decode_header(const std::uint8_t* p, frame_header& h) noexcept {
    const std::uint8_t b0 = p[0];
    const std::uint8_t b1 = p[1];
    h.fin = (b0 & 0x80) != 0;
    h.rsv1 = (b0 & 0x40) != 0;
    h.rsv2 = (b0 & 0x20) != 0;
    h.rsv3 = (b0 & 0x10) != 0;
    h.op = static_cast<opcode>(b0 & 0x0F);
    h.masked = (b1 & 0x80) != 0;
    const std::uint8_t len7 = b1 & 0x7F;
    std::size_t i = 2;
    if (len7 == len7_16) {
        // 5.2: multibyte lengths are in network byte order.
        h.length = static_cast<std::uint64_t>((unsigned{p[2]} << 8) | unsigned{p[3]});
        i = 4;
    } else if (len7 == len7_64) {
        std::uint64_t be;
        std::memcpy(&be, p + 2, sizeof be);
        h.length = std::endian::native == std::endian::little ? __builtin_bswap64(be) : be;
        i = 10;
    } else {
        h.length = len7;
    }
    if (h.masked) {
        std::memcpy(h.key.data(), p + i, mask_key_size);
    } else {
        h.key = mask_key{};
    }
}

constexpr bool is_data(opcode op) noexcept {
    return op == opcode::cont || op == opcode::text || op == opcode::binary;
}

} // namespace

violation violation_set::first() const noexcept {
    return static_cast<violation>(std::countr_zero(bits_));
}

frame_parser::frame_parser(frame_parser_options options) noexcept : options_{options} {}

bool frame_parser::at_frame_boundary() const noexcept {
    // `end`: the payload is all consumed, only the frame_end event is still to be reported.
    return (state_ == state::header && carry_size_ == 0) || state_ == state::end;
}

std::error_code frame_parser::check_header() noexcept {
    const frame_header& h = header_;
    violation_set v;
    // 5.2: RSV1-3 must be 0 unless an extension defines them; RSV1 is permessage-deflate's
    // (RFC 7692 6), RSV2 and RSV3 are never negotiated here.
    if ((h.rsv1 && !options_.rsv1_allowed) || h.rsv2 || h.rsv3) {
        v.add(violation::bad_reserved_bits);
    }
    // 5.2: opcodes 3-7 and 11-15 are reserved.
    if (is_reserved(h.op)) {
        v.add(violation::bad_opcode);
    }
    if (is_control(h.op)) {
        // 5.5: control frames must not be fragmented and carry at most 125 bytes.
        if (!h.fin) {
            v.add(violation::fragmented_control);
        }
        if (h.length > max_control_payload) {
            v.add(violation::control_too_big);
        }
    }
    // 5.2: "the minimal number of bytes MUST be used to encode the length".
    const std::uint8_t len7 = carry_[1] & 0x7F;
    if ((len7 == len7_16 && h.length <= max_control_payload) ||
        (len7 == len7_64 && h.length <= 0xFFFF)) {
        v.add(violation::non_minimal_length);
    }
    // 5.2: the most significant bit of the 64-bit length must be 0.
    if (h.length > max_payload_length) {
        v.add(violation::length_msb_set);
    }
    // 5.1: a server must fail on an unmasked frame, a client on a masked one.
    if (options_.local_role == role::server && !h.masked) {
        v.add(violation::missing_mask);
    } else if (options_.local_role == role::client && h.masked) {
        v.add(violation::unexpected_mask);
    }
    // 5.4: continuation frames belong to a message; a new message waits for the last one.
    if (h.op == opcode::cont && !in_message_) {
        v.add(violation::bad_continuation);
    } else if ((h.op == opcode::text || h.op == opcode::binary) && in_message_) {
        v.add(violation::missing_continuation);
    }
    // 10.4: the endpoint's own limit.
    if (h.length > options_.max_frame_payload) {
        v.add(violation::frame_too_big);
    }

    if (v.empty()) {
        return {};
    }
    if (options_.mode == parse_mode::observe) {
        violations_ = v;
        return {};
    }
    return v.first();
}

frame_parser::result frame_parser::feed(std::span<std::uint8_t> input) noexcept {
    switch (state_) {
    case state::failed:
        return {event::error, 0, {}, error_};

    case state::end:
        state_ = state::header;
        return {event::frame_end, 0, {}, {}};

    case state::payload: {
        if (input.empty()) {
            return {};
        }
        const std::size_t n =
            remaining_ < input.size() ? static_cast<std::size_t>(remaining_) : input.size();
        const std::span<std::uint8_t> data = input.first(n);
        if (header_.masked && options_.unmask) {
            mask_phase_ = mask_inplace(data, header_.key, mask_phase_);
        }
        remaining_ -= n;
        if (remaining_ == 0) {
            state_ = state::end;
        }
        return {event::payload, n, data, {}};
    }

    case state::header:
        if (input.empty()) {
            return {};
        }
        break;
    }

    std::size_t used = 0;
    const std::size_t whole_need = input.size() >= 2 ? announced_header_size(input[1]) : 0;
    if (carry_size_ == 0 && whole_need != 0 && input.size() >= whole_need) {
        // The usual case: the whole header is in the input; decode it where it lies. The
        // first two bytes go to the carry because check_header() reads the 7-bit length there.
        carry_[0] = input[0];
        carry_[1] = input[1];
        used = whole_need;
        decode_header(input.data(), header_);
    } else {
        // A header split across calls: gather it in the carry, at most 14 bytes, in two short
        // copies (the first two bytes say how long the rest is).
        if (carry_size_ < 2) {
            const std::size_t take = std::min<std::size_t>(2 - carry_size_, input.size());
            std::memcpy(carry_.data() + carry_size_, input.data(), take);
            carry_size_ += take;
            used = take;
            if (carry_size_ < 2) {
                return {event::need_more, used, {}, {}};
            }
        }
        const std::size_t need = announced_header_size(carry_[1]);
        const std::size_t take = std::min(need - carry_size_, input.size() - used);
        std::memcpy(carry_.data() + carry_size_, input.data() + used, take);
        carry_size_ += take;
        used += take;
        if (carry_size_ < need) {
            return {event::need_more, used, {}, {}};
        }
        decode_header(carry_.data(), header_);
    }

    violations_ = violation_set{};
    if (const std::error_code ec = check_header()) {
        // Strict mode: the first violation fails the connection (7.1.7); the parser stays
        // failed; header() describes the offending frame.
        error_ = ec;
        state_ = state::failed;
        return {event::error, used, {}, ec};
    }
    carry_size_ = 0;

    // 5.4: a data frame with FIN clear starts or continues a message, one with FIN set ends
    // it. Control frames may come in between and leave the message alone; reserved data
    // opcodes (observe mode only) have no defined meaning and leave it alone too.
    if (is_data(header_.op)) {
        in_message_ = !header_.fin;
    }

    remaining_ = header_.length;
    mask_phase_ = 0;
    state_ = remaining_ == 0 ? state::end : state::payload;
    return {event::header, used, {}, {}};
}

} // namespace wscheck::proto
