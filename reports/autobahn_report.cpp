#include "reports/autobahn_report.hpp"

#include "reports/atomic_file.hpp"
#include "reports/encoding.hpp"

#include <algorithm>
#include <map>

namespace wscheck::reports {

namespace {

using json = nlohmann::json;

/// Autobahn's asciiLogData() keeps this many characters of an event's data.
constexpr std::size_t shown_data_bytes = 64;

/// What Autobahn's json.dumps(sort_keys=True, indent=3) would write: nlohmann::json sorts keys
/// as Python does for ASCII keys; ensure_ascii escapes the rest as \uXXXX.
std::string dump(const json& j) {
    std::string out = j.dump(3, ' ', true, json::error_handler_t::replace);
    out += '\n';
    return out;
}

/// Data for people, as Autobahn's asciiLogData: the text, or "0x" + hex; cut with " ...".
std::string shown_data(std::span<const std::uint8_t> data) {
    std::span<const std::uint8_t> head = data;
    const bool cut = data.size() > shown_data_bytes;
    if (cut) {
        std::size_t n = shown_data_bytes;
        for (std::size_t back = 0; back < 3 && n > 0 && (data[n] & 0xC0) == 0x80; ++back) {
            --n; // keep a cut text valid UTF-8
        }
        head = data.first(n);
    }
    std::string out = is_printable_text(head) ? std::string{head.begin(), head.end()}
                                              : "0x" + to_hex(head);
    if (cut) {
        out += " ...";
    }
    return out;
}

json event_json(const cases::event& e) {
    using kind = cases::event::kind;
    const std::string data = shown_data(e.data.view());
    switch (e.what) {
    case kind::text: return json::array({"message", data, false});
    case kind::binary: return json::array({"message", data, true});
    case kind::ping: return json::array({"ping", data});
    case kind::pong: return json::array({"pong", data});
    case kind::timeout: return json::array({"timeout", data});
    }
    return json::array({"message", data, false});
}

json trace_json(const std::vector<cases::event>& trace) {
    json j = json::array();
    for (const auto& e : trace) {
        j.push_back(event_json(e));
    }
    return j;
}

json expected_json(const std::vector<cases::outcome>& outcomes) {
    json j = json::object();
    std::map<std::string, int> seen;
    for (const auto& o : outcomes) {
        std::string key{cases::to_string(o.verdict)};
        const int n = ++seen[key];
        if (n > 1) {
            key += " (" + std::to_string(n) + ")";
        }
        // An outcome decided by a rule has no trace to list: the rule says what it accepts.
        j[key] = o.rule.empty() ? trace_json(o.trace) : json(to_valid_utf8(o.rule));
    }
    return j;
}

/// Text made valid UTF-8 (a JSON string must be), as a peer's bytes need not be.
json text(std::string_view s) { return to_valid_utf8(s); }

json optional_code(const std::optional<std::uint16_t>& code) {
    return code ? json(*code) : json(nullptr);
}

/// The reason of our first Close frame, read back from the wire log; null when we sent none
/// (or it was not logged).
json local_close_reason(const runner::wire_log& log) {
    for (const auto& f : log.frames()) {
        if (f.dir == runner::direction::sent && f.header.op == proto::opcode::close) {
            if (f.payload.size() <= 2) {
                return nullptr;
            }
            return text(std::string{f.payload.begin() + 2, f.payload.end()});
        }
    }
    return nullptr;
}

int rsv_bits(const proto::frame_header& h) {
    return (h.rsv1 ? 4 : 0) | (h.rsv2 ? 2 : 0) | (h.rsv3 ? 1 : 0);
}

json wirelog_json(const runner::wire_log& log) {
    struct row {
        std::chrono::microseconds at;
        json entry;
    };
    std::vector<row> rows;
    for (const auto& r : log.raw()) {
        const bool sent = r.dir == runner::direction::sent;
        json octets = json::array({r.total, to_hex(r.bytes)});
        rows.push_back({r.at, sent ? json::array({"TO", octets, false}) : json::array({"RO", octets})});
    }
    for (const auto& f : log.frames()) {
        const auto& h = f.header;
        const json payload = json::array({h.length, shown_data(f.payload)});
        const json key = h.masked ? json(to_hex(h.key)) : json(nullptr);
        const auto op = static_cast<unsigned>(h.op);
        if (f.dir == runner::direction::sent) {
            // Autobahn's TF row: opcode, fin, rsv, mask, payload repeat length, chop size, sync.
            rows.push_back({f.at, json::array({"TF", payload, op, h.fin, rsv_bits(h), key, nullptr,
                                               nullptr, false})});
        } else {
            // Its RF row: opcode, fin, rsv, masked, mask.
            rows.push_back({f.at, json::array({"RF", payload, op, h.fin, rsv_bits(h), h.masked, key})});
        }
    }
    std::stable_sort(rows.begin(), rows.end(),
                     [](const row& a, const row& b) { return a.at < b.at; });
    json j = json::array();
    for (auto& r : rows) {
        j.push_back(std::move(r.entry));
    }
    return j;
}

std::string case_filename(const run_result& run, const case_result& c) {
    return autobahn_case_filename(run.agent, c.id);
}

} // namespace

std::string autobahn_clean_for_filename(std::string_view s) {
    std::string spaced;
    spaced.reserve(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (c >= 0x80) {
            // One space per code point, as Python maps characters, not bytes.
            while (i + 1 < s.size() && (static_cast<unsigned char>(s[i + 1]) & 0xC0) == 0x80) {
                ++i;
            }
            spaced += ' ';
        } else if (c >= 'A' && c <= 'Z') {
            spaced += static_cast<char>(c - 'A' + 'a');
        } else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
            spaced += static_cast<char>(c);
        } else {
            spaced += ' ';
        }
    }
    const auto first = spaced.find_first_not_of(' ');
    if (first == std::string::npos) {
        return {};
    }
    const auto last = spaced.find_last_not_of(' ');
    std::string out = spaced.substr(first, last - first + 1);
    std::replace(out.begin(), out.end(), ' ', '_');
    return out;
}

