#include "fuzz/live/case_seeds.hpp"

#include "fuzz/live/rng.hpp"
#include "harness/proto/close.hpp"
#include "harness/proto/handshake.hpp"
#include "harness/proto/mask.hpp"
#include "harness/runner/frame_writer.hpp"

#include <algorithm>
#include <optional>
#include <type_traits>
#include <variant>

namespace wscheck::fuzz {

namespace {

proto::mask_key draw_key(rng& r) {
    return {r.byte(), r.byte(), r.byte(), r.byte()};
}

void append(std::vector<std::uint8_t>& out, std::span<const std::uint8_t> bytes) {
    out.insert(out.end(), bytes.begin(), bytes.end());
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

/// Appends the bytes of one step as the case runner writes them (harness/runner/case_runner.cpp);
/// false when the script ends there (drop_connection).
bool append_step(const cases::step& s, std::vector<std::uint8_t>& out, rng& keys,
                 proto::frame_header& open_frame, std::size_t& open_written) {
    using runner::frame_spec;
    const auto role = proto::role::client;
    if (const auto* f = std::get_if<cases::send_frame>(&s)) {
        frame_spec spec{f->op, f->fin, f->rsv, f->declared_length, f->encoding, f->masked,
                        f->key ? *f->key : draw_key(keys)};
        auto frame = runner::write_frame(spec, f->data.view(), role);
        open_frame = frame.header;
        open_written = f->data.size();
        append(out, frame.bytes);
    } else if (const auto* d = std::get_if<cases::send_frame_data>(&s)) {
        std::vector<std::uint8_t> bytes{d->data.view().begin(), d->data.view().end()};
        if (open_frame.masked) {
            proto::mask_inplace(bytes, open_frame.key, open_written % 4);
        }
        open_written += bytes.size();
        append(out, bytes);
    } else if (const auto* m = std::get_if<cases::send_message>(&s)) {
        const auto all = m->data.view();
        const std::size_t piece = m->fragment_size == 0 ? std::max<std::size_t>(all.size(), 1) : m->fragment_size;
        std::size_t at = 0;
        do {
            const std::size_t n = std::min(piece, all.size() - at);
            frame_spec spec;
            spec.op = at == 0 ? m->op : proto::opcode::cont;
            spec.fin = at + n >= all.size();
            spec.key = draw_key(keys);
            append(out, runner::write_frame(spec, all.subspan(at, n), role).bytes);
            at += n;
        } while (at < all.size());
    } else if (const auto* c = std::get_if<cases::send_close>(&s)) {
        frame_spec spec;
        spec.op = proto::opcode::close;
        spec.key = draw_key(keys);
        if (c->raw) {
            append(out, runner::write_frame(spec, c->raw->view(), role).bytes);
        } else {
            const auto reason = c->reason.view();
            const auto payload = proto::build_close_payload(
                c->code, {reinterpret_cast<const char*>(reason.data()), reason.size()});
            append(out, runner::write_frame(spec, payload, role).bytes);
        }
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
        rng keys{position};
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
