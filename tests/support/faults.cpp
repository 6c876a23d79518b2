#include "tests/support/faults.hpp"

#include "harness/proto/deflate_stream.hpp"
#include "harness/proto/error.hpp"

#include <algorithm>
#include <cctype>
#include <deque>
#include <mutex>
#include <optional>
#include <random>

namespace wscheck::test_support {

namespace {

using proto::frame_header;
using proto::opcode;
using proto::violation_set;

/// The first frame of a data message (5.4).
bool starts_message(opcode op) noexcept { return op == opcode::text || op == opcode::binary; }

proto::mask_key random_key() {
    thread_local std::mt19937 gen{std::random_device{}()};
    std::uniform_int_distribution<unsigned> byte(0, 255);
    return {static_cast<std::uint8_t>(byte(gen)), static_cast<std::uint8_t>(byte(gen)),
            static_cast<std::uint8_t>(byte(gen)), static_cast<std::uint8_t>(byte(gen))};
}

// ---------------------------------------------------------------- up (client -> server)

/// 5.2: a server must fail the connection on a reserved opcode. This one treats data opcodes
/// 3-7 as binary and ignores reserved control frames.
class reserved_opcodes_accepted final : public frame_filter {
public:
    frame_action on_header(frame_header& h, const violation_set&, std::vector<relay_frame>&) override {
        const auto v = static_cast<unsigned>(h.op);
        if (v >= 0x3 && v <= 0x7) {
            h.op = opcode::binary;
        } else if (v >= 0xB) {
            return frame_action::drop;
        }
        return frame_action::forward;
    }
};

/// 5.2: RSV bits without a negotiated extension must fail the connection; this server
/// never looks at them.
class reserved_bits_accepted final : public frame_filter {
public:
    frame_action on_header(frame_header& h, const violation_set&, std::vector<relay_frame>&) override {
        h.rsv1 = h.rsv2 = h.rsv3 = false;
        return frame_action::forward;
    }
};

/// 5.1: a server must fail the connection on an unmasked client frame; this one takes it.
class unmasked_accepted final : public frame_filter {
public:
    frame_action on_header(frame_header& h, const violation_set&, std::vector<relay_frame>&) override {
        if (!h.masked) {
            h.masked = true;
            h.key = random_key();
        }
        return frame_action::forward;
    }
};

/// A server that trusts the announced length and dies on a huge one.
class dies_on_huge_length final : public frame_filter {
public:
    frame_action on_header(frame_header& h, const violation_set&, std::vector<relay_frame>&) override {
        return h.length > huge_length ? frame_action::crash : frame_action::forward;
    }
};

/// A server that sizes its inflate buffer from a compressed frame's announced length (as some
/// do, to inflate in one call) and dies on a huge one; uncompressed frames it bounds as it
/// should, so only abuse inside permessage-deflate (25.1) reaches the bug.
class inflate_sized_from_header final : public frame_filter {
public:
    frame_action on_header(frame_header& h, const violation_set&, std::vector<relay_frame>&) override {
        return h.rsv1 && h.length > huge_length ? frame_action::crash : frame_action::forward;
    }
};

/// RFC 7692 7.2.2 (and RFC 1951): a server whose inflater does not check what it reads. A
/// one-frame compressed message that does not inflate (a back-reference before the stream, a
/// bad block) goes up as one that inflates to "accepted", so the server echoes instead of
/// failing with 1007. Messages that inflate go up as they came; the filter inflates them with
/// the connection's context (the default agreement: 15-bit windows, context takeover), and
/// once the server's context and its own part ways, it lets everything through.
class inflate_unchecked final : public frame_filter {
public:
    frame_action on_header(frame_header& h, const violation_set&, std::vector<relay_frame>&) override {
        return !lost_ && h.rsv1 && h.fin && starts_message(h.op) ? frame_action::collect : frame_action::forward;
    }
    void on_frame(relay_frame f, std::vector<relay_frame>& out) override {
        std::vector<std::uint8_t> inflated;
        const auto ec = inflater_.inflate(f.payload, inflated);
        if (ec && ec != proto::violation::bad_compressed_data) {
            lost_ = true; // too big to check here (a bomb): the server judges it, as it should
        } else if (ec) {
            static constexpr std::string_view accepted = "accepted";
            proto::message_deflater fresh{proto::deflater_options{proto::max_window_bits, true}};
            fresh.compress(std::span{reinterpret_cast<const std::uint8_t*>(accepted.data()), accepted.size()}, f.payload);
            f.header.op = opcode::text;
            lost_ = true; // our inflater is spent; the server's holds "accepted"
        }
        out.push_back(std::move(f));
    }

private:
    proto::message_inflater inflater_{proto::inflater_options{proto::max_window_bits, false, 64 * 1024 * 1024, true}};
    bool lost_ = false;
};

/// 8.1 / 5.6: a server that validates text only once the message is complete: each text
/// message is held until its final frame arrives and goes up whole, in one frame, so invalid
/// UTF-8 is failed at the end instead of as soon as it arrives (6.4's fail-fast cases).
/// Anything that breaks framing while a message is held sends the held frames up as they
/// came, so the server judges framing as usual.
class utf8_checked_at_end final : public frame_filter {
public:
    frame_action on_header(frame_header& h, const violation_set& broken, std::vector<relay_frame>& before) override {
        if (!broken.empty()) {
            flush(before);
            return frame_action::forward;
        }
        if (h.op == opcode::text || (h.op == opcode::cont && !held_.empty())) {
            return frame_action::collect;
        }
        return frame_action::forward; // control frames in between go on at once, as binary does
    }
    void on_frame(relay_frame f, std::vector<relay_frame>& out) override {
        const bool last = f.header.fin;
        held_.push_back(std::move(f));
        if (!last) {
            return;
        }
        relay_frame whole;
        whole.header.fin = true;
        whole.header.op = opcode::text;
        whole.header.masked = true;
        whole.header.key = random_key();
        for (const auto& part : held_) {
            whole.payload.insert(whole.payload.end(), part.payload.begin(), part.payload.end());
        }
        held_.clear();
        out.push_back(std::move(whole));
    }

private:
    void flush(std::vector<relay_frame>& out) {
        for (auto& f : held_) {
            out.push_back(std::move(f));
        }
        held_.clear();
    }
    std::vector<relay_frame> held_;
};

/// 8.1: a server that never validates text: text messages go up as binary (which the reference
/// server does not check), and the echo of each one comes down as text again. The two
/// directions share which messages were text; the echo server answers them in order.
struct text_memory {
    std::mutex lock;
    std::deque<bool> was_text; ///< per message sent up, oldest first
};

class no_utf8_check_up final : public frame_filter {
public:
    explicit no_utf8_check_up(std::shared_ptr<text_memory> m) : memory_(std::move(m)) {}
    frame_action on_header(frame_header& h, const violation_set&, std::vector<relay_frame>&) override {
        if (starts_message(h.op)) {
            std::lock_guard g{memory_->lock};
            memory_->was_text.push_back(h.op == opcode::text);
            h.op = opcode::binary;
        }
        return frame_action::forward;
    }

private:
    std::shared_ptr<text_memory> memory_;
};

class no_utf8_check_down final : public frame_filter {
public:
    explicit no_utf8_check_down(std::shared_ptr<text_memory> m) : memory_(std::move(m)) {}
    frame_action on_header(frame_header& h, const violation_set&, std::vector<relay_frame>&) override {
        if (starts_message(h.op)) {
            std::lock_guard g{memory_->lock};
            if (!memory_->was_text.empty()) {
                if (memory_->was_text.front()) {
                    h.op = opcode::text;
                }
                memory_->was_text.pop_front();
            }
        }
        return frame_action::forward;
    }

private:
    std::shared_ptr<text_memory> memory_;
};

// ---------------------------------------------------------------- down (server -> client)

/// 5.5.3: a Pong must carry the Ping's payload; this one's differs (one byte flipped, or one
/// added to an empty payload).
class wrong_pong_payload final : public frame_filter {
public:
    frame_action on_header(frame_header& h, const violation_set&, std::vector<relay_frame>&) override {
        return h.op == opcode::pong ? frame_action::collect : frame_action::forward;
    }
    void on_frame(relay_frame f, std::vector<relay_frame>& out) override {
        if (f.payload.empty()) {
            f.payload.push_back('!');
        } else {
            f.payload.front() ^= 0xFF;
        }
        out.push_back(std::move(f));
    }
};

/// 5.5.1: an endpoint that receives a Close must answer with one; this server's Close frames
/// never arrive (and the proxy keeps the client's TCP open, see fault_plan::keep_client_open).
class close_swallowed final : public frame_filter {
public:
    frame_action on_header(frame_header& h, const violation_set&, std::vector<relay_frame>&) override {
        return h.op == opcode::close ? frame_action::drop : frame_action::forward;
    }
};

/// 7.4.1: the close code says why; this server always says 1000 (normal closure), whatever
/// it failed on and whatever code it echoes. An empty Close stays empty.
class close_code_always_normal final : public frame_filter {
public:
    frame_action on_header(frame_header& h, const violation_set&, std::vector<relay_frame>&) override {
        return h.op == opcode::close ? frame_action::collect : frame_action::forward;
    }
    void on_frame(relay_frame f, std::vector<relay_frame>& out) override {
        if (f.payload.size() >= 2) {
            f.payload[0] = 0x03; // 1000, network byte order (5.5.1)
            f.payload[1] = 0xE8;
        }
        out.push_back(std::move(f));
    }
};

/// 5.1: a server must not mask its frames; this one does.
class server_masks_frames final : public frame_filter {
public:
    frame_action on_header(frame_header& h, const violation_set&, std::vector<relay_frame>&) override {
        if (!h.masked) {
            h.masked = true;
            h.key = random_key();
        }
        return frame_action::forward;
    }
};

/// 5.4: the frames after a message's first must be continuation frames; this server splits
/// each whole text or binary message in two and gives both halves the message's opcode. The
/// first half (n/2 bytes, possibly none) has FIN clear, the rest FIN set. Control frames and
/// messages already fragmented come down as they are.
class echo_split_without_continuation final : public frame_filter {
public:
    frame_action on_header(frame_header& h, const violation_set&, std::vector<relay_frame>&) override {
        return starts_message(h.op) && h.fin ? frame_action::collect : frame_action::forward;
    }
    void on_frame(relay_frame f, std::vector<relay_frame>& out) override {
        const auto half = static_cast<std::ptrdiff_t>(f.payload.size() / 2);
        relay_frame first{f.header, {f.payload.begin(), f.payload.begin() + half}};
        first.header.fin = false;
        f.payload.erase(f.payload.begin(), f.payload.begin() + half);
        out.push_back(std::move(first));
        out.push_back(std::move(f));
    }
};

/// 5.4, 6.2: messages are received, and so echoed, in the order sent. This server holds each
/// whole echo up to `hold` and sends the next echo, when one comes meanwhile, before it (a
/// server that hands messages to its application out of order). Control frames pass (a Pong
/// may overtake an echo anyway), except a Close, which the held echo precedes; a fragmented
/// echo is never entered by a held one.
class echoes_reordered final : public frame_filter {
public:
    using clock = std::chrono::steady_clock;
    static constexpr std::chrono::milliseconds hold{200};

