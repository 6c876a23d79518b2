#include "harness/runner/case_runner.hpp"

#include "harness/runner/case_runner_detail.hpp"

#include "cases/builders.hpp"

#include "harness/proto/handshake.hpp"
#include "harness/runner/frame_writer.hpp"
#include "harness/runner/judge.hpp"
#include "harness/runner/step_frames.hpp"

#include <algorithm>

namespace wscheck::runner {

namespace {

/// Slack on top of every wait a case can make, for the hard cap of the whole case (writes of
/// large messages, scheduling).
constexpr milliseconds hard_cap_slack{30'000};
/// Event data kept in a case's result once it is judged.
constexpr std::size_t kept_event_bytes = 64 * 1024;

/// Every wait a script may make, so the hard cap of a case never cuts a legitimate one.
milliseconds script_waits(const cases::script& s) {
    milliseconds total{};
    for (const auto& st : s.steps) {
        if (const auto* p = std::get_if<cases::pause>(&st)) {
            total += p->duration;
        } else if (const auto* a = std::get_if<cases::await_events>(&st)) {
            total += a->timeout;
        }
    }
    return total;
}

/// One frame of a step, written as `sender` and logged as sent; `closes`: a Close frame of
/// ours starts the closing handshake (a send_frame step's Close, shaped by the case, does not).
/// `f` appended to `out`, and recorded as sent.
proto::frame_header append_logged(peer_observer& observer, const step_frame& f, proto::role sender,
                                  std::chrono::microseconds at, std::vector<std::uint8_t>& out, bool closes = true) {
    const auto header = append_frame(f.spec, f.payload, sender, out);
    observer.sent_frame(header, f.payload, at, closes);
    return header;
}

written_frame write_logged(peer_observer& observer, const step_frame& f, proto::role sender,
                           std::chrono::microseconds at, bool closes = true) {
    std::vector<std::uint8_t> bytes;
    bytes.reserve(proto::max_header_size + f.payload.size());
    const auto header = append_logged(observer, f, sender, at, bytes, closes);
    return {header, std::move(bytes)};
}

} // namespace

std::shared_ptr<case_runner> case_runner::start(net::asio::io_context& io, const runner_options& options,
                                                const cases::case_def& c, std::string section_title,
                                                done_handler on_done) {
    std::shared_ptr<case_runner> self{new case_runner(io, options, c, proto::role::client, std::move(on_done))};
    self->begin(std::move(section_title));
    return self;
}

std::shared_ptr<case_runner> case_runner::start_accepted(net::asio::io_context& io, const runner_options& options,
                                                         const cases::case_def& c, std::string section_title,
                                                         accepted_connection conn, done_handler on_done) {
    std::shared_ptr<case_runner> self{new case_runner(io, options, c, proto::role::server, std::move(on_done))};
    self->accepted_ = std::move(conn);
    self->begin(std::move(section_title));
    return self;
}

namespace {

observer_options for_role(observer_options o, proto::role tester) {
    o.local_role = tester;
    return o;
}

} // namespace

case_runner::case_runner(net::asio::io_context& io, const runner_options& options,
                         const cases::case_def& c, proto::role tester, done_handler on_done)
    : io_(io), options_(options), case_(c), role_(tester), on_done_(std::move(on_done)),
      observer_(for_role(options.observe, tester)),
      step_timer_(io), kill_timer_(io), close_timer_(io), hard_timer_(io), deadline_timer_(io),
      silence_timer_(io) {}

std::chrono::microseconds case_runner::now() const {
    return std::chrono::duration_cast<std::chrono::microseconds>(clock::now() - started_);
}

milliseconds case_runner::elapsed_ms() const {
    return std::chrono::duration_cast<milliseconds>(clock::now() - started_);
}

void case_runner::arm_timer(net::asio::steady_timer& t, milliseconds after, std::function<void()> fire) {
    t.expires_after(after);
    t.async_wait([self = shared_from_this(), fire = std::move(fire)](const boost::system::error_code& ec) {
        if (ec || self->finished_) {
            return;
        }
        fire();
    });
}

void case_runner::begin(std::string section_title) {
    started_ = clock::now();
    result_.started = std::chrono::system_clock::now();
    result_.id = case_.id;
    result_.section = std::move(section_title);
    result_.description = case_.description;
    result_.expectation = case_.expectation;
    result_.rfc_clause = case_.rfc.clause;
    result_.rfc_requirement = case_.rfc.requirement;
    result_.report_time = case_.report_time;
    script_ = case_.build();
    facts_.tester_is_client = role_ == proto::role::client;
    observer_.fail_fast(may_end_early());

    const milliseconds idle_phase = script_.idle_connections == 0
                                        ? milliseconds{}
                                        : options_.connect_timeout + options_.handshake_timeout;
    const milliseconds cap = idle_phase + options_.connect_timeout + options_.handshake_timeout +
                             std::max(script_waits(script_) + case_.timeout, case_.deadline.value_or(milliseconds{})) +
                             2 * options_.close_timeout + hard_cap_slack;
    arm_timer(hard_timer_, cap, [this, cap] { drop(connection_facts::drop_reason::case_timeout, cap); });

    if (role_ == proto::role::server) {
        answer_request(); // the client connected already; cases that hold idle connections test servers only
        return;
    }
    if (script_.idle_connections == 0) {
        connect();
        return;
    }
    idle_ = idle_connections::open(io_, options_.url, options_.url.secure ? options_.tls : nullptr,
                                   script_.idle_connections, options_.connect_timeout,
                                   options_.handshake_timeout, [self = shared_from_this()] {
                                       if (!self->finished_) {
                                           self->connect();
                                       }
                                   });
}

void case_runner::open(std::span<std::uint8_t> leftover) {
    if (!leftover.empty()) {
        observer_.receive(leftover, now());
    }
    read_buffer_.resize(detail::frame_read_size);
    last_heard_ = clock::now();
    if (silence_limit_ != milliseconds{}) {
        arm_silence();
    }
    if (case_.deadline) {
        arm_timer(deadline_timer_, *case_.deadline, [this] { on_case_timeout(*case_.deadline); });
    }
    read_frames();
    after_receive();
    next_step();
}

void case_runner::read_frames() {
    // No deadline here: the case's own timers bound the connection's life.
    stream_->async_read_some(read_buffer_, net::no_deadline,
                             [self = shared_from_this()](std::error_code ec, std::size_t n) {
                                 if (self->ended_ || self->finished_) {
                                     return;
                                 }
                                 if (ec == net::timed_out_error()) {
                                     // This read has no deadline: a write's expired and aborted
                                     // the stream. The write's handler reports the stall; this
                                     // is no EOF from the peer.
                                     return;
                                 }
                                 if (ec) {
                                     self->observer_.receive_eof(self->now());
                                     self->ended_ = true;
                                     self->finish();
                                     return;
                                 }
                                 self->last_heard_ = clock::now();
                                 self->observer_.receive({self->read_buffer_.data(), n}, self->now());
                                 self->after_receive();
                                 if (!self->finished_) {
                                     self->read_frames();
                                 }
                             });
}

void case_runner::after_receive() {
    flush_observer();
    if (await_count_ != 0 && observer_.events().size() >= await_count_) {
        await_count_ = 0;
        step_timer_.cancel();
        auto done = std::move(await_done_);
        done();
    }
    maybe_finish_when_done();
    check_closing();
    end_if_decided();
}

namespace {

/// The events so far begin every trace an outcome could still match: none may be judged yet.
/// False when no outcome can match whatever comes next (events only ever add up). Outcomes
/// judged by a predicate (5.5.3's pongs) cannot be ruled out early.
bool some_outcome_may_match(const cases::script& script, const std::vector<cases::event>& got) {
    for (const auto& o : script.outcomes) {
        if (o.accepts || (got.size() <= o.trace.size() && std::equal(got.begin(), got.end(), o.trace.begin()))) {
            return true;
        }
    }
    return false;
}

} // namespace

bool case_runner::may_end_early() const {
    // Only where wscheck is to close anyway: where the peer must fail the connection itself,
    // who closes is part of the verdict, so the peer keeps its time to do so; a close that is
    // only recorded, or a response the client must refuse, is left to run its course.
    const auto& want = script_.close;
    return !want.informational && (want.closed_by_us || want.either_may_close) &&
           script_.handshake.must != cases::handshake_spec::expect::reject;
}

void case_runner::end_if_decided() {
    if (facts_.decided || finished_ || ended_ || observer_.close_sent() || observer_.close_received() ||
        !may_end_early()) {
        return;
    }
    connection_facts::early_end decided;
    if (!observer_.violations().empty()) {
        // A rule broken on the wire makes the case FAILED whatever follows (judge.hpp). As a
        // conformant endpoint must (RFC 6455 7.1.7), fail the connection with the rule's code.
        const auto& v = observer_.violations().front();
        const auto code = proto::info(v.what).close_code;
        decided.code = code != 0 ? code : proto::close_code::protocol_error;
        decided.why = "the peer broke RFC " + std::string{v.section.starts_with("RFC") ? "" : "6455 "} +
                      std::string{v.section};
    } else if (!script_.outcomes.empty() && !some_outcome_may_match(script_, observer_.events())) {
        decided.code = proto::close_code::normal;
        decided.why = "no allowed outcome begins with the events received";
    } else {
        return;
    }
    facts_.decided = decided;
    // Nothing more of the script: no step waits, and the case's timers give way to the close.
    await_count_ = 0;
    await_done_ = {};
    for (auto* t : {&step_timer_, &kill_timer_, &deadline_timer_}) {
        t->cancel();
    }
    write(observer_.start_close(decided.code, "", now()), 0, {});
    check_closing();
}

void case_runner::flush_observer() {
    auto out = observer_.take_output();
    if (!out.empty()) {
        write(std::move(out), 0, {});
    }
}

void case_runner::maybe_finish_when_done() {
    // Autobahn's finishWhenDone: only when a new event arrived, and only when the events equal
    // every outcome's trace, do we start the closing handshake ourselves.
    const std::size_t count = observer_.events().size();
    if (count == events_seen_) {
        return;
    }
    events_seen_ = count;
    if (!script_.close.closed_by_us || observer_.close_sent() || script_.outcomes.empty()) {
        return;
    }
    for (const auto& o : script_.outcomes) {
        if (o.trace != observer_.events()) {
            return;
        }
    }
    const auto code = script_.close.codes.empty() ? std::optional<std::uint16_t>{}
                                                  : std::optional<std::uint16_t>{script_.close.codes.front()};
    write(observer_.start_close(code, "", now()), 0, {});
    check_closing();
}

void case_runner::check_closing() {
    if (finished_ || ended_) {
        return;
    }
    if (observer_.handshake_closed()) {
        // 7.1.1: the server closes TCP first. As the client we give it close_timeout, then
        // drop; as the server we close our side now and give the client as long to close its.
        if (role_ == proto::role::server) {
            close_tcp_first();
        }
        if (!close_timer_armed_for_tcp_) {
            close_timer_armed_for_tcp_ = true;
            close_timer_armed_ = true;
            arm_timer(close_timer_, options_.close_timeout, [this] {
                drop(connection_facts::drop_reason::close_timeout, options_.close_timeout);
            });
        }
    } else if (observer_.close_sent() && !close_timer_armed_) {
        close_timer_armed_ = true;
        arm_timer(close_timer_, options_.close_timeout, [this] {
            drop(connection_facts::drop_reason::close_timeout, options_.close_timeout);
        });
    }
}

void case_runner::next_step() {
    if (finished_ || ended_ || facts_.decided) {
        return;
    }
    if (step_index_ >= script_.steps.size()) {
        steps_done();
        return;
    }
    const cases::step& s = script_.steps[step_index_++];
    run_step(s);
}

void case_runner::run_step(const cases::step& s) {
    // The frames come from step_frames.hpp (shared with the fuzzers' seeds); what is about I/O
    // is ours. No mask key source: write_frame draws a fresh random key for each masked frame.
    auto next = [this] { next_step(); };
    if (const auto* f = std::get_if<cases::send_frame>(&s)) {
        auto frame = write_logged(observer_, frame_of(*f, {}), role_, now(), /*closes=*/false);
        open_frame_ = frame.header;
        open_frame_written_ = f->data.size();
        write(std::move(frame.bytes), f->chop, next);
    } else if (const auto* d = std::get_if<cases::send_frame_data>(&s)) {
        observer_.sent_bytes("frame data", d->data.view(), now());
        write(more_frame_data(open_frame_, open_frame_written_, d->data.view()), 0, next);
    } else if (const auto* m = std::get_if<cases::send_message>(&s)) {
        send_data_message(m->op, m->data.view(), m->fragment_size, m->chop, next);
    } else if (const auto* batch = std::get_if<cases::send_batch>(&s)) {
        std::vector<std::uint8_t> wire;
        for (const auto& one : batch->messages) {
            append_message(one.op, one.data.view(), one.fragment_size, wire);
        }
        write(std::move(wire), batch->chop, next);
    } else if (const auto* series = std::get_if<cases::echo_series>(&s)) {
        series_sent_ = 0;
        series_at_ = 0;
        send_series_message(*series);
    } else if (const auto* c = std::get_if<cases::send_close>(&s)) {
        // A raw Close, a case's malformed one, goes out whatever was sent before; our own goes
        // out once, which start_close sees to (5.5.1: nothing after it).
        std::vector<std::uint8_t> bytes;
        if (c->raw) {
            const auto payload = close_payload_of(*c);
            bytes = write_logged(observer_, close_frame(payload, {}), role_, now()).bytes;
        } else {
            const auto reason = c->reason.view();
            bytes = observer_.start_close(c->code, {reinterpret_cast<const char*>(reason.data()), reason.size()}, now());
        }
        check_closing();
        write(std::move(bytes), 0, next);
    } else if (const auto* r = std::get_if<cases::send_raw>(&s)) {
        observer_.sent_bytes("raw", r->data.view(), now());
        write({r->data.view().begin(), r->data.view().end()}, r->chop, next);
    } else if (const auto* p = std::get_if<cases::pause>(&s)) {
        arm_timer(step_timer_, p->duration, [this, label = p->label] {
            if (ended_) {
                return;
            }
            if (!label.empty()) {
                observer_.add_event({cases::event::kind::timeout, cases::payload{label}});
            }
            next_step();
        });
    } else if (const auto* a = std::get_if<cases::await_events>(&s)) {
        if (observer_.events().size() >= a->count) {
            next_step();
            return;
        }
        await_count_ = a->count;
        await_done_ = next;
        arm_timer(step_timer_, a->timeout, [this] {
            await_count_ = 0;
            next_step();
        });
    } else if (std::holds_alternative<cases::drop_connection>(s)) {
        drop(connection_facts::drop_reason::our_step, elapsed_ms());
    }
}

void case_runner::send_data_message(proto::opcode op, std::span<const std::uint8_t> data,
                                    std::size_t fragment_size, std::size_t chop, std::function<void()> then) {
    std::vector<std::uint8_t> wire;
    append_message(op, data, fragment_size, wire);
    write(std::move(wire), chop, std::move(then));
}

void case_runner::append_message(proto::opcode op, std::span<const std::uint8_t> data, std::size_t fragment_size,
                                 std::vector<std::uint8_t>& wire) {
    if (!deflater_ || proto::is_control(op)) {
        append_message_frames(op, data, fragment_size, false, wire);
        return;
    }
    if (deflater_stale_) {
        // A series went out compressed elsewhere: our stream's context is not the peer's.
        // A fresh one refers to nothing, which is valid under any agreement.
        deflater_->reset();
        deflater_stale_ = false;
    }
    // RFC 7692 7.2.1: the whole message compressed, then its bytes split into frames (as the
    // Autobahn Testsuite's auto-fragmentation does); RSV1 on the first only (6.1).
    std::vector<std::uint8_t> compressed;
    deflater_->compress(data, compressed);
    append_message_frames(op, compressed, fragment_size, true, wire);
}

void case_runner::append_message_frames(proto::opcode op, std::span<const std::uint8_t> payload,
                                        std::size_t fragment_size, bool compressed, std::vector<std::uint8_t>& wire) {
    const auto frames = message_frames(op, payload, fragment_size, compressed, {});
    // Grown by doubling: a send_batch appends a thousand messages to the same buffer.
    const std::size_t need = wire.size() + payload.size() + frames.size() * proto::max_header_size;
    if (need > wire.capacity()) {
        wire.reserve(std::max(need, 2 * wire.capacity()));
    }
    const auto at = now();
    for (const auto& f : frames) {
        append_logged(observer_, f, role_, at, wire);
    }
}

void case_runner::start_deflate(const proto::deflate_agreement& agreed) {
    const bool client = role_ == proto::role::client;
    proto::deflater_options ours;
    ours.window_bits = client ? agreed.client_max_window_bits : agreed.server_max_window_bits;
    ours.no_context_takeover = client ? agreed.client_no_context_takeover : agreed.server_no_context_takeover;
    // What we send only has to be valid DEFLATE within the agreement; how hard zlib searches
    // is ours to choose. Level 1, and stored stretches for data that does not compress, cost
    // a fraction of level 6's time on 12.x/13.x's thousand-message series (docs/benchmarks.md).
    ours.level = 1;
    ours.store_incompressible = true;
    deflater_ = std::make_unique<proto::message_deflater>(ours);
    series_deflater_ = std::make_unique<series_deflater>(ours);
    observer_.use_deflate(agreed);
}

void case_runner::close_instead_of_script() {
    script_.steps = {cases::send_close{}};
    script_.outcomes.clear();
    script_.close = cases::close_expectation{};
}

namespace {

/// `data` is the `length` bytes of `source` from `at`, read round and round.
bool equals_cut(std::span<const std::uint8_t> data, std::span<const std::uint8_t> source, std::size_t at,
                std::size_t length) {
    if (data.size() != length) {
        return false;
    }
    while (!data.empty()) {
        const std::size_t n = std::min(data.size(), source.size() - at);
        if (!std::equal(data.begin(), data.begin() + static_cast<std::ptrdiff_t>(n),
                        source.begin() + static_cast<std::ptrdiff_t>(at))) {
            return false;
        }
        data = data.subspan(n);
        at = 0;
    }
    return true;
}

} // namespace

void case_runner::send_series_message(const cases::echo_series& s) {
    // The next `length` bytes of the source, round and round (Autobahn's sendOne). They are
    // compared where they lie in the source when the echo comes: no copy of each message.
    const auto source = s.source.view();
    series_message_at_ = series_at_;
    series_message_length_ = source.empty() ? 0 : s.length;
    if (!source.empty()) {
        series_at_ = (series_at_ + s.length % source.size()) % source.size();
    }
    ++series_sent_;
    facts_.series = {series_sent_, s.count}; // for the judge, should the series stop short
    // No timer of its own: the case's deadline (Autobahn's closeAfter) bounds the series.
    await_count_ = observer_.events().size() + 1;
    await_done_ = [this, &s] { on_series_echo(s); };
    std::vector<std::uint8_t>& message = series_message_;
    message.clear();
    if (!series_deflater_) {
        for (std::size_t at = series_message_at_; message.size() < series_message_length_; at = 0) {
            const std::size_t n = std::min(series_message_length_ - message.size(), source.size() - at);
            message.insert(message.end(), source.begin() + static_cast<std::ptrdiff_t>(at),
                           source.begin() + static_cast<std::ptrdiff_t>(at + n));
        }
        send_data_message(s.op, message, s.fragment_size, 0, {});
        return;
    }
    // A thousand messages cut from one data set: compressed from cached pieces of it
    // (series_deflate.hpp), not each from scratch.
    series_deflater_->compress(source, series_message_at_, series_message_length_, message);
    deflater_stale_ = true;
    std::vector<std::uint8_t> wire;
    append_message_frames(s.op, message, s.fragment_size, true, wire);
    write(std::move(wire), 0, {});
}

void case_runner::on_series_echo(const cases::echo_series& s) {
    const auto& got = observer_.events().back();
    const auto want = s.op == proto::opcode::text ? cases::event::kind::text : cases::event::kind::binary;
    if (got.what == want && equals_cut(got.data.view(), s.source.view(), series_message_at_, series_message_length_)) {
        observer_.drop_last_event(); // compared; a 1000-message series holds one at a time
        if (series_sent_ < s.count) {
            send_series_message(s);
            return;
        }
        observer_.add_event(cases::build::series_done(s.count));
        maybe_finish_when_done();
        next_step();
        return;
    }
    // Stop at the first echo that differs; it stays among the events for the judge.
    facts_.script_note = "Echo " + std::to_string(series_sent_) + " of " + std::to_string(s.count) +
                         " differs from the message sent (" + std::to_string(series_message_length_) +
                         " bytes" + (got.what == want ? "" : std::string{", other type"}) + ").";
    // The verdict is decided: close now, as the Autobahn Testsuite does (its onMessage), rather
    // than wait out the case's minutes for the peer to close.
    if (!observer_.close_sent()) {
        write(observer_.start_close(proto::close_code::normal, "", now()), 0, {});
        check_closing();
    }
    next_step();
}

void case_runner::steps_done() {
    if (steps_finished_) {
        return;
    }
    steps_finished_ = true;
    // Autobahn's killAfter / closeAfter: the peer has the case's timeout to end the connection.
    arm_timer(kill_timer_, case_.timeout, [this] { on_case_timeout(case_.timeout); });
}

void case_runner::on_case_timeout(milliseconds waited) {
    if (finished_ || ended_) {
        return;
    }
    if (case_.on_timeout == cases::timeout_action::drop) {
        drop(connection_facts::drop_reason::case_timeout, waited);
        return;
    }
    // closeAfter: start the closing handshake; the close timers take it from there.
    write(observer_.start_close(proto::close_code::normal, "", now()), 0, {});
    check_closing();
}

void case_runner::target_silent(milliseconds limit) {
    silence_limit_ = limit;
    silence_timer_.cancel();
    if (limit != milliseconds{} && stream_ && !read_buffer_.empty()) {
        arm_silence(); // open already; otherwise open() arms it
    }
}

void case_runner::arm_silence() {
    const auto quiet = std::chrono::duration_cast<milliseconds>(clock::now() - last_heard_);
    arm_timer(silence_timer_, std::max(silence_limit_ - quiet, milliseconds{1}), [this] { on_silence(); });
}

void case_runner::on_silence() {
    if (ended_ || silence_limit_ == milliseconds{} || observer_.close_sent() || observer_.close_received()) {
        return; // the closing handshake's own timers bound what is left
    }
    const bool waiting_on_peer = steps_finished_ || await_count_ != 0;
    // A labelled pause still to come would record an event (continueLater): the script must
    // reach it, so that the events, and the verdict, are the ones waiting would give.
    const bool labelled_pause_ahead =
        std::any_of(script_.steps.begin() + static_cast<std::ptrdiff_t>(step_index_), script_.steps.end(),
                    [](const cases::step& st) {
                        const auto* p = std::get_if<cases::pause>(&st);
                        return p != nullptr && !p->label.empty();
                    });
    const auto quiet = std::chrono::duration_cast<milliseconds>(clock::now() - last_heard_);
    if (!waiting_on_peer || writing_ || labelled_pause_ahead || quiet < silence_limit_) {
        arm_silence(); // a write in progress has its own timeout; a pause is the script's
        return;
    }
    stall_note_ = "The target had stopped answering other cases too, and sent nothing here for " +
                  std::to_string(quiet.count()) + " ms: wscheck ended the case then rather than wait out its time.";
    await_count_ = 0;
    await_done_ = {};
    step_timer_.cancel();
    on_case_timeout(quiet);
}

void case_runner::write(std::vector<std::uint8_t> bytes, std::size_t chop, std::function<void()> then) {
    if (bytes.empty()) {
        if (then) {
            then();
        }
        return;
    }
    writes_.push_back({std::move(bytes), chop, 0, std::move(then)});
    pump_writes();
}

void case_runner::pump_writes() {
    if (fin_wanted_ && !fin_sent_ && !writing_ && writes_.empty() && !ended_ && !finished_) {
        // Testing a client: our Close is out, now our FIN (7.1.1; see close_tcp_first).
        fin_sent_ = true;
        boost::system::error_code ignored;
        stream_->socket().shutdown(net::tcp::socket::shutdown_send, ignored);
        return;
    }
    if (writing_ || writes_.empty() || ended_ || finished_) {
        return;
    }
    auto& w = writes_.front();
    const std::size_t left = w.bytes.size() - w.offset;
    const std::size_t n = w.chop == 0 ? left : std::min(w.chop, left);
    writing_ = true;
    stream_->async_write_all(
        std::span<const std::uint8_t>{w.bytes.data() + w.offset, n}, options_.write_timeout,
        [self = shared_from_this(), n](std::error_code ec, std::size_t) {
            self->writing_ = false;
            if (self->ended_ || self->finished_) {
                return;
            }
            if (ec) {
                if (ec == net::timed_out_error()) {
                    // The peer stopped reading: we give up on it, and say so.
                    self->stall_note_ = "A write made no progress for " +
                                        std::to_string(self->options_.write_timeout.count()) +
                                        " ms: the peer stopped reading.";
                    self->drop(connection_facts::drop_reason::case_timeout, self->options_.write_timeout);
                } else {
                    self->observer_.receive_eof(self->now()); // reset or closed under us
                    self->ended_ = true;
                    self->finish();
                }
                return;
            }
            auto& front = self->writes_.front();
            front.offset += n;
            if (front.offset == front.bytes.size()) {
                auto then = std::move(front.then);
                self->writes_.pop_front();
                if (then) {
                    then();
                }
            }
            self->pump_writes();
        });
}

void case_runner::drop(connection_facts::drop_reason why, milliseconds waited) {
    if (finished_) {
        return;
    }
    if (!ended_) {
        ended_ = true;
        facts_.dropped_by_us = true;
        facts_.drop = why;
        facts_.waited = waited;
    }
    finish();
}

void case_runner::interrupt() { drop(connection_facts::drop_reason::our_step, elapsed_ms()); }

void case_runner::finish() {
    if (finished_) {
        return;
    }
    finished_ = true;
    ended_ = true;
    for (auto* t : {&step_timer_, &kill_timer_, &close_timer_, &hard_timer_, &deadline_timer_, &silence_timer_}) {
        t->cancel();
    }
    if (stream_) {
        stream_->close();
    }
    // For the run's scheduler: the connection opened, then the peer sent no frame and kept TCP
    // open, though it owed an answer (an event a trace expects, or a Close to ours).
    const bool answer_owed =
        observer_.close_sent() || std::any_of(script_.outcomes.begin(), script_.outcomes.end(), [](const cases::outcome& o) {
            return o.accepts || !o.trace.empty();
        });
    using after_open = reports::case_result::after_open;
    const bool heard = observer_.frames_received() != 0 || observer_.peer_eof();
    result_.peer = !facts_.handshake.completed ? after_open::nothing_learnt
                   : heard                     ? after_open::answered
                   : answer_owed               ? after_open::silent
                                               : after_open::nothing_learnt;
    result_.duration = elapsed_ms();
    judge(script_, observer_, facts_, result_);
    // Judged: the results keep a prefix of each event's data (reports show less still), so
    // that a run's memory is one case's worth, not the sum of every large echo.
    for (auto* trace : {&result_.received}) {
        for (auto& e : *trace) {
            e.data = e.data.prefix(kept_event_bytes);
        }
    }
    for (auto& o : result_.expected) {
        for (auto& e : o.trace) {
            e.data = e.data.prefix(kept_event_bytes);
        }
    }
    if (!stall_note_.empty()) {
        result_.reason += " " + stall_note_;
    }
    if (idle_) {
        result_.reason += " " + idle_->summary();
        idle_->close_all();
    }
    result_.handshake = facts_.handshake;
    result_.wire = observer_.log();
    auto done = std::move(on_done_);
    done(std::move(result_));
}

} // namespace wscheck::runner
