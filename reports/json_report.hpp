// wscheck's own report format, "wscheck-report/1": a run_result as JSON, and back.
//
// The schema is documented field by field in docs/report-schema.md. In short: run-level facts,
// a summary of verdict counts, then one object per case with its verdicts, the evidence (events
// received and expected, close and handshake records, the capped wire log) and its timing.
//
// Bytes (payloads, event data, HTTP heads, the peer's close reason) are objects, because a JSON
// string must be valid UTF-8 and a peer's bytes need not be: {"text": "...", "size": n} when
// they are printable UTF-8 (reports/encoding.hpp), else {"hex": "...", "size": n}; event data
// cut to json_options::max_event_bytes adds "truncated": true and "full_size".
//
// Reading never throws: a malformed file gives nullopt and one sentence in `error`.
#pragma once

#include "reports/result.hpp"

#include <nlohmann/json.hpp>

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace wscheck::reports {

/// The value of the "schema" field; a reader accepts only this one.
inline constexpr std::string_view report_schema = "wscheck-report/1";

struct json_options {
    /// Event data (received and expected traces) longer than this is cut in the report, so
    /// that the 16 MiB echoes of section 9 do not make a report of gigabytes.
    std::size_t max_event_bytes = 8 * 1024;
    /// Spaces per level; -1 writes one line.
    int indent = 2;
    /// All the event data of one trace together; events past it keep their kind and size.
    std::size_t max_trace_bytes = 32 * 1024;
};

/// The report as a JSON value, its members in the documented order.
nlohmann::ordered_json report_to_json(const run_result& run, const json_options& options = {});

/// The report as text (always valid UTF-8 and valid JSON, for a partial run too).
std::string render_json_report(const run_result& run, const json_options& options = {});

/// Writes the report to `file` atomically. Returns "" on success, else one sentence.
[[nodiscard]] std::string write_json_report(const std::filesystem::path& file,
                                            const run_result& run,
                                            const json_options& options = {}) noexcept;

/// Rebuilds a run from a report value. On failure returns nullopt and sets `error` to one
/// sentence naming the first field that is wrong.
std::optional<run_result> report_from_json(const nlohmann::ordered_json& report,
                                           std::string& error) noexcept;

/// As report_from_json(), from the text of a report.
std::optional<run_result> parse_json_report(std::string_view text, std::string& error) noexcept;

/// As report_from_json(), from a report file.
std::optional<run_result> read_json_report(const std::filesystem::path& file,
                                           std::string& error) noexcept;

} // namespace wscheck::reports
