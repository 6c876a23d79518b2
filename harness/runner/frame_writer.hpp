// The bytes of one frame exactly as a case describes it, legal or not: reserved bits, any
// opcode, a declared length that lies about the payload, non-minimal length encodings, a
// missing or unwanted mask. The tester's role decides masking unless the case overrides it.
#pragma once

#include "harness/proto/frame.hpp"
#include "harness/proto/role.hpp"

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace wscheck::runner {

struct frame_spec {
    proto::opcode op = proto::opcode::text;
    bool fin = true;
    std::uint8_t rsv = 0;                          ///< RSV1-3 as bits 2..0 (4 = RSV1)
    std::optional<std::uint64_t> declared_length;  ///< header length when it must lie
    proto::length_encoding encoding = proto::length_encoding::minimal;
    std::optional<bool> masked;                    ///< nullopt: as `sender` requires (5.1)
    std::optional<proto::mask_key> key;            ///< nullopt: a fresh random key (5.3)
};

/// A mask key from OpenSSL's CSPRNG, as 5.3 asks ("strong source of entropy"). Aborts the
/// program if the generator fails: a predictable key would be a silent conformance bug.
proto::mask_key random_mask_key();

struct written_frame {
    proto::frame_header header; ///< as put on the wire, with the key drawn
    std::vector<std::uint8_t> bytes;
};

/// Header and (masked) payload of one frame sent by an endpoint of role `sender`.
written_frame write_frame(const frame_spec& spec, std::span<const std::uint8_t> payload,
                          proto::role sender);
/// The same frame's bytes appended to `out` (a message of many frames in one buffer); returns
/// its header.
proto::frame_header append_frame(const frame_spec& spec, std::span<const std::uint8_t> payload,
                                 proto::role sender, std::vector<std::uint8_t>& out);

} // namespace wscheck::runner
