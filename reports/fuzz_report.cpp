#include "reports/fuzz_report.hpp"

#include "reports/atomic_file.hpp"
#include "reports/encoding.hpp"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <string_view>

namespace wscheck::reports {

namespace {

/// Text for an HTML element or a quoted attribute: the five characters that can end either
/// replaced by their references, and the text made valid UTF-8 first.
std::string html_text(std::string_view raw) {
    const std::string s = to_valid_utf8(raw);
    std::string out;
    out.reserve(s.size());
    std::size_t from = 0;
    for (auto at = s.find_first_of("<>&\"'"); at != std::string::npos; at = s.find_first_of("<>&\"'", from)) {
        out.append(s, from, at - from);
        constexpr std::string_view refs[] = {"&lt;", "&gt;", "&amp;", "&quot;", "&#39;"};
        out += refs[std::string_view{"<>&\"'"}.find(s[at])];
        from = at + 1;
    }
    out.append(s, from);
    return out;
}

std::string fixed(double v, int digits) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", digits, v);
    return buf;
}

/// "3 (inputs #12, #40, #77)": how often the run found the bug, and after which inputs.
std::string occurrences_text(const fuzz_report_finding& f) {
    std::string s = std::to_string(f.occurrences);
    for (std::size_t i = 0; i < f.occurrence_inputs.size(); ++i) {
        s += (i == 0 ? " (input" + std::string{f.occurrence_inputs.size() > 1 ? "s" : ""} + " #" : ", #") +
             std::to_string(f.occurrence_inputs[i]);
    }
    return s + (f.occurrence_inputs.empty() ? "" : ")");
}

} // namespace

std::string fuzz_report_json(const fuzz_report& r) {
    nlohmann::ordered_json j;
    j["format"] = "wscheck-fuzz-report";
    j["format_version"] = 1;
    j["wscheck_version"] = "0.1.0";
    j["target"] = r.target;
    j["exec"] = to_valid_utf8(r.exec);
    j["seed"] = r.seed;
    j["seed_given"] = r.seed_given;
    j["settings"] = {{"count", r.count},
                     {"time_s", r.time_s},
                     {"jobs", r.jobs},
                     {"probe_timeout_ms", r.probe_timeout_ms},
                     {"close_timeout_ms", r.close_timeout_ms},
                     {"shrink", r.shrink},
                     {"deflate", r.deflate}};
    j["started"] = to_rfc3339(r.started);
    j["finished"] = to_rfc3339(r.finished);
    j["end_reason"] = r.end_reason;
    j["interrupted"] = r.interrupted;
    j["inputs_sent"] = r.inputs_sent;
    j["bytes_sent"] = r.bytes_sent;
    j["fuzzing_seconds"] = r.fuzzing_seconds;
    j["inputs_per_second"] = r.inputs_per_second();
    j["strategies"] = r.strategies;
    j["restarts"] = r.restarts;
    auto findings = nlohmann::ordered_json::array();
    for (const auto& f : r.findings) {
        findings.push_back({{"kind", f.kind},
                            {"detail", to_valid_utf8(f.detail)},
                            {"input_index", f.input_index},
                            {"strategy", f.strategy},
                            {"file", to_valid_utf8(f.file)},
                            {"writes", f.writes},
                            {"bytes", f.bytes},
                            {"original_writes", f.original_writes},
                            {"original_bytes", f.original_bytes},
                            {"shrunk", f.shrunk},
                            {"reproduced", f.reproduced},
                            {"preview_hex", f.preview_hex},
                            {"signature", to_valid_utf8(f.signature)},
                            {"occurrences", f.occurrences},
                            {"occurrence_inputs", f.occurrence_inputs}});
    }
    j["findings"] = std::move(findings);
    auto notes = nlohmann::ordered_json::array();
    for (const auto& n : r.notes) {
        notes.push_back(to_valid_utf8(n));
    }
    j["notes"] = std::move(notes);
    return j.dump(2) + "\n";
}

