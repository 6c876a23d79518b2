// The live fuzzer's inputs, made from a seed. Input i of a run is a pure function of
// (run seed, i, target host and path, the catalog), so a seed replays a whole run.
//
// Strategies (each input uses one; the name is recorded with the input):
//   handshake  a valid opening handshake request mutated 1-3 times (bytes flipped, lines
//              dropped, doubled or folded, values swapped for odd tokens, bare LFs, a cut, an
//              8-KiB value), then sometimes a frame
//   frames     a valid handshake, then 1-6 frames with random opcodes (reserved ones
//              included), FIN and RSV bits, masks (sometimes none), lengths that lie,
//              non-minimal length encodings and payloads of boundary sizes (125, 126, 65536)
//   fragments  a valid handshake, then a fragmented message with control frames (Ping, Pong,
//              Close, some oversized or fragmented) between its fragments, fragments out of
//              order, a data frame inside the message
//   case <id>  the catalog's own traffic for a case (case_seeds.hpp), mutated 1-4 times:
//              bits flipped, bytes set to boundary values, spans cut, doubled or inserted,
//              a random frame spliced in, the tail cut
//   deflate    (only with `deflate`) compressed messages, broken in the ways of
//              deflate_traffic.hpp
// With `deflate`, every request but the case seeds' offers permessage-deflate, input i with
// plan i % 36 of deflate_traffic.hpp, and half the inputs are `deflate`'s; without it the
// inputs are what they were before the option existed, seed for seed.
// Every input's bytes are then torn: written in up to 6 pieces split at random points, with
// pauses of up to 20 ms between some of them, so frames and headers also arrive split.
#pragma once

#include "fuzz/live/case_seeds.hpp"
#include "fuzz/live/fuzz_input.hpp"

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

namespace wscheck::fuzz {

/// An input is never bigger than this (plus one frame's header).
inline constexpr std::size_t max_input_bytes = 128 * 1024;

class input_generator {
public:
    /// `host` and `target` are what the request's Host field and request line carry;
    /// `seeds` (held by reference: it must outlive the generator) may be empty.
    input_generator(std::uint64_t run_seed, std::string host, std::string target,
                    std::span<const case_seed> seeds, bool deflate = false);

    /// Input `index` of the run.
    fuzz_input make(std::uint64_t index) const;

    /// The valid request every strategy but `handshake` starts with (without `deflate`).
    const std::string& request() const noexcept { return request_; }

private:
    std::uint64_t run_seed_;
    std::string host_;
    std::string target_;
    std::string request_;
    std::span<const case_seed> seeds_;
    bool deflate_;
};

} // namespace wscheck::fuzz
