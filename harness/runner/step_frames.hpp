// The frames a case's sending steps put on the wire, before any I/O: the one mapping from a
// step (send_frame, send_frame_data, send_message, send_close) to frame headers and payloads.
// The case runner writes what it gives (case_runner.cpp), and so do the fuzzers' seed
// generators (fuzz/live/case_seeds.cpp, fuzz/seeds/make_seeds.cpp), whose seeds must be the
// bytes the runner sends.
//
// What is about I/O stays with the runner: chopping writes, pauses, sync, and compressing a
// message when permessage-deflate was agreed. The compressor's context lives as long as the
// connection (RFC 7692 7.2.1) and only the runner negotiates it, so the runner compresses a
// message and hands the compressed bytes to message_frames, which marks them (RSV1).
// send_raw needs nothing from here: its bytes go out as they are.
#pragma once

#include "cases/case.hpp"
#include "harness/proto/frame.hpp"
#include "harness/proto/role.hpp"
#include "harness/runner/frame_writer.hpp"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <vector>

namespace wscheck::runner {

/// Where the mask key comes from for a frame whose step names none (5.3). Empty: none is drawn
/// here, and write_frame draws a fresh random key when the frame is masked (a real run). The
/// seed generators pass a fixed or seeded source, so their bytes are the same on every run;
/// it is called once for every such frame, masked or not, in the order the frames go out.
using mask_key_source = std::function<proto::mask_key()>;

/// One frame of a step: its header as write_frame takes it, and its payload (a view of the
/// step's bytes or of the message passed in, valid as long as they are).
struct step_frame {
    frame_spec spec;
    std::span<const std::uint8_t> payload;
};

/// A send_frame step: the frame exactly as described, legal or not (Autobahn's sendFrame).
step_frame frame_of(const cases::send_frame& f, const mask_key_source& keys);

/// A data message (send_message, echo_series): `message` split into frames of `fragment_size`
/// payload bytes (0: one frame; an empty message is one empty frame), the first with `op`, the
/// others continuations, FIN on the last (5.4). `compressed`: `message` is permessage-deflate
/// data, so the first frame, and only it, has RSV1 (RFC 7692 6.1).
std::vector<step_frame> message_frames(proto::opcode op, std::span<const std::uint8_t> message,
                                       std::size_t fragment_size, bool compressed,
                                       const mask_key_source& keys);

/// A send_close step's Close payload: `raw` exactly, else the code and reason (5.5.1).
std::vector<std::uint8_t> close_payload_of(const cases::send_close& c);

/// A Close frame carrying `payload` (from close_payload_of).
step_frame close_frame(std::span<const std::uint8_t> payload, const mask_key_source& keys);

/// A send_frame_data step's bytes: `data` as more payload of the frame `begun` (its header as
/// written, key included), masked with that key from where the `written` payload bytes sent
/// so far left off (5.3), so one frame can go out in parts (Autobahn's
/// sendMessageFrameData). `written` moves past `data`.
std::vector<std::uint8_t> more_frame_data(const proto::frame_header& begun, std::size_t& written,
                                          std::span<const std::uint8_t> data);

/// The bytes of one frame sent by an endpoint of role `sender` (write_frame on the frame).
written_frame write_step_frame(const step_frame& f, proto::role sender);

} // namespace wscheck::runner
