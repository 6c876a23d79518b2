#include "harness/proto/session.hpp"

#include "harness/proto/error.hpp"
#include "harness/proto/mask.hpp"

#include <openssl/rand.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <stdexcept>
#include <utility>

namespace wscheck::proto {
namespace {

frame_parser_options parser_options_for(const session_options& options) {
    frame_parser_options p;
    p.local_role = options.local_role;
    p.mode = parse_mode::strict;
    // RFC 7692 6: permessage-deflate defines RSV1 (the "Per-Message Compressed" bit).
    p.rsv1_allowed = options.deflate.has_value();
    // The session unmasks payload while copying it into its own buffers (one pass).
    p.unmask = false;
    return p;
}

/// The close code to _Fail the WebSocket Connection_ with for `ec` (7.1.7, 7.4.1).
std::uint16_t fail_code_for(std::error_code ec) noexcept {
    const violation_info* row = info(ec);
    if (row == nullptr || row->close_code == 0)
        return close_code::protocol_error;
    return row->close_code;
}

/// `reason` cut to at most `limit` bytes without splitting a UTF-8 sequence.
std::string_view cut_reason(std::string_view reason, std::size_t limit) noexcept {
    if (reason.size() <= limit)
        return reason;
    std::size_t cut = limit;
    // reason[cut] is the first byte left out; while it continues a sequence, that sequence
    // started inside the kept part and must go too.
    while (cut > 0 && (static_cast<unsigned char>(reason[cut]) & 0xC0u) == 0x80u)
        --cut;
    return reason.substr(0, cut);
}

/// Reclaim the written front of the output buffer once it is big and mostly written.
constexpr std::size_t output_compact_threshold = 64 * 1024;

/// The most a frame header makes us reserve before its payload arrives (10.4: a peer that
/// announces 64 MiB and sends nothing must not cost 64 MiB).
constexpr std::size_t reserve_ahead = 1024 * 1024;

/// From this size a message alone in the reassembly buffer is handed over with its buffer
/// instead of being copied out of it.
constexpr std::size_t hand_over_min = 16 * 1024;

/// Buffers handed back by the caller and kept for big messages.
constexpr std::size_t max_spares = 2;

/// A default error_code to compare with: constructing one calls std::system_category(), an
/// out-of-line call too costly to make for every event.
const std::error_code no_error{};

/// The compressed size a message may have before it is refused: deflate can expand
/// incompressible data a little (zlib's deflateBound: about 1 byte in 1000), and a message of
/// max_message_size bytes must still get through.
std::uint64_t compressed_limit(std::uint64_t max_message_size) noexcept {
    const std::uint64_t slack = max_message_size / 512 + 1024;
    return max_message_size > UINT64_MAX - slack ? UINT64_MAX : max_message_size + slack;
}

} // namespace

session::session(session_options options)
    : options_{std::move(options)}, parser_{parser_options_for(options_)} {
    if (!options_.deflate) {
        return;
    }
    // RFC 7692 7.1: each direction has its own window and context rule; ours to send are the
    // server_* parameters when we are the server, the client_* ones when we are the client.
    const deflate_agreement& a = *options_.deflate;
    const bool server = options_.local_role == role::server;
    deflater_options d;
    d.window_bits = server ? a.server_max_window_bits : a.client_max_window_bits;
    d.no_context_takeover = server ? a.server_no_context_takeover : a.client_no_context_takeover;
    d.level = options_.deflate_level;
    d.mem_level = options_.deflate_mem_level;
    d.store_incompressible = options_.deflate_store_incompressible;
    d.compress_limit = options_.deflate_compress_limit;
    deflater_.emplace(d);
    inflater_options i;
    i.window_bits = server ? a.client_max_window_bits : a.server_max_window_bits;
    i.no_context_takeover = server ? a.client_no_context_takeover : a.server_no_context_takeover;
    i.max_message_size = options_.max_message_size;
    // The decoder of deflate_decoder.hpp, not zlib's inflate: it reads the same DEFLATE two to
    // three times as fast (bench/inflate_vs_zlib.cpp), and holds the peer to the window it
    // agreed exactly (7.1.2), where zlib lets a reference reach further within one call.
    i.exact_window = true;
    inflater_.emplace(i);
}

std::size_t session::deflate_memory() const noexcept {
    return (deflater_ ? deflater_->memory_in_use() : 0) + (inflater_ ? inflater_->memory_in_use() : 0);
}

// ---------------------------------------------------------------- input

void session::receive(std::span<std::uint8_t> data) {
    // Every event but need_more either consumes a byte or is a frame_end that follows a
    // header or payload event that did, so the parser gives at most 2n + 1 events for n bytes.
    const std::size_t max_events = 2 * data.size() + 2;
    for (std::size_t i = 0; i < max_events && !rd_done_; ++i) {
        const frame_parser::result r = parser_.feed(data);
        data = data.subspan(r.consumed);
        switch (r.what) {
        case frame_parser::event::need_more:
            return; // all of `data` was consumed
        case frame_parser::event::header:
            on_header();
            break;
        case frame_parser::event::payload:
            on_payload(r.data);
            break;
        case frame_parser::event::frame_end:
            on_frame_end();
            break;
        case frame_parser::event::error:
            fail(r.error);
            return;
        }
    }
}

void session::receive_eof() {
    if (rd_done_)
        return;
    rd_done_ = true;
    // 7.1.5: the connection closed without a Close frame: _The WebSocket Connection Close
    // Code_ is 1006, which is never sent.
    queue(session_event::kind::close, effect::eof).code = close_code::abnormal;
}

inline void session::on_header() {
    const frame_header& h = parser_.header();
    rd_op_ = h.op;
    rd_fin_ = h.fin;
    // RFC 7692 6: RSV1 says "compressed" on a message's first frame and nowhere else (the
    // parser let RSV1 through only because the extension was agreed).
    if (h.rsv1 && (is_control(h.op) || h.op == opcode::cont)) {
        fail(violation::misplaced_rsv1);
        return;
    }
    if (is_control(h.op)) {
        control_buf_.resize(control_start_);
        return;
    }
    // 7.1 closing: after our Close, data the peer still sends is read and dropped.
    rd_drop_ = close_sent_;
    if (rd_drop_) {
        msg_len_ = msg_start_;
        return;
    }
    // The parser has checked the order of fragments (5.4): a text or binary frame starts a
    // message (so none is in progress), a continuation frame continues the one in progress.
    if (h.op != opcode::cont) {
        msg_op_ = h.op;
        utf8_.reset();
        msg_compressed_ = h.rsv1;
    }
    if (msg_compressed_) {
        on_compressed_header();
        return;
    }
    // 10.4: refuse a message over the limit as soon as a header announces it.
    const std::size_t so_far = msg_len_ - msg_start_;
    if (h.length > options_.max_message_size - so_far) {
        fail(violation::message_too_big);
        return;
    }
    // Room for the frame, so its pieces are appended without regrowing; but a header is only
    // a promise: reserve at most reserve_ahead before the bytes arrive.
    reserve_message(static_cast<std::size_t>(std::min<std::uint64_t>(h.length, reserve_ahead)));
}

inline void session::on_payload(std::span<std::uint8_t> data) {
    if (is_control(rd_op_)) {
        // At most 125 bytes: the parser refused bigger control frames (5.5).
        const std::size_t at = control_buf_.size();
        control_buf_.insert(control_buf_.end(), data.begin(), data.end());
        // 5.3: a client's frames are masked (the parser has checked which role sends them).
        if (parser_.header().masked)
            mask_inplace(std::span{control_buf_}.subspan(at), parser_.header().key,
                         piece_phase(data.size()));
        return;
    }
    if (rd_drop_)
        return;
    if (msg_compressed_) {
        on_compressed_payload(data);
        return;
    }
    reserve_message(data.size());
    const std::span<std::uint8_t> to = std::span{msg_buf_}.subspan(msg_len_, data.size());
    if (parser_.header().masked) {
        mask_copy(data, to, parser_.header().key, piece_phase(data.size()));
    } else {
        std::memcpy(to.data(), data.data(), data.size());
    }
    msg_len_ += data.size();
    // 8.1: fail fast, on the first piece that holds an invalid byte, whatever fragment or
    // read it arrives in.
    if (msg_op_ == opcode::text && !utf8_.write(to))
        fail(violation::bad_utf8);
}

// The compressed path is kept out of line, so that the uncompressed one stays as small and
// fast as it was before permessage-deflate.

void session::on_compressed_header() {
    const frame_header& h = parser_.header();
    if (h.op != opcode::cont) {
        msg_wire_size_ = 0;
        inflated_.clear();
    }
    // Compressed bytes are inflated as they come, never kept: only their count is capped
    // here (the inflated size is capped by the inflater).
    if (h.length > compressed_limit(options_.max_message_size) - msg_wire_size_) {
        fail(violation::message_too_big);
        return;
    }
    msg_wire_size_ += h.length;
}

void session::on_compressed_payload(std::span<std::uint8_t> data) {
    // receive() lets the session modify its input: unmask in place, then inflate.
    if (parser_.header().masked)
        mask_inplace(data, parser_.header().key, piece_phase(data.size()));
    const std::size_t at = inflated_.size();
    if (const std::error_code ec = inflater_->write(data, inflated_)) {
        fail(ec);
        return;
    }
    // 8.1: fail fast on the inflated bytes, as for uncompressed text.
    if (msg_op_ == opcode::text && !utf8_.write(std::span<const std::uint8_t>{inflated_}.subspan(at)))
        fail(violation::bad_utf8);
}

void session::on_compressed_message_end() {
    msg_compressed_ = false;
    const std::size_t at = inflated_.size();
    if (const std::error_code ec = inflater_->finish(inflated_)) {
        fail(ec);
        return;
    }
    // 8.1, on the inflated bytes: valid, and not ending inside a sequence.
    if (msg_op_ == opcode::text &&
        (!utf8_.write(std::span<const std::uint8_t>{inflated_}.subspan(at)) || !utf8_.finish())) {
        fail(violation::bad_utf8);
        return;
    }
    pending_event& p = queue(msg_op_ == opcode::text ? session_event::kind::text
                                                     : session_event::kind::binary);
    if (inflated_.size() >= hand_over_min) {
        // Handed over with its buffer, as a big uncompressed message is.
        p.where = storage::owned;
        p.owned.swap(inflated_);
        inflated_.clear();
        return;
    }
    // Small: copied next to the other queued messages; inflated_ is kept for the next one.
    reserve_message(inflated_.size());
    if (!inflated_.empty())
        std::memcpy(msg_buf_.data() + msg_len_, inflated_.data(), inflated_.size());
    msg_len_ += inflated_.size();
    inflated_.clear();
    p.where = storage::message;
    p.offset = msg_start_;
    p.size = msg_len_ - msg_start_;
    msg_start_ = msg_len_;
}

inline std::size_t session::piece_phase(std::size_t n) const noexcept {
    // The piece just delivered ends where the frame's remaining bytes start.
    const std::uint64_t offset = parser_.header().length - parser_.remaining() - n;
    return static_cast<std::size_t>(offset & 3u);
}

inline void session::reserve_message(std::size_t n) {
    if (msg_buf_.size() - msg_len_ < n)
        grow_message(n);
}

void session::grow_message(std::size_t n) {
    const std::size_t capacity = msg_buf_.capacity();
    if (!spares_.empty() && spares_.back().capacity() >= msg_len_ + n) {
        // A buffer the caller handed back is big enough: use it rather than allocate.
        std::vector<std::uint8_t>& spare = spares_.back();
        spare.resize(spare.capacity());
        if (msg_len_ != 0) // an empty vector's data() may be null, which memcpy must not get
            std::memcpy(spare.data(), msg_buf_.data(), msg_len_);
        msg_buf_.swap(spare);
        if (spare.capacity() < hand_over_min)
            spares_.pop_back();
        return;
    }
    // Grow geometrically, so that a message arriving in many pieces is copied O(1) times on
    // average, and never by more than twice what the buffer holds plus reserve_ahead. The
    // whole capacity is initialized once, here, so that appending is a plain write.
    if (capacity - msg_len_ < n)
        msg_buf_.reserve(std::max(msg_len_ + n, 2 * capacity));
    msg_buf_.resize(msg_buf_.capacity());
}

inline void session::on_frame_end() {
    if (!is_control(rd_op_)) {
        if (!rd_drop_ && rd_fin_)
            on_message_end();
        return;
    }
    const std::span<const std::uint8_t> payload =
        std::span<const std::uint8_t>{control_buf_}.subspan(control_start_);
    switch (rd_op_) {
    case opcode::ping:
    case opcode::pong: {
        pending_event& p = rd_op_ == opcode::ping ? queue(session_event::kind::ping, effect::pong)
                                                  : queue(session_event::kind::pong);
        p.where = storage::control;
        p.offset = control_start_;
        p.size = payload.size();
        control_start_ = control_buf_.size();
        return;
    }
    case opcode::close: {
        close_payload parsed;
        // 5.5.1, 7.4: empty, or a code valid on the wire and a UTF-8 reason
        if (const std::error_code ec = parse_close_payload(payload, parsed)) {
            fail(ec);
            return;
        }
        control_buf_.resize(control_start_);
        close_reason_ = std::move(parsed.reason);
        // 5.5.1: nothing the peer sends after its Close counts.
        rd_done_ = true;
        queue(session_event::kind::close, effect::peer_close).code = parsed.code;
        return;
    }
    default:
        // Reserved control opcodes never get here: the strict parser refused them (5.2).
        fail(violation::bad_opcode);
        return;
    }
}

inline void session::on_message_end() {
    if (msg_compressed_) {
        on_compressed_message_end();
        return;
    }
    // 8.1: a text message must not end inside a UTF-8 sequence.
    if (msg_op_ == opcode::text && !utf8_.finish()) {
        fail(violation::bad_utf8);
        return;
    }
    pending_event& p = queue(msg_op_ == opcode::text ? session_event::kind::text
                                                     : session_event::kind::binary);
    const std::size_t size = msg_len_ - msg_start_;
    if (msg_start_ == 0 && size >= hand_over_min) {
        // A big message alone in the buffer: the event takes the buffer, to be swapped with
        // the caller's, rather than copied; the next message goes into a spare.
        p.where = storage::owned;
        msg_buf_.resize(msg_len_);
        p.owned.swap(msg_buf_);
        msg_len_ = 0;
        if (!spares_.empty()) {
            msg_buf_.swap(spares_.back());
            spares_.pop_back();
        }
        return;
    }
    p.where = storage::message;
    p.offset = msg_start_;
    p.size = size;
    msg_start_ = msg_len_;
}

void session::fail(std::error_code ec) {
    // _Fail the WebSocket Connection_ (7.1.7): stop reading; the Close goes out when the
    // `failed` event is popped.
    rd_done_ = true;
    fail_error_ = ec;
    queue(session_event::kind::failed, effect::fail).code = fail_code_for(ec);
}

inline session::pending_event& session::queue(session_event::kind what, effect then) {
    pending_event& p = events_.emplace_back();
    p.what = what;
    p.then = then;
    return p;
}

inline std::span<const std::uint8_t> session::payload_of(const pending_event& p) const noexcept {
    switch (p.where) {
    case storage::none:
        break;
    case storage::message:
        return std::span<const std::uint8_t>{msg_buf_}.subspan(p.offset, p.size);
    case storage::control:
        return std::span<const std::uint8_t>{control_buf_}.subspan(p.offset, p.size);
    case storage::owned:
        return p.owned;
    }
    return {};
}

bool session::next_event(session_event& out) {
    if (events_head_ == events_.size())
        return false;
    pending_event& p = events_[events_head_++];
    if (p.then != effect::none)
        apply(p);
    out.what = p.what;
    out.code = p.code;
    if (p.what == session_event::kind::failed) {
        out.error = fail_error_;
    } else if (out.error != no_error) {
        out.error = no_error;
    }
    out.reason.clear();
    if (p.then == effect::peer_close)
        out.reason.swap(close_reason_);
    if (p.where == storage::owned) {
        out.data.swap(p.owned);
        recycle(std::move(p.owned));
    } else {
        const std::span<const std::uint8_t> payload = payload_of(p);
        out.data.assign(payload.begin(), payload.end());
    }
    if (events_head_ == events_.size())
        reset_queue();
    return true;
}

void session::recycle(std::vector<std::uint8_t>&& buffer) {
    // Keep the caller's old buffer for a later big message if it is worth keeping.
    // Its bytes stay as they are: they are initialized, so grow_message() reuses them as
    // they are, without clearing.
    if (buffer.capacity() < hand_over_min || spares_.size() >= max_spares)
        return;
    spares_.push_back(std::move(buffer));
}

inline void session::reset_queue() noexcept {
    // Every event was popped: their bytes are no longer needed. What is left is the part of
    // the message or control frame being read, moved to the front.
    events_.clear();
    events_head_ = 0;
    if (msg_start_ != 0) {
        std::memmove(msg_buf_.data(), msg_buf_.data() + msg_start_, msg_len_ - msg_start_);
        msg_len_ -= msg_start_;
        msg_start_ = 0;
    }
    if (control_start_ != 0) {
        control_buf_.erase(control_buf_.begin(),
                           control_buf_.begin() + static_cast<std::ptrdiff_t>(control_start_));
        control_start_ = 0;
    }
}

inline void session::apply(pending_event& p) {
    switch (p.then) {
    case effect::none:
        return;
    case effect::pong:
        // 5.5.2: answer a Ping with a Pong carrying its payload; after our Close we send no
        // more frames (5.5.1).
        if (options_.auto_pong && state_ == session_state::open)
            write_frame(opcode::pong, true, payload_of(p));
        return;
    case effect::peer_close:
        peer_close_ = close_payload{p.code, close_reason_};
        if (state_ == session_state::open && !close_sent_) {
            // 5.5.1: answer a Close with a Close, echoing the status code received (none
            // for an empty payload).
            write_frame(opcode::close, true, build_close_payload(p.code));
            close_sent_ = true;
        }
        state_ = session_state::closed;
        return;
    case effect::fail:
        failure_ = fail_error_;
        if (!close_sent_) {
            write_frame(opcode::close, true, build_close_payload(p.code));
            close_sent_ = true;
        } else {
            p.code.reset(); // our Close went out before: nothing new was sent
        }
        state_ = session_state::closed;
        return;
    case effect::eof:
        state_ = session_state::closed;
        return;
    }
}

// ---------------------------------------------------------------- output

mask_key session::next_mask_key() {
    if (options_.mask_source)
        return options_.mask_source();
    // 5.3: the masking key must be unpredictable; a session without one cannot send.
    mask_key key{};
    if (RAND_bytes(key.data(), static_cast<int>(key.size())) != 1)
        throw std::runtime_error("session: RAND_bytes failed to give a mask key");
    return key;
}

void session::write_frame(opcode op, bool fin, std::span<const std::uint8_t> payload, bool rsv1) {
    frame_header h;
    h.fin = fin;
    h.rsv1 = rsv1;
    h.op = op;
    h.length = payload.size();
    // 5.1: a client masks every frame it sends, a server none.
    h.masked = options_.local_role == role::client;
    if (h.masked)
        h.key = next_mask_key();
    std::array<std::uint8_t, max_header_size> header{};
    const std::size_t header_bytes = encode_header(h, header);
    const std::size_t start = out_.size();
    out_.resize(start + header_bytes + payload.size());
    std::copy_n(header.begin(), header_bytes, out_.begin() + static_cast<std::ptrdiff_t>(start));
    std::copy(payload.begin(), payload.end(),
              out_.begin() + static_cast<std::ptrdiff_t>(start + header_bytes));
    if (h.masked)
        mask_inplace(std::span{out_}.subspan(start + header_bytes), h.key);
}

void session::consume_output(std::size_t n) noexcept {
    out_head_ += std::min(n, out_.size() - out_head_);
    if (out_head_ == out_.size()) {
        out_.clear();
        out_head_ = 0;
    } else if (out_head_ >= output_compact_threshold && out_head_ * 2 >= out_.size()) {
        out_.erase(out_.begin(), out_.begin() + static_cast<std::ptrdiff_t>(out_head_));
        out_head_ = 0;
    }
}

void session::send_text(std::string_view text) {
    send_fragmented(opcode::text,
                    std::array{std::span{reinterpret_cast<const std::uint8_t*>(text.data()),
                                         text.size()}});
}

void session::send_binary(std::span<const std::uint8_t> data) {
    send_fragmented(opcode::binary, std::array{data});
}

void session::send_fragmented(opcode op, std::span<const std::span<const std::uint8_t>> pieces) {
    // 5.5.1: no data frames after our Close.
    if (state_ != session_state::open)
        return;
    if (deflater_) {
        std::size_t size = 0;
        for (const auto& piece : pieces)
            size += piece.size();
        if (size >= options_.deflate_min_size) {
            send_compressed(op, pieces);
            return;
        }
    }
    if (pieces.empty()) {
        write_frame(op, true, {});
        return;
    }
    // 5.4: the first frame has the message's opcode, the others are continuations; FIN is
    // set on the last.
    for (std::size_t i = 0; i < pieces.size(); ++i)
        write_frame(i == 0 ? op : opcode::cont, i + 1 == pieces.size(), pieces[i]);
}

void session::send_compressed(opcode op, std::span<const std::span<const std::uint8_t>> pieces) {
    // RFC 7692 6: RSV1 on the first frame of the message only. Every fragment but the last
    // is flushed so that it carries its own piece; the last one ends the data (7.2.1).
    const std::size_t frames = std::max<std::size_t>(pieces.size(), 1);
    for (std::size_t i = 0; i < frames; ++i) {
        deflated_.clear();
        const bool last = i + 1 == frames;
        if (!pieces.empty())
            deflater_->write(pieces[i], deflated_, !last);
        if (last)
            deflater_->finish(deflated_);
        write_frame(i == 0 ? op : opcode::cont, last, deflated_, i == 0);
    }
}

void session::send_ping(std::span<const std::uint8_t> payload) {
    if (state_ != session_state::open)
        return;
    write_frame(opcode::ping, true, payload.first(std::min(payload.size(), max_control_payload)));
}

void session::send_pong(std::span<const std::uint8_t> payload) {
    if (state_ != session_state::open)
        return;
    write_frame(opcode::pong, true, payload.first(std::min(payload.size(), max_control_payload)));
}

void session::close(std::optional<std::uint16_t> code, std::string_view reason) {
    if (state_ != session_state::open)
        return;
    // 5.5: 125 bytes of control payload, 2 of them the code.
    write_frame(opcode::close, true, build_close_payload(code, cut_reason(reason, max_close_reason)));
    close_sent_ = true;
    state_ = session_state::closing;
}

} // namespace wscheck::proto
