// An input seen the way a server reads it: the opening handshake's head, then the frames after
// it (RFC 6455 5.2), then whatever is left (a frame cut short, or a length that runs past the
// end). The shrinker works on this structure (drop a frame, shorten a payload and fix its
// length field, clear a flag, drop a header field) and a finding's signature names the input's
// shape from it: which frames, with which flags, not their random bytes.
//
// Splitting never fails and loses nothing: bytes(split_input(b)) == b for every b, so a
// candidate built from the parts is exactly the input except for the edit made.
#pragma once

#include "fuzz/live/fuzz_input.hpp"
#include "harness/proto/frame.hpp"

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace wscheck::fuzz {

/// One whole frame as written on the wire.
struct wire_frame {
    proto::frame_header header;         ///< `length` is the length field's value, == payload.size()
    proto::length_encoding encoding = proto::length_encoding::minimal; ///< how that field was written
    std::vector<std::uint8_t> payload;  ///< as on the wire: masked with header.key when header.masked
};

struct framed_input {
    /// The request head through its blank line; the whole input when it is no complete head
    /// (a server reads no frame then).
    std::vector<std::uint8_t> head;
    /// accepted: a valid opening handshake (4.2.1); refused: a complete head that fails its
    /// checks; unparsed: no complete head (malformed, too big, or cut short).
    enum class head_status { accepted, refused, unparsed };
    head_status head_state = head_status::unparsed;
    std::string head_problem;           ///< why it is not accepted, one phrase ("" when it is)
    std::vector<wire_frame> frames;     ///< the whole frames after the head, in order
    std::vector<std::uint8_t> rest;     ///< after the last whole frame: the start of one cut short

    /// The input's bytes again, with each frame's header written from its fields.
    std::vector<std::uint8_t> bytes() const;
};

/// Splits `bytes` (an input's writes concatenated) into head, frames and rest.
framed_input split_input(std::span<const std::uint8_t> bytes);

/// The frame cut short at the end (`in.rest`) made whole: its length field (a lie, or the
/// length of a payload cut off) set to the bytes that follow its header. nullopt when `rest`
/// does not hold a whole header.
std::optional<wire_frame> completed_rest(const framed_input& in);

/// The input's writes concatenated.
std::vector<std::uint8_t> concatenated(const fuzz_input& in);

/// The input's shape, one token per part, separated by spaces: "request" (or "bad-request" or
/// "bad-head" for a head that fails the handshake check or does not parse), then one token per
/// frame: the opcode's name (proto::to_string), with "+rsv1", "+rsv2", "+rsv3", "+unmasked",
/// "+nofin" (a data frame that is not final), "+longlen" (a non-minimal length encoding, 5.2),
/// and for control frames "+len1" (a one-byte Close body, 7.1.5 and 5.5.1) or "+len>125" (5.5);
/// a frame cut short is its opcode and flags with "+partial" ("partial" alone when only its
/// first byte is there). Payload bytes and lengths otherwise do not count: they are
/// what changes from one random input to the next.
std::string shape_of(const framed_input& in);
std::string input_shape(const fuzz_input& in);

/// Whether every token of `part` appears in `whole`, in the same order (a subsequence); a
/// token of `whole` with "+partial" stands for the same token without it (a frame cut short, or
/// with a lying length, is the same frame once shrinking makes it whole).
bool shape_contains(std::string_view whole, std::string_view part);

} // namespace wscheck::fuzz