    frame_action on_header(frame_header& h, const violation_set&, std::vector<relay_frame>& before) override {
        if (starts_message(h.op) && h.fin && !in_fragmented_) {
            return frame_action::collect;
        }
        if (h.op == opcode::close || starts_message(h.op) || h.op == opcode::cont) {
            flush(before);
        }
        if (starts_message(h.op) || h.op == opcode::cont) {
            in_fragmented_ = !h.fin;
        }
        return frame_action::forward;
    }
    void on_frame(relay_frame f, std::vector<relay_frame>& out) override {
        if (held_) {
            out.push_back(std::move(f)); // the next echo overtakes the held one
            flush(out);
            return;
        }
        held_ = std::move(f);
        due_ = clock::now() + hold;
    }
    std::optional<clock::time_point> held_until() const override {
        return held_ ? std::optional<clock::time_point>{due_} : std::nullopt;
    }
    void release(clock::time_point now, std::vector<relay_frame>& out) override {
        if (held_ && now >= due_ && !in_fragmented_) {
            flush(out);
        }
    }

private:
    void flush(std::vector<relay_frame>& out) {
        if (held_) {
            out.push_back(std::move(*held_));
            held_.reset();
        }
    }

    std::optional<relay_frame> held_;
    clock::time_point due_{};
    bool in_fragmented_ = false;
};

} // namespace

const std::vector<fault>& all_faults() {
    static const std::vector<fault> faults{
        fault::reserved_opcodes_accepted, fault::no_utf8_check,      fault::utf8_checked_at_end,
        fault::wrong_pong_payload,        fault::close_never_answered, fault::unmasked_accepted,
        fault::wrong_accept,              fault::stops_reading,      fault::dies_on_huge_length,
        fault::reserved_bits_accepted,    fault::close_code_always_normal, fault::server_masks_frames,
        fault::echo_split_without_continuation, fault::echoes_reordered, fault::inflate_sized_from_header,
        fault::inflate_unchecked,
    };
    return faults;
}

std::string_view to_string(fault f) noexcept {
    switch (f) {
    case fault::none: return "none";
    case fault::reserved_opcodes_accepted: return "reserved_opcodes_accepted";
    case fault::no_utf8_check: return "no_utf8_check";
    case fault::utf8_checked_at_end: return "utf8_checked_at_end";
    case fault::wrong_pong_payload: return "wrong_pong_payload";
    case fault::close_never_answered: return "close_never_answered";
    case fault::unmasked_accepted: return "unmasked_accepted";
    case fault::wrong_accept: return "wrong_accept";
    case fault::stops_reading: return "stops_reading";
    case fault::dies_on_huge_length: return "dies_on_huge_length";
    case fault::reserved_bits_accepted: return "reserved_bits_accepted";
    case fault::close_code_always_normal: return "close_code_always_normal";
    case fault::server_masks_frames: return "server_masks_frames";
    case fault::echo_split_without_continuation: return "echo_split_without_continuation";
    case fault::echoes_reordered: return "echoes_reordered";
    case fault::inflate_sized_from_header: return "inflate_sized_from_header";
    case fault::inflate_unchecked: return "inflate_unchecked";
    }
    return "?";
}

fault_plan make_plan(fault f) {
    fault_plan p;
    switch (f) {
    case fault::none:
        break;
    case fault::reserved_opcodes_accepted:
        p.up = std::make_unique<reserved_opcodes_accepted>();
        break;
    case fault::no_utf8_check: {
        auto memory = std::make_shared<text_memory>();
        p.up = std::make_unique<no_utf8_check_up>(memory);
        p.down = std::make_unique<no_utf8_check_down>(memory);
        break;
    }
    case fault::utf8_checked_at_end:
        p.up = std::make_unique<utf8_checked_at_end>();
        break;
    case fault::wrong_pong_payload:
        p.down = std::make_unique<wrong_pong_payload>();
        break;
    case fault::close_never_answered:
        p.down = std::make_unique<close_swallowed>();
        p.keep_client_open = true;
        break;
    case fault::unmasked_accepted:
        p.up = std::make_unique<unmasked_accepted>();
        break;
    case fault::wrong_accept:
        p.corrupt_accept = true;
        break;
    case fault::stops_reading:
        p.stop_reading_client = true;
        p.small_receive_buffer = true;
        break;
    case fault::dies_on_huge_length:
        p.up = std::make_unique<dies_on_huge_length>();
        break;
    case fault::reserved_bits_accepted:
        p.up = std::make_unique<reserved_bits_accepted>();
        break;
    case fault::close_code_always_normal:
        p.down = std::make_unique<close_code_always_normal>();
        break;
    case fault::server_masks_frames:
        p.down = std::make_unique<server_masks_frames>();
        break;
    case fault::echo_split_without_continuation:
        p.down = std::make_unique<echo_split_without_continuation>();
        break;
    case fault::echoes_reordered:
        p.down = std::make_unique<echoes_reordered>();
        break;
    case fault::inflate_sized_from_header:
        p.up = std::make_unique<inflate_sized_from_header>();
        break;
    case fault::inflate_unchecked:
        p.up = std::make_unique<inflate_unchecked>();
        break;
    }
    return p;
}

std::string corrupt_accept_field(std::string head) {
    static constexpr std::string_view name = "sec-websocket-accept:";
    std::string lower = head;
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    const auto at = lower.find(name);
    if (at == std::string::npos) {
        return head;
    }
    auto i = at + name.size();
    while (i < head.size() && (head[i] == ' ' || head[i] == '\t')) {
        ++i;
    }
    if (i < head.size() && head[i] != '\r') {
        // Another base64 character: the value stays well formed, and wrong (4.1 item 4).
        head[i] = head[i] == 'A' ? 'B' : 'A';
    }
    return head;
}

} // namespace wscheck::test_support