std::string autobahn_case_filename(std::string_view agent, std::string_view case_id) {
    std::string id{case_id};
    std::replace(id.begin(), id.end(), '.', '_');
    return autobahn_clean_for_filename(agent) + "_case_" + id + ".json";
}

json autobahn_case_json(const run_result& run, std::size_t index, const autobahn_options& options) {
    const case_result& c = run.cases.at(index);
    const auto& cl = c.close;
    json j = json::object();
    j["agent"] = text(run.agent);
    j["behavior"] = cases::to_string(c.behavior);
    j["behaviorClose"] = cases::to_string(c.close_behavior);
    j["case"] = index + 1;
    j["closedByMe"] = cl.closed_by_us;
    j["createStats"] = false;
    j["createWirelog"] = true;
    j["description"] = text(c.description);
    j["droppedByMe"] = cl.dropped_by_us;
    j["duration"] = c.duration.count();
    j["expectation"] = text(c.expectation);
    j["expected"] = expected_json(c.expected);
    j["expectedClose"] = {{"closedByMe", c.expected_close.closed_by_us},
                          {"closeCode", c.expected_close.codes},
                          {"requireClean", c.expected_close.require_clean}};
    j["failedByMe"] = cl.dropped_by_us;
    j["httpRequest"] = text(c.handshake.request);
    j["httpResponse"] = text(c.handshake.response);
    j["id"] = text(c.id);
    j["isServer"] = options.tester_is_server;
    j["localCloseCode"] = optional_code(cl.local_code);
    j["localCloseReason"] = local_close_reason(c.wire);
    j["received"] = trace_json(c.received);
    j["remoteCloseCode"] = optional_code(cl.remote_code);
    j["remoteCloseReason"] =
        cl.close_received && !cl.remote_reason.empty() ? text(cl.remote_reason) : json(nullptr);
    j["reportCompressionRatio"] = false;
    j["reportTime"] = c.report_time;
    j["result"] = text(c.reason);
    j["resultClose"] = text(c.close_reason);
    j["started"] = to_rfc3339(c.started);
    j["trafficStats"] = nullptr;
    j["wasClean"] = cl.clean;
    j["wasNotCleanReason"] = cl.clean ? json(nullptr) : text(cl.unclean_reason);
    j["wirelog"] = wirelog_json(c.wire);
    return j;
}

json autobahn_index_json(std::span<const run_result> runs) {
    json index = json::object();
    for (const auto& run : runs) {
        json& agent = index[to_valid_utf8(run.agent)];
        if (agent.is_null()) {
            agent = json::object();
        }
        for (const auto& c : run.cases) {
            agent[to_valid_utf8(c.id)] = {{"behavior", cases::to_string(c.behavior)},
                           {"behaviorClose", cases::to_string(c.close_behavior)},
                           {"duration", c.duration.count()},
                           {"remoteCloseCode", optional_code(c.close.remote_code)},
                           {"reportfile", case_filename(run, c)}};
        }
    }
    return index;
}

std::string write_autobahn_report(const std::filesystem::path& outdir,
                                  std::span<const run_result> runs,
                                  const autobahn_options& options) noexcept {
    try {
        // The case files first: index.json never names a file that is not there yet. They are
        // renamed into place unsynced; syncing index.json then syncs the directory with them.
        for (const auto& run : runs) {
            for (std::size_t i = 0; i < run.cases.size(); ++i) {
                const auto file = outdir / case_filename(run, run.cases[i]);
                if (auto err = write_file_atomically(file, dump(autobahn_case_json(run, i, options)),
                                                     durability::unsynced);
                    !err.empty()) {
                    return err;
                }
            }
        }
        return write_file_atomically(outdir / "index.json", dump(autobahn_index_json(runs)));
    } catch (const std::exception& e) {
        return "Cannot write the Autobahn report to " + outdir.string() + ": " + e.what() + ".";
    }
}

} // namespace wscheck::reports
