#include "reports/html_report.hpp"

#include "reports/atomic_file.hpp"
#include "reports/encoding.hpp"
#include "reports/html_page.hpp"
#include "reports/json_report.hpp"
#include "reports/tally.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <map>
#include <string_view>

namespace wscheck::reports {

namespace {

using json = nlohmann::ordered_json;

/// "6.3.1" -> "6.3": the section a case sits in.
std::string section_number(std::string_view id) {
    const auto dot = id.rfind('.');
    return std::string{dot == std::string_view::npos ? id : id.substr(0, dot)};
}

template <typename Array, typename T>
std::size_t index_in(const Array& all, T value) {
    return static_cast<std::size_t>(std::find(all.begin(), all.end(), value) - all.begin());
}

/// Cuts a bytes object of the JSON report ({"text"} or {"hex"}, "size") to `max` bytes, text
/// at a code point boundary, keeping the schema's meaning: "size" is what is held,
/// "truncated" and "full_size" say there was more.
void cut_bytes(json& b, std::size_t max) {
    if (!b.is_object() || !b.contains("size")) {
        return;
    }
    const std::size_t held = b["size"].get<std::size_t>();
    if (held <= max) {
        return;
    }
    std::size_t kept = max;
    if (b.contains("text")) {
        auto& s = b["text"].get_ref<std::string&>();
        while (kept > 0 && (static_cast<unsigned char>(s[kept]) & 0xC0) == 0x80) {
            --kept;
        }
        s.resize(kept);
    } else if (b.contains("hex")) {
        b["hex"].get_ref<std::string&>().resize(2 * kept);
    } else {
        return;
    }
    const std::size_t full = b.contains("full_size") ? std::max(held, b["full_size"].get<std::size_t>()) : held;
    b["size"] = kept;
    b["truncated"] = true;
    b["full_size"] = full;
}

/// Keeps the first three quarters of `max` items and the last quarter (where a close goes
/// wrong), with {"omitted": n} in the gap.
void thin(json& items, std::size_t max) {
    if (max == 0 || !items.is_array() || items.size() <= max) {
        return;
    }
    const std::size_t head = max * 3 / 4;
    const std::size_t tail = max - head;
    json kept = json::array();
    for (std::size_t i = 0; i < items.size(); ++i) {
        if (i < head || i >= items.size() - tail) {
            kept.push_back(std::move(items[i]));
        } else if (i == head) {
            kept.push_back({{"omitted", items.size() - head - tail}});
        }
    }
    items = std::move(kept);
}

/// The case object of the JSON report thinned for the page: the first and last events of a
/// trace and frames of the wire log, each payload a prefix.
void trim_case(json& c, const html_options& o) {
    thin(c["received"], o.max_events);
    for (auto& outcome : c["expected"]) {
        thin(outcome["trace"], o.max_events);
    }
    auto& wire = c["wire"];
    auto& frames = wire["frames"];
    thin(frames, o.max_frames);
    for (auto& f : frames) {
        if (f.contains("payload")) {
            cut_bytes(f["payload"], o.max_frame_payload_bytes);
        }
    }
    for (auto& r : wire["raw"]) {
        cut_bytes(r["bytes"], o.max_raw_bytes);
    }
    cut_bytes(c["handshake"]["request"], o.max_raw_bytes);
    cut_bytes(c["handshake"]["response"], o.max_raw_bytes);
    cut_bytes(c["close"]["remote_reason"], o.max_raw_bytes);
    // The index holds these already.
    c.erase("description");
    c.erase("expectation");
}

/// JSON text safe inside a <script> element: '<', '>', '&' and '/' occur only inside strings
/// in JSON, so escaping them changes no value, and no peer byte can close the element
/// ("</script>") or open a comment ("<!--"). '/' as "\/" also keeps URLs a peer sent
/// ("http://...") from reading as one in the file, for anyone checking it with grep.
std::string script_safe(const json& j) {
    const std::string text = j.dump(-1, ' ', false, json::error_handler_t::replace);
    std::string out;
    out.reserve(text.size() + text.size() / 16);
    for (const char ch : text) {
        switch (ch) {
        case '<': out += "\\u003c"; break;
        case '>': out += "\\u003e"; break;
        case '&': out += "\\u0026"; break;
        case '/': out += "\\/"; break;
        default: out += ch;
        }
    }
    return out;
}

std::string html_escape(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (const char ch : s) {
        switch (ch) {
        case '<': out += "&lt;"; break;
        case '>': out += "&gt;"; break;
        case '&': out += "&amp;"; break;
        case '"': out += "&quot;"; break;
        case '\'': out += "&#39;"; break;
        default: out += ch;
        }
    }
    return out;
}

struct row {
    const case_result* meta = nullptr;            ///< the first run's copy of the case
    std::vector<long> index_in_run;               ///< per run: its position there, or -1
};

/// Every case any run has, in catalog order (ids compared number by number).
std::vector<row> case_rows(std::span<const run_result> runs) {
    std::map<std::string, row, bool (*)(std::string_view, std::string_view) noexcept> by_id{
        &cases::id_less};
    for (std::size_t r = 0; r < runs.size(); ++r) {
        for (std::size_t k = 0; k < runs[r].cases.size(); ++k) {
            const auto& c = runs[r].cases[k];
            auto [it, fresh] = by_id.try_emplace(c.id);
            if (fresh) {
                it->second.meta = &c;
                it->second.index_in_run.assign(runs.size(), -1);
            }
            if (it->second.index_in_run[r] < 0) { // a repeated id: the first one is shown
                it->second.index_in_run[r] = static_cast<long>(k);
            }
        }
    }
    std::vector<row> rows;
    rows.reserve(by_id.size());
    for (auto& [id, r] : by_id) {
        rows.push_back(std::move(r));
    }
    return rows;
}

json index_json(std::span<const run_result> runs, const std::vector<row>& rows,
                const html_options& o) {
    json j = json::object();
    j["title"] = to_valid_utf8(o.title);
    json settings = json::array();
    for (const auto& s : o.settings) {
        settings.push_back(to_valid_utf8(s));
    }
    j["settings"] = std::move(settings);

    json behaviors = json::array();
    for (const auto b : all_behaviors) {
        behaviors.push_back(cases::to_string(b));
    }
    json closes = json::array();
    for (const auto b : all_close_behaviors) {
        closes.push_back(cases::to_string(b));
    }
    j["behaviors"] = std::move(behaviors);
    j["close_behaviors"] = std::move(closes);

    json run_list = json::array();
    for (const auto& run : runs) {
        const tally t = count_verdicts(run.cases);
        json counts = json::array();
        for (const auto b : all_behaviors) {
            counts.push_back(t.count(b));
        }
        json close_counts = json::array();
        for (const auto b : all_close_behaviors) {
            close_counts.push_back(t.count(b));
        }
        json notes = json::array();
        for (const auto& n : run.notes) {
            notes.push_back(to_valid_utf8(n));
        }
        run_list.push_back({{"agent", to_valid_utf8(run.agent)},
                            {"target", to_valid_utf8(run.target)},
                            {"tool", to_valid_utf8(run.tool)},
                            {"version", to_valid_utf8(run.version)},
                            {"started", to_rfc3339(run.started)},
                            {"finished", to_rfc3339(run.finished)},
                            {"interrupted", run.interrupted},
                            {"notes", std::move(notes)},
                            {"total", t.total},
                            {"counts", std::move(counts)},
                            {"close_counts", std::move(close_counts)}});
    }
    j["runs"] = std::move(run_list);

    json sections = json::array();
    for (const auto& s : o.sections) {
        sections.push_back({{"id", to_valid_utf8(s.id)}, {"title", to_valid_utf8(s.title)}});
    }
    j["sections"] = std::move(sections);

    // One row per case: its text once, then per run [behavior, close behavior, duration ms,
    // position in the run, reason, close reason] by index into the lists above, or null.
    json case_list = json::array();
    for (const auto& r : rows) {
        const auto& m = *r.meta;
        json cells = json::array();
        for (std::size_t k = 0; k < runs.size(); ++k) {
            if (r.index_in_run[k] < 0) {
                cells.push_back(nullptr);
                continue;
            }
            const auto& c = runs[k].cases[static_cast<std::size_t>(r.index_in_run[k])];
            cells.push_back(json::array({index_in(all_behaviors, c.behavior),
                                         index_in(all_close_behaviors, c.close_behavior),
                                         c.duration.count(), r.index_in_run[k], to_valid_utf8(c.reason),
                                         to_valid_utf8(c.close_reason)}));
        }
        case_list.push_back({{"id", to_valid_utf8(m.id)},
                             {"sec", to_valid_utf8(section_number(m.id))},
                             {"section", to_valid_utf8(m.section)},
                             {"description", to_valid_utf8(m.description)},
                             {"expectation", to_valid_utf8(m.expectation)},
                             {"clause", to_valid_utf8(m.rfc_clause)},
                             {"requirement", to_valid_utf8(m.rfc_requirement)},
                             {"report_time", m.report_time},
                             {"cells", std::move(cells)}});
    }
    j["cases"] = std::move(case_list);
    return j;
}

/// Per run, its cases in run order as trimmed wscheck-report/1 case objects.
json details_json(std::span<const run_result> runs, const html_options& o) {
    json_options jo;
    jo.max_event_bytes = o.max_event_bytes;
    jo.max_trace_bytes = o.max_trace_bytes;
    jo.indent = -1;
    json all = json::array();
    for (const auto& run : runs) {
        json report = report_to_json(run, jo);
        json cases_of_run = std::move(report["cases"]);
        for (auto& c : cases_of_run) {
            trim_case(c, o);
        }
        all.push_back(std::move(cases_of_run));
    }
    return all;
}

} // namespace

std::string render_html_report(std::span<const run_result> runs, const html_options& options) {
    const auto rows = case_rows(runs);
    std::string out;
    out += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
           "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
           // Nothing from anywhere: no script, style, image, font or frame but inline ones.
           "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
           "script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:\">\n<title>";
    out += html_escape(to_valid_utf8(options.title));
    out += "</title>\n<style>\n";
    out += html_page_style;
    out += "</style>\n</head>\n<body>\n";
    out += html_page_body;
    out += "<script type=\"application/json\" id=\"wscheck-index\">";
    out += script_safe(index_json(runs, rows, options));
    // The page's script before the details: it draws the matrix while the browser is still
    // reading the megabytes of wire logs.
    out += "</script>\n<script>\n";
    out += html_page_script;
    out += "</script>\n<script type=\"application/json\" id=\"wscheck-details\">";
    out += script_safe(details_json(runs, options));
    out += "</script>\n</body>\n</html>\n";
    return out;
}

std::string write_html_report(const std::filesystem::path& file, std::span<const run_result> runs,
                              const html_options& options) noexcept {
    std::string page;
    try {
        page = render_html_report(runs, options);
    } catch (const std::exception& e) {
        return std::string{"The HTML report could not be made: "} + e.what() + ".";
    }
    return write_file_atomically(file, page);
}

} // namespace wscheck::reports
