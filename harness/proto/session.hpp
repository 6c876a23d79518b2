// A WebSocket endpoint after the opening handshake (RFC 6455 5-7), as a state machine with no
// I/O: bytes from the peer go in through receive(), events come out of next_event(), and bytes
// for the peer accumulate in output(). The reference server and client are this class plus a
// socket.
//
// Theory of operation
//   receive() parses with a strict frame_parser, reassembles fragmented messages (control
//   frames may arrive between fragments, 5.4), validates text fail-fast per fragment (8.1) and
//   close payloads (5.5.1), and queues events. It answers by itself where the RFC leaves no
//   choice: a Pong for every Ping (5.5.2, when auto_pong is set), and the echo of a Close (5.5.1).
//
//   Answers follow events: the Pong, the echo of a Close and the Close that fails the
//   connection are written to output() when next_event() hands out the event that caused
//   them, and state(), failure() and peer_close() change at that moment too. So an
//   application that answers each message as it pops it (an echo server) answers the
//   messages that came before a Close, or before a violation, ahead of that Close, in wire
//   order, even when they all arrived in one read. Parsing stops at the peer's Close, at a
//   violation or at EOF; bytes after that are ignored.
//
//   States (7.1):
//     open          messages flow both ways
//     closing       we sent a Close and wait for the peer's; data frames received are dropped
//     closed        both Close frames were exchanged, or the connection was failed: the
//                   transport should now be closed (close_transport() says so)
//
//   On any violation the session will _Fail the WebSocket Connection_ (7.1.7): it queues a
//   Close frame with the violation's close code (1002, 1007 or 1009), reports a `failed`
//   event, moves to closed and ignores every later byte.
//
// permessage-deflate (RFC 7692), when options.deflate holds what the handshake agreed
//   RSV1 marks a compressed message on its first frame only: RSV1 on a continuation or
//   control frame fails the connection with 1002 (misplaced_rsv1, 6). A compressed message's
//   payload is unmasked and inflated piece by piece as it arrives, never buffered compressed;
//   its inflated size is capped by max_message_size (inflated_too_big, 1009) and what does
//   not inflate is bad_compressed_data (1007); text is checked for UTF-8 on the inflated
//   bytes, as they come (8.1). Uncompressed messages (RSV1 clear) are read as without the
//   extension. Outgoing messages of at least options.deflate_min_size bytes are compressed
//   (RSV1 on the first frame; each fragment of send_fragmented() flushed so that it carries
//   its own piece); the default of 0 compresses every message, so that a peer of the
//   reference endpoints sees its inflater used on every message, small ones included.
//
// Memory
//   Messages are reassembled in one buffer that the session keeps from message to message:
//   receive() copies each payload byte into it once, unmasking as it copies (5.3). Queued
//   events refer to their bytes there until they are popped, so receiving allocates only when
//   that buffer must grow. A message's first header reserves room for at most
//   1 MiB of what it announces (10.4: a header alone must not make us allocate its length;
//   the buffer grows as the bytes arrive). next_event() copies a message into the caller's
//   event, except a big one that was alone in the buffer: that buffer is swapped with the
//   event's, and the event's old buffer is kept for a later message. Besides the bytes of
//   queued events, a session keeps its reassembly buffer and at most two spare buffers, each
//   with the capacity the messages it held needed.
#pragma once

#include "harness/proto/close.hpp"
#include "harness/proto/deflate_stream.hpp"
#include "harness/proto/extension_params.hpp"
#include "harness/proto/frame.hpp"
#include "harness/proto/frame_parser.hpp"
#include "harness/proto/role.hpp"
#include "harness/proto/utf8.hpp"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace wscheck::proto {

struct session_options {
    role local_role = role::server;
    std::uint64_t max_message_size = 64 * 1024 * 1024; ///< reassembled; over it: 1009
    bool auto_pong = true;                              ///< answer pings by ourselves
    /// A client needs random mask keys (5.3); the session calls this for each frame it sends.
    /// Unset on a client: a default drawing from OpenSSL's RAND_bytes.
    std::function<mask_key()> mask_source;
    /// permessage-deflate as agreed in the opening handshake (RFC 7692); unset: no
    /// extension, and RSV1 on any frame fails the connection (5.2).
    std::optional<deflate_agreement> deflate;
    /// Outgoing messages shorter than this go uncompressed (RSV1 clear: RFC 7692 6 lets a
    /// sender choose per message). 0: every message is compressed.
    std::size_t deflate_min_size = 0;
    int deflate_level = 6;     ///< zlib compression level of outgoing messages
    int deflate_mem_level = 8; ///< zlib memLevel of the compressor
    /// Store what does not compress instead of searching it for matches
    /// (deflater_options::store_incompressible): random or already-compressed echoes cost a
    /// copy, not zlib's ~15 ns a byte.
    bool deflate_store_incompressible = true;
    /// Compress each outgoing message's first this many bytes and store the rest
    /// (deflater_options::compress_limit); 0: whole messages.
    std::size_t deflate_compress_limit = 0;
};