std::string fuzz_report_html(const fuzz_report& r) {
    std::string h;
    h += "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
         "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n"
         "<title>wscheck fuzz: " + html_text(r.target) + "</title>\n<style>\n"
         "body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222}\n"
         "table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:4px 8px;text-align:left;vertical-align:top}\n"
         "th{background:#f3f3f3}.crash{background:#f8d7da}.hang{background:#fff3cd}.disconnect{background:#e2e3f5}\n"
         "code{font:12px ui-monospace,monospace;word-break:break-all}.ok{color:#1a7f37}.bad{color:#b42318}\n"
         "</style></head><body>\n";
    h += "<h1>wscheck fuzz</h1>\n<table>\n";
    auto row = [&](std::string_view name, const std::string& value) {
        h += "<tr><th>" + html_text(name) + "</th><td>" + html_text(value) + "</td></tr>\n";
    };
    row("target", r.target);
    if (!r.exec.empty()) {
        row("server command (--exec)", r.exec);
    }
    row("seed", std::to_string(r.seed) + (r.seed_given ? "" : " (drawn; rerun with --seed " + std::to_string(r.seed) + ")"));
    row("started", to_rfc3339(r.started));
    row("budget", std::to_string(r.count) + " inputs, " + fixed(r.time_s, 1) + " s, " + std::to_string(r.jobs) +
                      " parallel connection(s)" + (r.deflate ? ", permessage-deflate offered (--deflate)" : ""));
    row("inputs sent", std::to_string(r.inputs_sent) + " (" + std::to_string(r.bytes_sent) + " bytes) in " +
                           fixed(r.fuzzing_seconds, 2) + " s: " + fixed(r.inputs_per_second(), 1) + " inputs/s");
    std::string strategies;
    for (const auto& [name, n] : r.strategies) {
        strategies += (strategies.empty() ? "" : ", ") + name + " " + std::to_string(n);
    }
    row("strategies", strategies);
    row("ended", r.end_reason + (r.restarts > 0 ? ", " + std::to_string(r.restarts) + " server restart(s)" : ""));
    h += "</table>\n";
    if (r.findings.empty()) {
        h += "<p class=\"ok\">No finding: the server passed the liveness check after every input.</p>\n";
    } else {
        h += "<h2 class=\"bad\">" + std::to_string(r.findings.size()) + " finding(s)</h2>\n<table>\n"
             "<tr><th>kind</th><th>input</th><th>what was seen</th><th>occurrences</th><th>reproducer</th>"
             "<th>first bytes</th></tr>\n";
        for (const auto& f : r.findings) {
            h += "<tr class=\"" + html_text(f.kind) + "\"><td>" + html_text(f.kind) + "</td><td>#" +
                 std::to_string(f.input_index) + " " + html_text(f.strategy) + "</td><td>" + html_text(f.detail) +
                 (f.reproduced ? "" : " <em>(not reproduced alone)</em>") + "<br>signature: <code>" +
                 html_text(f.signature) + "</code></td><td>" + occurrences_text(f) + "</td><td><code>" + html_text(f.file) +
                 "</code><br>" + std::to_string(f.writes) + " write(s), " + std::to_string(f.bytes) + " bytes" +
                 (f.shrunk ? " (shrunk from " + std::to_string(f.original_writes) + ", " +
                                 std::to_string(f.original_bytes) + ")"
                           : "") +
                 "<br><code>wscheck fuzz --replay " + html_text(f.file) + " " + html_text(r.target) +
                 "</code></td><td><code>" + html_text(f.preview_hex) + "</code></td></tr>\n";
        }
        h += "</table>\n";
    }
    if (!r.notes.empty()) {
        h += "<h2>Notes</h2>\n<ul>\n";
        for (const auto& n : r.notes) {
            h += "<li>" + html_text(n) + "</li>\n";
        }
        h += "</ul>\n";
    }
    h += "</body></html>\n";
    return h;
}

std::string write_fuzz_report(const fuzz_report& r, const std::filesystem::path& dir) {
    if (auto e = write_file_atomically(dir / "fuzz.json", fuzz_report_json(r)); !e.empty()) {
        return e;
    }
    return write_file_atomically(dir / "fuzz.html", fuzz_report_html(r));
}

} // namespace wscheck::reports
