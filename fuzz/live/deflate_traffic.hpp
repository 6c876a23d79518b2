// The live fuzzer's permessage-deflate traffic (`wscheck fuzz --deflate`, RFC 7692): the offer
// each input makes, and the `deflate` strategy, which compresses messages as that offer allows
// and then breaks them in the ways inflaters get hurt.
//
// Offers, in turn by input index (deflate_plan_for): no window parameters, or each window from
// 15 down to 8 for both directions, times the four context-takeover combinations: 36 plans,
// input i gets plan i % 36. Clean messages stay within what the plan asks of the client: its
// window (offered as client_max_window_bits) and a reset after every message when
// client_no_context_takeover is offered. The input is made before the server answers: a
// server that asks for a smaller client window or adds client_no_context_takeover on its own
// (7.1.1.2, 7.1.2.2) sees some clean messages as violations, as it does the broken ones.
//
// Each message gets at most one mutation (half get none):
//   RSV1   cleared on a compressed message; set on an uncompressed one, on a continuation,
//          on a Ping (RFC 7692 6: only a data message's first frame carries it)
//   data   bits flipped or bytes set; the end cut; a lying length on a compressed frame
//          (2^62, 2^63-1, 1 GiB, a few bytes more or fewer)
//   window a back-reference further back than the agreed window (7.1.2); with
//          client_no_context_takeover offered, the context kept anyway (the second message
//          refers into the first); else a reference into history the server never saw
//   tail   the 00 00 ff ff of 7.2.1 left in, written twice, cut in half, or removed from a
//          flush in the middle of the message
//   blocks a final block (BFINAL) ending the message or followed by more data (7.2.3.4); a
//          flood of empty stored blocks; a stored block whose NLEN is not LEN's complement; a
//          dynamic block of garbage; the reserved block type 11 (RFC 1951 3.2.3)
//   size   a bomb (up to 16 MiB of zeros in a few KiB); a message in one-byte frames
#pragma once

#include "fuzz/live/rng.hpp"
#include "harness/proto/extension_params.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace wscheck::fuzz {

/// The permessage-deflate offer of one input, and what a client making it may send.
struct deflate_plan {
    proto::deflate_offer offer;
    std::uint8_t client_window = proto::max_window_bits; ///< the window our messages stay in
};

/// Plan `index % 36` (see above).
deflate_plan deflate_plan_for(std::uint64_t index);

/// The Sec-WebSocket-Extensions value of the plan's offer; now and then (from `r`) a lie
/// about it instead: a window of 7 or 16, a parameter twice, a value where none belongs, an
/// unknown parameter (7.1: the server must decline or fail, never accept it).
std::string deflate_offer_value(rng& r, const deflate_plan& plan);

/// After `request` (which offers the plan): 1-5 messages, compressed and broken as above,
/// with Pings between some of them and sometimes a Close at the end.
std::vector<std::uint8_t> deflate_strategy(rng& r, const deflate_plan& plan, const std::string& request);

} // namespace wscheck::fuzz
