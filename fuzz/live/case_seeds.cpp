#include "fuzz/live/case_seeds.hpp"

#include "fuzz/live/rng.hpp"
#include "harness/proto/handshake.hpp"
#include "harness/runner/step_frames.hpp"

#include <variant>

namespace wscheck::fuzz {

namespace {

void append(std::vector<std::uint8_t>& out, std::span<const std::uint8_t> bytes) {
    out.insert(out.end(), bytes.begin(), bytes.end());
}

void append(std::vector<std::uint8_t>& out, const runner::step_frame& f) {
    append(out, runner::write_step_frame(f, proto::role::client).bytes);
}

/// The request a case's handshake_spec makes, with the fuzzer's fixed key.
std::string case_request(const cases::handshake_spec& hs, std::string_view host, std::string_view target) {
    if (hs.raw_request) {
        return (*hs.raw_request)(host, fuzz_key);
    }
    proto::client_request req;
    req.host = std::string{host};
    req.target = std::string{target};
    req.key = std::string{fuzz_key};
    if (hs.edit_request) {
        hs.edit_request(req);
    }
    return proto::build_request(req);
}

/// Appends the bytes of one step as the case runner writes them, uncompressed (the frames
/// from runner/step_frames.hpp, as harness/runner/case_runner.cpp); false when the script
/// ends there (drop_connection).
bool append_step(const cases::step& s, std::vector<std::uint8_t>& out, const runner::mask_key_source& keys,
                 proto::frame_header& open_frame, std::size_t& open_written) {
    if (const auto* f = std::get_if<cases::send_frame>(&s)) {
        auto frame = runner::write_step_frame(runner::frame_of(*f, keys), proto::role::client);
        open_frame = frame.header;
        open_written = f->data.size();
        append(out, frame.bytes);
    } else if (const auto* d = std::get_if<cases::send_frame_data>(&s)) {
        append(out, runner::more_frame_data(open_frame, open_written, d->data.view()));
    } else if (const auto* m = std::get_if<cases::send_message>(&s)) {
        for (const auto& piece : runner::message_frames(m->op, m->data.view(), m->fragment_size, false, keys)) {
            append(out, piece);
        }
    } else if (const auto* batch = std::get_if<cases::send_batch>(&s)) {
        for (const auto& one : batch->messages) {
            append_step(cases::step{one}, out, keys, open_frame, open_written);
        }
    } else if (const auto* c = std::get_if<cases::send_close>(&s)) {
        const auto payload = runner::close_payload_of(*c);
        append(out, runner::close_frame(payload, keys));
    } else if (const auto* r = std::get_if<cases::send_raw>(&s)) {
        append(out, r->data.view());
    } else if (std::holds_alternative<cases::drop_connection>(s)) {
        return false;
    }
    // pause and await_events write nothing: the fuzzer's own pauses replace them.
    return true;
}

} // namespace

std::vector<case_seed> make_case_seeds(const cases::catalog& cat, std::string_view host,
                                       std::string_view target, std::size_t max_bytes) {
    std::vector<case_seed> seeds;
    std::uint64_t position = 0;
    for (const auto& c : cat.cases()) {
        ++position;
        // Section 9 measures time with messages of up to 16 MiB: building them costs more than
        // the whole fuzzing budget, and their traffic is sections 1-7's in bulk.
        if (c.id.rfind("9.", 0) == 0 || !c.build) {
            continue;
        }
        const cases::script sc = c.build();
        case_seed seed{c.id, {}};
        const std::string request = case_request(sc.handshake, host, target);
        seed.bytes.assign(request.begin(), request.end());
        const std::size_t handshake_size = seed.bytes.size();
        rng r{position};
        const runner::mask_key_source keys = [&r] {
            return proto::mask_key{r.byte(), r.byte(), r.byte(), r.byte()};
        };
        proto::frame_header open_frame{};
        std::size_t open_written = 0;
        for (const auto& s : sc.steps) {
            if (!append_step(s, seed.bytes, keys, open_frame, open_written) || seed.bytes.size() > max_bytes) {
                break;
            }
        }
        // A case that only shapes the handshake (section 20) is a seed too.
        const bool shapes_handshake = sc.handshake.raw_request || sc.handshake.edit_request;
        if ((seed.bytes.size() > handshake_size || shapes_handshake) && seed.bytes.size() <= max_bytes) {
            seeds.push_back(std::move(seed));
        }
    }
    return seeds;
}

} // namespace wscheck::fuzz
