#include "bench/corpus.hpp"

#include "harness/proto/mask.hpp"

#include <array>
#include <random>
#include <span>

namespace wscheck::bench {
namespace {

/// Appends the UTF-8 form of `cp` (RFC 3629 3), which must be a scalar value.
void append_code_point(std::vector<std::uint8_t>& out, std::uint32_t cp) {
    auto byte = [](std::uint32_t v) { return static_cast<std::uint8_t>(v); };
    if (cp < 0x80) {
        out.push_back(byte(cp));
    } else if (cp < 0x800) {
        out.push_back(byte(0xC0 | (cp >> 6)));
        out.push_back(byte(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
        out.push_back(byte(0xE0 | (cp >> 12)));
        out.push_back(byte(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(byte(0x80 | (cp & 0x3F)));
    } else {
        out.push_back(byte(0xF0 | (cp >> 18)));
        out.push_back(byte(0x80 | ((cp >> 12) & 0x3F)));
        out.push_back(byte(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(byte(0x80 | (cp & 0x3F)));
    }
}

std::size_t encoded_length(std::uint32_t cp) noexcept {
    return cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
}

/// A random code point of `length` UTF-8 bytes; never a surrogate (U+D800-U+DFFF).
std::uint32_t random_code_point(std::mt19937& rng, std::size_t length) {
    switch (length) {
    case 1:
        return std::uniform_int_distribution<std::uint32_t>{0x20, 0x7E}(rng);
    case 2:
        return std::uniform_int_distribution<std::uint32_t>{0x80, 0x7FF}(rng);
    case 3: {
        // U+0800-U+FFFF minus the 2048 surrogates: draw from a gapless range, then skip the gap.
        std::uint32_t cp = std::uniform_int_distribution<std::uint32_t>{0x800, 0xFFFF - 0x800}(rng);
        return cp >= 0xD800 ? cp + 0x800 : cp;
    }
    default:
        return std::uniform_int_distribution<std::uint32_t>{0x10000, 0x10FFFF}(rng);
    }
}

std::size_t random_length(std::mt19937& rng, text_profile profile) {
    switch (profile) {
    case text_profile::ascii:
        return 1;
    case text_profile::mostly_ascii: {
        const unsigned r = std::uniform_int_distribution<unsigned>{0, 15}(rng);
        return r < 14 ? 1 : r == 14 ? 2 : 3;
    }
    case text_profile::multibyte:
        break;
    }
    return std::uniform_int_distribution<std::size_t>{2, 4}(rng);
}

} // namespace

std::vector<std::uint8_t> make_text(std::size_t size, text_profile profile, std::uint32_t seed) {
    std::mt19937 rng{seed};
    std::vector<std::uint8_t> out;
    out.reserve(size);
    while (out.size() < size) {
        std::uint32_t cp = random_code_point(rng, random_length(rng, profile));
        if (out.size() + encoded_length(cp) > size)
            cp = 'a'; // the next code point would not fit: pad
        append_code_point(out, cp);
    }
    return out;
}

std::vector<std::uint8_t> make_binary(std::size_t size, std::uint32_t seed) {
    std::mt19937 rng{seed};
    std::vector<std::uint8_t> out(size);
    for (auto& b : out)
        b = static_cast<std::uint8_t>(rng());
    return out;
}

frame_batch make_batch(proto::opcode op, std::size_t payload_size, std::size_t frame_count,
                       text_profile profile, std::uint32_t seed) {
    frame_batch batch;
    batch.op = op;
    batch.frame_count = frame_count;
    batch.payload_size = payload_size;
    batch.plain.reserve(payload_size * frame_count);
    batch.wire.reserve((payload_size + proto::max_header_size) * frame_count);
    std::mt19937 rng{seed};
    for (std::size_t i = 0; i < frame_count; ++i) {
        const std::vector<std::uint8_t> payload =
            op == proto::opcode::text ? make_text(payload_size, profile, static_cast<std::uint32_t>(rng()))
                                      : make_binary(payload_size, static_cast<std::uint32_t>(rng()));
        proto::frame_header h;
        h.fin = true;
        h.op = op;
        h.masked = true; // 5.3: every frame from a client is masked, with a fresh key
        h.length = payload_size;
        const std::uint32_t key = static_cast<std::uint32_t>(rng());
        h.key = {static_cast<std::uint8_t>(key), static_cast<std::uint8_t>(key >> 8),
                 static_cast<std::uint8_t>(key >> 16), static_cast<std::uint8_t>(key >> 24)};

        std::array<std::uint8_t, proto::max_header_size> header{};
        const std::size_t header_len = proto::encode_header(h, header);
        batch.wire.insert(batch.wire.end(), header.begin(), header.begin() + static_cast<std::ptrdiff_t>(header_len));
        const std::size_t at = batch.wire.size();
        batch.wire.insert(batch.wire.end(), payload.begin(), payload.end());
        proto::mask_inplace(std::span{batch.wire}.subspan(at), h.key);
        batch.plain.insert(batch.plain.end(), payload.begin(), payload.end());
    }
    return batch;
}

} // namespace wscheck::bench
