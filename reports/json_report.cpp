#include "reports/json_report.hpp"

#include "harness/proto/error.hpp"
#include "reports/atomic_file.hpp"
#include "reports/encoding.hpp"
#include "reports/tally.hpp"

#include <limits>
#include <stdexcept>
#include <utility>

namespace wscheck::reports {

namespace {

using json = nlohmann::ordered_json;
using bytes = std::vector<std::uint8_t>;
using std::chrono::microseconds;
using std::chrono::milliseconds;

constexpr std::size_t no_limit = std::numeric_limits<std::size_t>::max();

// ---------------------------------------------------------------- writing

/// The bytes as {"text"} or {"hex"} plus "size"; cut to `limit` bytes (backing off to a code
/// point boundary, so that a cut text stays text) with "truncated" and "full_size".
json bytes_json(std::span<const std::uint8_t> data, std::size_t limit = no_limit,
                std::size_t full_size = 0) {
    std::span<const std::uint8_t> held = data;
    full_size = std::max(full_size, data.size()); // bytes already cut before they got here
    const bool cut = data.size() > limit || full_size > data.size();
    if (data.size() > limit) {
        std::size_t n = limit;
        for (std::size_t back = 0; back < 3 && n > 0 && (data[n] & 0xC0) == 0x80; ++back) {
            --n;
        }
        held = data.first(n);
    }
    json j = json::object();
    if (is_printable_text(held)) {
        j["text"] = std::string{held.begin(), held.end()};
    } else {
        j["hex"] = to_hex(held);
    }
    j["size"] = held.size();
    if (cut) {
        j["truncated"] = true;
        j["full_size"] = full_size;
    }
    return j;
}

json bytes_json(std::string_view s) { return bytes_json(as_bytes(s)); }

/// Our own text, made valid UTF-8 should a peer's bytes have been quoted into it.
json text(std::string_view s) { return to_valid_utf8(s); }

json texts(const std::vector<std::string>& v) {
    json j = json::array();
    for (const auto& s : v) {
        j.push_back(text(s));
    }
    return j;
}

std::string_view kind_name(cases::event::kind k) noexcept {
    switch (k) {
    case cases::event::kind::text: return "text";
    case cases::event::kind::binary: return "binary";
    case cases::event::kind::ping: return "ping";
    case cases::event::kind::pong: return "pong";
    case cases::event::kind::timeout: return "timeout";
    }
    return "text";
}

json event_json(const cases::event& e, std::size_t max_bytes) {
    json j = json::object();
    j["kind"] = kind_name(e.what);
    j["data"] = bytes_json(e.data.view(), max_bytes, e.data.full_size());
    return j;
}

json trace_json(const std::vector<cases::event>& trace, const json_options& o) {
    // Every event is listed (kind and size), but the data of one trace shares a budget: the
    // thousand 4 KiB echoes of 9.7/9.8 would otherwise make a report of tens of megabytes.
    json j = json::array();
    std::size_t budget = o.max_trace_bytes;
    for (const auto& e : trace) {
        const std::size_t limit = std::min(o.max_event_bytes, budget);
        j.push_back(event_json(e, limit));
        budget -= std::min(limit, e.data.size()); // size() is what was kept, never more
    }
    return j;
}

json optional_code(const std::optional<std::uint16_t>& code) {
    return code ? json(*code) : json(nullptr);
}

std::string_view direction_name(runner::direction d) noexcept {
    return d == runner::direction::sent ? "sent" : "received";
}

json violation_names(std::uint64_t bits) {
    json j = json::array();
    for (unsigned i = 0; i < 64; ++i) {
        if ((bits & (std::uint64_t{1} << i)) == 0) {
            continue;
        }
        const auto& row = proto::info(static_cast<proto::violation>(i));
        if (row.name == "unknown") {
            j.push_back("unknown:" + std::to_string(i));
        } else {
            j.push_back(row.name);
        }
    }
    return j;
}

json frame_json(const runner::logged_frame& f) {
    const auto& h = f.header;
    json j = json::object();
    j["dir"] = direction_name(f.dir);
    j["at_us"] = f.at.count();
    j["fin"] = h.fin;
    // As send_frame's `rsv`: RSV1 is 4, RSV2 is 2, RSV3 is 1.
    j["rsv"] = (h.rsv1 ? 4 : 0) | (h.rsv2 ? 2 : 0) | (h.rsv3 ? 1 : 0);
    j["opcode"] = {{"number", static_cast<unsigned>(h.op)}, {"name", proto::to_string(h.op)}};
    j["masked"] = h.masked;
    j["key"] = h.masked ? json(to_hex(h.key)) : json(nullptr);
    j["length"] = h.length;
    j["payload"] = bytes_json(f.payload);
    j["payload_truncated"] = h.length > f.payload.size();
    j["complete"] = f.complete;
    j["violations"] = violation_names(f.violations);
    return j;
}

json wire_json(const runner::wire_log& log) {
    json j = json::object();
    j["limits"] = {{"frames", log.limits().frames},
                   {"payload_bytes", log.limits().payload_bytes},
                   {"raw_bytes", log.limits().raw_bytes}};
    json frames = json::array();
    for (const auto& f : log.frames()) {
        frames.push_back(frame_json(f));
    }
    j["frames"] = std::move(frames);
    json raw = json::array();
    for (const auto& r : log.raw()) {
        raw.push_back({{"dir", direction_name(r.dir)},
                       {"at_us", r.at.count()},
                       {"what", text(r.what)},
                       {"bytes", bytes_json(r.bytes)},
                       {"total", r.total}});
    }
    j["raw"] = std::move(raw);
    j["dropped_frames"] = log.dropped_frames();
    return j;
}

json case_json(const case_result& c, const json_options& o) {
    json j = json::object();
    j["id"] = text(c.id);
    j["section"] = text(c.section);
    j["description"] = text(c.description);
    j["expectation"] = text(c.expectation);
    j["rfc"] = {{"clause", text(c.rfc_clause)}, {"requirement", text(c.rfc_requirement)}};
    j["behavior"] = cases::to_string(c.behavior);
    j["reason"] = text(c.reason);
    j["close_behavior"] = cases::to_string(c.close_behavior);
    j["close_reason"] = text(c.close_reason);
    j["started"] = to_rfc3339(c.started);
    j["duration_ms"] = c.duration.count();
    j["report_time"] = c.report_time;
    j["received"] = trace_json(c.received, o);
    json expected = json::array();
    for (const auto& out : c.expected) {
        json one = {{"verdict", cases::to_string(out.verdict)}, {"trace", trace_json(out.trace, o)}};
        if (!out.rule.empty()) {
            one["rule"] = text(out.rule); // an outcome decided by a predicate says what it accepts
        }
        expected.push_back(std::move(one));
    }
    j["expected"] = std::move(expected);
    const auto& ec = c.expected_close;
    j["expected_close"] = {{"closed_by_us", ec.closed_by_us},
                           {"codes", ec.codes},
                           {"require_clean", ec.require_clean},
                           {"wrong_closer_is_fatal", ec.wrong_closer_is_fatal},
                           {"wrong_code_is_fatal", ec.wrong_code_is_fatal},
                           {"informational", ec.informational},
                           {"either_may_close", ec.either_may_close}};
    j["peer_violations"] = texts(c.peer_violations);
    const auto& cl = c.close;
    j["close"] = {{"closed_by_us", cl.closed_by_us},
                  {"dropped_by_us", cl.dropped_by_us},
                  {"peer_closed_tcp", cl.peer_closed_tcp},
                  {"close_sent", cl.close_sent},
                  {"close_received", cl.close_received},
                  {"clean", cl.clean},
                  {"unclean_reason", text(cl.unclean_reason)},
                  {"remote_code", optional_code(cl.remote_code)},
                  {"remote_reason", bytes_json(cl.remote_reason)},
                  {"local_code", optional_code(cl.local_code)}};
    const auto& hs = c.handshake;
    j["handshake"] = {{"attempted", hs.attempted},
                      {"completed", hs.completed},
                      {"status", hs.status},
                      {"request", bytes_json(hs.request)},
                      {"response", bytes_json(hs.response)},
                      {"error", text(hs.error)}};
    const auto& d = c.deflate;
    j["deflate"] = {{"offered", d.offered},
                    {"offer", text(d.offer)},
                    {"response", text(d.response)},
                    {"agreed", text(d.agreed)}};
    j["wire"] = wire_json(c.wire);
    return j;
}

json summary_json(const run_result& run) {
    const tally t = count_verdicts(run.cases);
    json behaviors = json::object();
    for (const auto b : all_behaviors) {
        behaviors[std::string{cases::to_string(b)}] = t.count(b);
    }
    json closes = json::object();
    for (const auto b : all_close_behaviors) {
        closes[std::string{cases::to_string(b)}] = t.count(b);
    }
    return {{"total", t.total}, {"behavior", std::move(behaviors)},
            {"close_behavior", std::move(closes)}};
}

// ---------------------------------------------------------------- reading

/// A field that is missing or of the wrong shape; `what` is "<path>: <problem>".
struct malformed : std::runtime_error {
    using std::runtime_error::runtime_error;
};

[[noreturn]] void fail(const std::string& at, std::string_view problem) {
    throw malformed{at + ": " + std::string{problem}};
}

std::string join(const std::string& at, std::string_view key) {
    return at.empty() ? std::string{key} : at + "." + std::string{key};
}

std::string index(const std::string& at, std::size_t i) { return at + "[" + std::to_string(i) + "]"; }

const json& member(const json& obj, const std::string& at, std::string_view key) {
    if (!obj.is_object()) {
        fail(at.empty() ? "the top level" : at, "expected an object");
    }
    const auto it = obj.find(key);
    if (it == obj.end()) {
        fail(join(at, key), "missing");
    }
    return *it;
}

std::string get_string(const json& obj, const std::string& at, std::string_view key) {
    const json& v = member(obj, at, key);
    if (!v.is_string()) {
        fail(join(at, key), "expected a string");
    }
    return v.get<std::string>();
}

bool get_bool(const json& obj, const std::string& at, std::string_view key) {
    const json& v = member(obj, at, key);
    if (!v.is_boolean()) {
        fail(join(at, key), "expected true or false");
    }
    return v.get<bool>();
}

std::uint64_t as_uint(const json& v, const std::string& at, std::uint64_t max) {
    std::uint64_t value = 0;
    if (v.is_number_unsigned()) {
        value = v.get<std::uint64_t>();
    } else if (v.is_number_integer() && v.get<std::int64_t>() >= 0) {
        value = static_cast<std::uint64_t>(v.get<std::int64_t>());
    } else {
        fail(at, "expected an integer from 0 to " + std::to_string(max));
    }
    if (value > max) {
        fail(at, "expected an integer from 0 to " + std::to_string(max));
    }
    return value;
}

std::uint64_t get_uint(const json& obj, const std::string& at, std::string_view key,
                       std::uint64_t max = std::numeric_limits<std::uint64_t>::max()) {
    return as_uint(member(obj, at, key), join(at, key), max);
}

std::int64_t get_int(const json& obj, const std::string& at, std::string_view key) {
    const json& v = member(obj, at, key);
    if (!v.is_number_integer() ||
        (v.is_number_unsigned() &&
         v.get<std::uint64_t>() > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))) {
        fail(join(at, key), "expected an integer");
    }
    return v.get<std::int64_t>();
}

std::optional<std::uint16_t> get_optional_code(const json& obj, const std::string& at,
                                               std::string_view key) {
    const json& v = member(obj, at, key);
    if (v.is_null()) {
        return std::nullopt;
    }
    return static_cast<std::uint16_t>(as_uint(v, join(at, key), 0xFFFF));
}

const json& get_array(const json& obj, const std::string& at, std::string_view key) {
    const json& v = member(obj, at, key);
    if (!v.is_array()) {
        fail(join(at, key), "expected an array");
    }
    return v;
}

std::chrono::system_clock::time_point get_time(const json& obj, const std::string& at,
                                               std::string_view key) {
    const auto t = from_rfc3339(get_string(obj, at, key));
    if (!t) {
        fail(join(at, key), "expected an RFC 3339 date-time");
    }
    return *t;
}

bytes bytes_from(const json& obj, const std::string& at, std::string_view key) {
    const json& v = member(obj, at, key);
    const std::string here = join(at, key);
    if (!v.is_object()) {
        fail(here, "expected a bytes object ({\"text\"} or {\"hex\"})");
    }
    bytes out;
    if (v.contains("text")) {
        const std::string s = get_string(v, here, "text");
        out.assign(s.begin(), s.end());
    } else if (v.contains("hex")) {
        auto decoded = from_hex(get_string(v, here, "hex"));
        if (!decoded) {
            fail(join(here, "hex"), "expected an even number of hex digits");
        }
        out = std::move(*decoded);
    } else {
        fail(here, "expected \"text\" or \"hex\"");
    }
    if (get_uint(v, here, "size") != out.size()) {
        fail(join(here, "size"), "does not match the bytes given");
    }
    return out;
}

std::string string_from_bytes(const json& obj, const std::string& at, std::string_view key) {
    const bytes b = bytes_from(obj, at, key);
    return {b.begin(), b.end()};
}

std::optional<cases::event::kind> parse_kind(std::string_view s) noexcept {
    using k = cases::event::kind;
    for (const auto kind : {k::text, k::binary, k::ping, k::pong, k::timeout}) {
        if (kind_name(kind) == s) {
            return kind;
        }
    }
    return std::nullopt;
}

cases::event event_from(const json& j, const std::string& at) {
    cases::event e;
    const auto kind = parse_kind(get_string(j, at, "kind"));
    if (!kind) {
        fail(join(at, "kind"), "expected text, binary, ping, pong or timeout");
    }
    e.what = *kind;
    e.data = cases::payload{bytes_from(j, at, "data")};
    return e;
}

std::vector<cases::event> trace_from(const json& obj, const std::string& at, std::string_view key) {
    const json& arr = get_array(obj, at, key);
    std::vector<cases::event> out;
    out.reserve(arr.size());
    for (std::size_t i = 0; i < arr.size(); ++i) {
        out.push_back(event_from(arr[i], index(join(at, key), i)));
    }
    return out;
}

cases::behavior behavior_from(const json& obj, const std::string& at, std::string_view key) {
    const auto b = parse_behavior(get_string(obj, at, key));
    if (!b) {
        fail(join(at, key), "expected OK, NON-STRICT, INFORMATIONAL, UNIMPLEMENTED or FAILED");
    }
    return *b;
}

cases::close_behavior close_behavior_from(const json& obj, const std::string& at,
                                          std::string_view key) {
    const auto b = parse_close_behavior(get_string(obj, at, key));
    if (!b) {
        fail(join(at, key),
             "expected OK, FAILED, WRONG CODE, UNCLEAN, FAILED BY CLIENT or INFORMATIONAL");
    }
    return *b;
}

runner::direction direction_from(const json& obj, const std::string& at) {
    const std::string d = get_string(obj, at, "dir");
    if (d == "sent") {
        return runner::direction::sent;
    }
    if (d == "received") {
        return runner::direction::received;
    }
    fail(join(at, "dir"), "expected sent or received");
}

std::uint64_t violations_from(const json& obj, const std::string& at) {
    const json& arr = get_array(obj, at, "violations");
    std::uint64_t bits = 0;
    for (std::size_t i = 0; i < arr.size(); ++i) {
        const std::string here = index(join(at, "violations"), i);
        if (!arr[i].is_string()) {
            fail(here, "expected a violation name");
        }
        const std::string name = arr[i].get<std::string>();
        bool found = false;
        for (unsigned v = 0; v < 64 && !found; ++v) {
            const auto& row = proto::info(static_cast<proto::violation>(v));
            if ((row.name != "unknown" && row.name == name) ||
                name == "unknown:" + std::to_string(v)) {
                bits |= std::uint64_t{1} << v;
                found = true;
            }
        }
        if (!found) {
            fail(here, "unknown violation name \"" + name + "\"");
        }
    }
    return bits;
}

runner::logged_frame frame_from(const json& j, const std::string& at) {
    runner::logged_frame f;
    f.dir = direction_from(j, at);
    f.at = microseconds{get_int(j, at, "at_us")};
    auto& h = f.header;
    h.fin = get_bool(j, at, "fin");
    const auto rsv = get_uint(j, at, "rsv", 7);
    h.rsv1 = (rsv & 4) != 0;
    h.rsv2 = (rsv & 2) != 0;
    h.rsv3 = (rsv & 1) != 0;
    const json& op = member(j, at, "opcode");
    h.op = static_cast<proto::opcode>(get_uint(op, join(at, "opcode"), "number", 15));
    h.masked = get_bool(j, at, "masked");
    const json& key = member(j, at, "key");
    if (!key.is_null()) {
        const auto k = key.is_string() ? from_hex(key.get<std::string>()) : std::nullopt;
        if (!k || k->size() != h.key.size()) {
            fail(join(at, "key"), "expected null or 8 hex digits");
        }
        std::copy(k->begin(), k->end(), h.key.begin());
    }
    h.length = get_uint(j, at, "length");
    f.payload = bytes_from(j, at, "payload");
    f.complete = get_bool(j, at, "complete");
    f.violations = violations_from(j, at);
    return f;
}

runner::wire_log wire_from(const json& j, const std::string& at) {
    const json& lim = member(j, at, "limits");
    const std::string lim_at = join(at, "limits");
    runner::wire_log_limits limits;
    limits.frames = static_cast<std::size_t>(get_uint(lim, lim_at, "frames"));
    limits.payload_bytes = static_cast<std::size_t>(get_uint(lim, lim_at, "payload_bytes"));
    limits.raw_bytes = static_cast<std::size_t>(get_uint(lim, lim_at, "raw_bytes"));

    std::vector<runner::logged_frame> frames;
    const json& fa = get_array(j, at, "frames");
    frames.reserve(fa.size());
    for (std::size_t i = 0; i < fa.size(); ++i) {
        frames.push_back(frame_from(fa[i], index(join(at, "frames"), i)));
    }
    std::vector<runner::logged_bytes> raw;
    const json& ra = get_array(j, at, "raw");
    raw.reserve(ra.size());
    for (std::size_t i = 0; i < ra.size(); ++i) {
        const std::string here = index(join(at, "raw"), i);
        runner::logged_bytes b;
        b.dir = direction_from(ra[i], here);
        b.at = microseconds{get_int(ra[i], here, "at_us")};
        b.what = get_string(ra[i], here, "what");
        b.bytes = bytes_from(ra[i], here, "bytes");
        b.total = static_cast<std::size_t>(get_uint(ra[i], here, "total"));
        raw.push_back(std::move(b));
    }
    const auto dropped = static_cast<std::size_t>(get_uint(j, at, "dropped_frames"));
    return runner::wire_log::restore(limits, std::move(frames), std::move(raw), dropped);
}

case_result case_from(const json& j, const std::string& at) {
    case_result c;
    c.id = get_string(j, at, "id");
    c.section = get_string(j, at, "section");
    c.description = get_string(j, at, "description");
    c.expectation = get_string(j, at, "expectation");
    const json& rfc = member(j, at, "rfc");
    c.rfc_clause = get_string(rfc, join(at, "rfc"), "clause");
    c.rfc_requirement = get_string(rfc, join(at, "rfc"), "requirement");
    c.behavior = behavior_from(j, at, "behavior");
    c.reason = get_string(j, at, "reason");
    c.close_behavior = close_behavior_from(j, at, "close_behavior");
    c.close_reason = get_string(j, at, "close_reason");
    c.started = get_time(j, at, "started");
    c.duration = milliseconds{get_int(j, at, "duration_ms")};
    c.report_time = get_bool(j, at, "report_time");
    c.received = trace_from(j, at, "received");

    const json& expected = get_array(j, at, "expected");
    for (std::size_t i = 0; i < expected.size(); ++i) {
        const std::string here = index(join(at, "expected"), i);
        cases::outcome o;
        o.verdict = behavior_from(expected[i], here, "verdict");
        o.trace = trace_from(expected[i], here, "trace");
        if (const auto r = expected[i].find("rule"); r != expected[i].end() && r->is_string()) {
            o.rule = r->get<std::string>();
        }
        c.expected.push_back(std::move(o));
    }

    const json& ec = member(j, at, "expected_close");
    const std::string ec_at = join(at, "expected_close");
    c.expected_close.closed_by_us = get_bool(ec, ec_at, "closed_by_us");
    c.expected_close.codes.clear();
    const json& codes = get_array(ec, ec_at, "codes");
    for (std::size_t i = 0; i < codes.size(); ++i) {
        c.expected_close.codes.push_back(
            static_cast<std::uint16_t>(as_uint(codes[i], index(join(ec_at, "codes"), i), 0xFFFF)));
    }
    c.expected_close.require_clean = get_bool(ec, ec_at, "require_clean");
    c.expected_close.wrong_closer_is_fatal = get_bool(ec, ec_at, "wrong_closer_is_fatal");
    c.expected_close.wrong_code_is_fatal = get_bool(ec, ec_at, "wrong_code_is_fatal");
    c.expected_close.informational = get_bool(ec, ec_at, "informational");
    // Added with permessage-deflate: absent from older reports.
    if (ec.contains("either_may_close")) {
        c.expected_close.either_may_close = get_bool(ec, ec_at, "either_may_close");
    }

    const json& pv = get_array(j, at, "peer_violations");
    for (std::size_t i = 0; i < pv.size(); ++i) {
        if (!pv[i].is_string()) {
            fail(index(join(at, "peer_violations"), i), "expected a string");
        }
        c.peer_violations.push_back(pv[i].get<std::string>());
    }

    const json& cl = member(j, at, "close");
    const std::string cl_at = join(at, "close");
    c.close.closed_by_us = get_bool(cl, cl_at, "closed_by_us");
    c.close.dropped_by_us = get_bool(cl, cl_at, "dropped_by_us");
    c.close.peer_closed_tcp = get_bool(cl, cl_at, "peer_closed_tcp");
    c.close.close_sent = get_bool(cl, cl_at, "close_sent");
    c.close.close_received = get_bool(cl, cl_at, "close_received");
    c.close.clean = get_bool(cl, cl_at, "clean");
    c.close.unclean_reason = get_string(cl, cl_at, "unclean_reason");
    c.close.remote_code = get_optional_code(cl, cl_at, "remote_code");
    c.close.remote_reason = string_from_bytes(cl, cl_at, "remote_reason");
    c.close.local_code = get_optional_code(cl, cl_at, "local_code");

    const json& hs = member(j, at, "handshake");
    const std::string hs_at = join(at, "handshake");
    c.handshake.attempted = get_bool(hs, hs_at, "attempted");
    c.handshake.completed = get_bool(hs, hs_at, "completed");
    c.handshake.status = static_cast<int>(get_uint(hs, hs_at, "status", 999));
    c.handshake.request = string_from_bytes(hs, hs_at, "request");
    c.handshake.response = string_from_bytes(hs, hs_at, "response");
    c.handshake.error = get_string(hs, hs_at, "error");

    // Added with permessage-deflate (RFC 7692): absent from older reports.
    if (j.contains("deflate")) {
        const json& d = member(j, at, "deflate");
        const std::string d_at = join(at, "deflate");
        c.deflate.offered = get_bool(d, d_at, "offered");
        c.deflate.offer = get_string(d, d_at, "offer");
        c.deflate.response = get_string(d, d_at, "response");
        c.deflate.agreed = get_string(d, d_at, "agreed");
    }

    c.wire = wire_from(member(j, at, "wire"), join(at, "wire"));
    return c;
}

run_result run_from(const json& j) {
    const std::string top;
    const std::string schema = get_string(j, top, "schema");
    if (schema != report_schema) {
        fail("schema", "expected \"" + std::string{report_schema} + "\", found \"" + schema + "\"");
    }
    run_result run;
    run.tool = get_string(j, top, "tool");
    run.version = get_string(j, top, "version");
    run.agent = get_string(j, top, "agent");
    run.target = get_string(j, top, "target");
    run.started = get_time(j, top, "started");
    run.finished = get_time(j, top, "finished");
    run.interrupted = get_bool(j, top, "interrupted");
    const json& notes = get_array(j, top, "notes");
    for (std::size_t i = 0; i < notes.size(); ++i) {
        if (!notes[i].is_string()) {
            fail(index("notes", i), "expected a string");
        }
        run.notes.push_back(notes[i].get<std::string>());
    }
    const json& cs = get_array(j, top, "cases");
    run.cases.reserve(cs.size());
    for (std::size_t i = 0; i < cs.size(); ++i) {
        run.cases.push_back(case_from(cs[i], index("cases", i)));
    }
    return run;
}

} // namespace