enum class session_state : std::uint8_t { open, closing, closed };

struct session_event {
    enum class kind : std::uint8_t {
        text,    ///< a complete text message (valid UTF-8) in `data`
        binary,  ///< a complete binary message in `data`
        ping,    ///< payload in `data` (a pong was already queued if auto_pong)
        pong,    ///< payload in `data`
        close,   ///< the peer's Close: `code` and `reason` (code absent = empty payload)
        failed,  ///< we failed the connection: `error` says why, `code` what we sent (absent
                 ///< when our Close had already gone out, so nothing new was sent)
    };
    kind what = kind::binary;
    std::vector<std::uint8_t> data;
    std::optional<std::uint16_t> code;
    std::string reason;
    std::error_code error;

    std::string_view text() const noexcept {
        return {reinterpret_cast<const char*>(data.data()), data.size()};
    }
};

class session {
public:
    explicit session(session_options options = {});

    // ---- input ----

    /// Processes bytes from the peer, which are copied (and unmasked) into the session's own
    /// buffers: `data` is not used after the call, and the session may modify it. Consumes all
    /// of `data` until reading has ended (the peer's Close, a violation, EOF); bytes after that
    /// are ignored.
    void receive(std::span<std::uint8_t> data);
    /// The transport reached EOF. Before the closing handshake completed this is an abnormal
    /// closure: the session moves to closed and reports a `close` event with code 1006 (7.1.5),
    /// which is never sent on the wire.
    void receive_eof();

    /// Pops the next event into `out`, replacing all of its fields; false when none is queued.
    /// Writes the answer the event calls for (Pong, Close echo, failing Close) and applies its
    /// state change; see the top comment. `out.data`'s storage is reused: pass the same event
    /// each time and popping allocates nothing.
    bool next_event(session_event& out);
    /// True while an event is queued: next_event() would hand one out. An endpoint that reads
    /// more only once this is false keeps at most one read's worth of events queued.
    bool has_event() const noexcept { return events_head_ != events_.size(); }

    // ---- output ----
    // Data frames are sent only while open (5.5.1: none after our Close); a client masks each
    // frame with a key from options.mask_source or RAND_bytes (5.3).

    void send_text(std::string_view text);
    void send_binary(std::span<const std::uint8_t> data);
    /// A message in several frames: `pieces` become the first frame and its continuations.
    void send_fragmented(opcode op, std::span<const std::span<const std::uint8_t>> pieces);
    /// Control frames carry at most 125 bytes (5.5): a longer payload is cut to 125.
    void send_ping(std::span<const std::uint8_t> payload = {});
    void send_pong(std::span<const std::uint8_t> payload = {});
    /// Starts the closing handshake (open -> closing). Ignored unless open. A reason longer
    /// than 123 bytes is cut at the last code point boundary that fits (5.5). No code: an
    /// empty Close payload, and `reason` is not sent.
    void close(std::optional<std::uint16_t> code = close_code::normal, std::string_view reason = {});

    /// Bytes waiting to be written to the transport.
    std::span<const std::uint8_t> output() const noexcept { return {out_.data() + out_head_, out_.size() - out_head_}; }
    /// Marks `n` bytes of output() as written.
    void consume_output(std::size_t n) noexcept;

    // ---- state ----

