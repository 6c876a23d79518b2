// The HTML report: one self-contained file (inline CSS and JS, no fetch of any kind, opens from
// file://) with the matrix of cases against tested agents, as the Autobahn Testsuite's, and the
// detail of every case a click away.
//
// Why the data is embedded as JSON and drawn by the page's script: thousands of cells written
// as HTML make a file the browser must parse and lay out in full before it answers; a JSON blob
// parses in milliseconds and the matrix is inserted at once. The blob is split in two: the
// index (case list, verdicts, durations, reasons), parsed when the page opens, and the
// details (the trimmed wscheck-report/1 case objects of reports/json_report.hpp, wire log
// included), parsed the first time a case is opened.
//
// Peer bytes are hostile: in the blobs every '<', '>' and '&' is written as a \u escape, so no
// payload can end the <script> element, and the page's script inserts every string as text.
#pragma once

#include "cases/catalog.hpp"
#include "reports/result.hpp"

#include <cstddef>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

namespace wscheck::reports {

struct html_options {
    std::string title = "wscheck report";
    /// Lines for the header saying how the run was made ("cases: 1.*,5.*", "jobs: 4").
    std::vector<std::string> settings;
    /// The catalog's headings, to label the groups ("1 Framing"); without them the groups are
    /// labelled with the titles the cases carry.
    std::vector<cases::section> sections;

    // Caps that keep a report of several agents x the whole catalog small enough to open fast;
    // the JSON report beside it holds more.
    std::size_t max_event_bytes = 512;        ///< data shown per received or expected event
    std::size_t max_trace_bytes = 4 * 1024;   ///< data shown per trace
    std::size_t max_events = 40;              ///< events shown per trace: the first and last
    std::size_t max_frames = 80;              ///< wire frames shown per case: the first and last
    std::size_t max_frame_payload_bytes = 96; ///< payload shown per wire frame
    std::size_t max_raw_bytes = 2 * 1024;     ///< per raw record and HTTP head
};

/// The report as one HTML document (UTF-8).
std::string render_html_report(std::span<const run_result> runs, const html_options& options = {});

/// Writes the report to `file` atomically (reports/atomic_file.hpp). Returns "" on success,
/// else one sentence. Never throws.
[[nodiscard]] std::string write_html_report(const std::filesystem::path& file,
                                            std::span<const run_result> runs,
                                            const html_options& options = {}) noexcept;

} // namespace wscheck::reports