nlohmann::ordered_json report_to_json(const run_result& run, const json_options& options) {
    json j = json::object();
    j["schema"] = report_schema;
    j["tool"] = text(run.tool);
    j["version"] = text(run.version);
    j["agent"] = text(run.agent);
    j["target"] = text(run.target);
    j["started"] = to_rfc3339(run.started);
    j["finished"] = to_rfc3339(run.finished);
    j["interrupted"] = run.interrupted;
    j["notes"] = texts(run.notes);
    j["summary"] = summary_json(run);
    json cs = json::array();
    for (const auto& c : run.cases) {
        cs.push_back(case_json(c, options));
    }
    j["cases"] = std::move(cs);
    return j;
}

std::string render_json_report(const run_result& run, const json_options& options) {
    // Every string was made valid UTF-8 above; the replace handler is a second guard.
    std::string out = report_to_json(run, options)
                          .dump(options.indent, ' ', false, json::error_handler_t::replace);
    out += '\n';
    return out;
}

std::string write_json_report(const std::filesystem::path& file, const run_result& run,
                              const json_options& options) noexcept {
    std::string text;
    try {
        text = render_json_report(run, options);
    } catch (const std::exception& e) {
        return "Cannot build the JSON report: " + std::string{e.what()} + ".";
    }
    return write_file_atomically(file, text);
}

std::optional<run_result> report_from_json(const nlohmann::ordered_json& report,
                                           std::string& error) noexcept {
    try {
        return run_from(report);
    } catch (const malformed& e) {
        error = "The report is malformed at " + std::string{e.what()} + ".";
    } catch (const std::exception& e) {
        error = "The report cannot be read: " + std::string{e.what()} + ".";
    }
    return std::nullopt;
}

std::optional<run_result> parse_json_report(std::string_view text, std::string& error) noexcept {
    try {
        const json j = json::parse(text.begin(), text.end());
        return report_from_json(j, error);
    } catch (const json::parse_error& e) {
        error = "The report is not valid JSON (at byte " + std::to_string(e.byte) + ").";
    } catch (const std::exception& e) {
        error = "The report cannot be read: " + std::string{e.what()} + ".";
    }
    return std::nullopt;
}

std::optional<run_result> read_json_report(const std::filesystem::path& file,
                                           std::string& error) noexcept {
    std::string text;
    if (auto err = read_file(file, text); !err.empty()) {
        error = std::move(err);
        return std::nullopt;
    }
    auto run = parse_json_report(text, error);
    if (!run) {
        error = file.string() + ": " + error;
    }
    return run;
}

} // namespace wscheck::reports