    session_state state() const noexcept { return state_; }
    /// True once the transport should be closed: closed and all output written.
    bool close_transport() const noexcept { return state_ == session_state::closed && output().empty(); }
    /// The violation that failed the connection, once its `failed` event was popped.
    std::error_code failure() const noexcept { return failure_; }
    /// The Close the peer sent, once its `close` event was popped.
    const std::optional<close_payload>& peer_close() const noexcept { return peer_close_; }
    /// Enables RSV1 for permessage-deflate once negotiated.
    frame_parser& parser() noexcept { return parser_; }
    /// The permessage-deflate agreement in use (options.deflate).
    const std::optional<deflate_agreement>& deflate() const noexcept { return options_.deflate; }
    /// Bytes zlib holds for this session's compressor and decompressor.
    std::size_t deflate_memory() const noexcept;

private:
    /// What popping an event does besides handing it out.
    enum class effect : std::uint8_t { none, pong, peer_close, fail, eof };
    /// Where a queued event's payload is.
    enum class storage : std::uint8_t {
        none,    ///< no payload (close, failed)
        message, ///< msg_buf_[offset, offset + size)
        control, ///< control_buf_[offset, offset + size)
        owned,   ///< `owned`: a big message handed over with its buffer, not copied
    };
    /// A queued event. The bytes stay in the session's buffers until it is popped, so queuing
    /// a message allocates nothing; next_event() copies them into, or swaps them with, the
    /// caller's event.
    struct pending_event {
        session_event::kind what = session_event::kind::binary;
        effect then = effect::none;
        storage where = storage::none;
        std::optional<std::uint16_t> code;
        std::size_t offset = 0;
        std::size_t size = 0;
        std::vector<std::uint8_t> owned;
    };

    void write_frame(opcode op, bool fin, std::span<const std::uint8_t> payload, bool rsv1 = false);
    void send_compressed(opcode op, std::span<const std::span<const std::uint8_t>> pieces);
    void on_compressed_header();
    void on_compressed_payload(std::span<std::uint8_t> data);
    void on_compressed_message_end();
    pending_event& queue(session_event::kind what, effect then = effect::none);
    void fail(std::error_code ec);
    void on_header();
    void on_payload(std::span<std::uint8_t> data);
    void on_frame_end();
    void on_message_end();
    void apply(pending_event& p);
    void reserve_message(std::size_t n);
    void grow_message(std::size_t n);
    std::size_t piece_phase(std::size_t n) const noexcept;
    void recycle(std::vector<std::uint8_t>&& buffer);
    void reset_queue() noexcept;
    std::span<const std::uint8_t> payload_of(const pending_event& p) const noexcept;
    mask_key next_mask_key();

    session_options options_;
    frame_parser parser_;
    session_state state_ = session_state::open;
    // queued events: events_[events_head_...]; emptied (capacity kept) once all are popped
    std::vector<pending_event> events_;
    std::size_t events_head_ = 0;
    // read side: parsing stops at the peer's Close, a violation or EOF
    bool rd_done_ = false;
    opcode rd_op_ = opcode::text;   // opcode of the frame being read
    bool rd_fin_ = true;
    bool rd_drop_ = false;          // data frame read while closing: dropped
    // Message bytes: msg_buf_[0, msg_start_) holds queued messages, [msg_start_, msg_len_)
    // the message being reassembled. msg_buf_ is kept from message to message; its size() is
    // how much of it is initialized (all its capacity once it has grown), not the bytes in
    // use, so that appending is a plain write.
    opcode msg_op_ = opcode::text;
    std::vector<std::uint8_t> msg_buf_;
    std::size_t msg_start_ = 0;
    std::size_t msg_len_ = 0;
    utf8_validator utf8_;
    // permessage-deflate: the message being read is compressed (RSV1 on its first frame);
    // its compressed bytes so far; its inflated bytes (handed over or copied into msg_buf_
    // once whole); the streams; the compressed frame being sent.
    bool msg_compressed_ = false;
    std::uint64_t msg_wire_size_ = 0;
    std::vector<std::uint8_t> inflated_;
    std::optional<message_inflater> inflater_;
    std::optional<message_deflater> deflater_;
    std::vector<std::uint8_t> deflated_;
    // Buffers the caller handed back for big messages, reused as msg_buf_ (at most 2 kept).
    std::vector<std::vector<std::uint8_t>> spares_;
    // Control payloads: those of queued pings and pongs, then from control_start_ the control
    // frame being read.
    std::vector<std::uint8_t> control_buf_;
    std::size_t control_start_ = 0;
    // The reason of the queued Close, the violation of the queued `failed` event (at most
    // one of either: reading stops there).
    std::string close_reason_;
    std::error_code fail_error_;
    // output
    std::vector<std::uint8_t> out_;
    std::size_t out_head_ = 0;
    bool close_sent_ = false;
    std::optional<close_payload> peer_close_;
    std::error_code failure_;
};

} // namespace wscheck::proto
