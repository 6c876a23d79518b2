#include "reports/markdown_summary.hpp"

#include "reports/atomic_file.hpp"
#include "reports/case_groups.hpp"
#include "reports/encoding.hpp"
#include "reports/tally.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <exception>

namespace wscheck::reports {

namespace {

using cases::behavior;

/// Valid UTF-8 on one line: every C0 control and DEL becomes a space.
std::string one_line(std::string_view raw) {
    std::string s = to_valid_utf8(raw);
    for (auto& c : s) {
        const auto u = static_cast<unsigned char>(c);
        if (u < 0x20 || u == 0x7F) {
            c = ' ';
        }
    }
    return s;
}

std::string verdicts(const case_result& c) {
    return std::string{cases::to_string(c.behavior)} + "/" + std::string{cases::to_string(c.close_behavior)};
}

/// The reason of each failing axis, as the text summary gives it.
std::string failure_reason(const case_result& c) {
    std::string reason;
    if (cases::is_failure(c.behavior)) {
        reason = c.reason;
    }
    if (cases::is_failure(c.close_behavior)) {
        reason += reason.empty() ? c.close_reason : " Close: " + c.close_reason;
    }
    return reason;
}

std::size_t close_failures(const run_result& run, const std::vector<std::size_t>& indices) {
    return static_cast<std::size_t>(std::count_if(indices.begin(), indices.end(), [&](std::size_t i) {
        return cases::is_failure(run.cases[i].close_behavior);
    }));
}

std::string table_row(const std::string& label, const tally& t, std::size_t close_failed) {
    std::string row = "| " + label + " | " + std::to_string(t.total);
    for (const auto b : all_behaviors) {
        row += " | " + std::to_string(t.count(b));
    }
    return row + " | " + std::to_string(close_failed) + " |\n";
}

void render_run(std::string& out, const run_result& run, const markdown_options& options) {
    const tally all = count_verdicts(run.cases);
    std::vector<const case_result*> failing;
    for (const auto& c : run.cases) {
        if (is_failing(c)) {
            failing.push_back(&c);
        }
    }
    const std::string agent = run.agent.empty() ? run.target : run.agent;
    // An interrupted run is never all clear: the cases it did not run are not counted.
    const char* mark = !failing.empty() ? "❌" : run.interrupted ? "⚠️" : "✅";
    out += "### " + std::string{mark} + " " + markdown_code(agent, false) + ": " +
           std::to_string(failing.size()) + " of " + std::to_string(run.cases.size()) +
           (run.cases.size() == 1 ? " case" : " cases") + " failing\n\n";

    std::string line;
    for (const auto b : all_behaviors) {
        line += (line.empty() ? "" : " · ") + std::to_string(all.count(b)) + " " + std::string{cases::to_string(b)};
    }
    std::string closes;
    for (const auto b : all_close_behaviors) {
        if (cases::is_failure(b) && all.count(b) > 0) {
            closes += (closes.empty() ? "" : ", ") + std::to_string(all.count(b)) + " " + std::string{cases::to_string(b)};
        }
    }
    line += " · close: " + (closes.empty() ? std::string{"all OK or INFORMATIONAL"} : closes);
    if (!run.target.empty()) {
        line += " · target " + markdown_code(run.target, false);
    }
    const auto seconds = std::chrono::duration<double>(run.finished - run.started).count();
    char took[48];
    std::snprintf(took, sizeof took, " · %.1f s", seconds > 0 ? seconds : 0.0);
    out += line + took + "\n\n";
    if (run.interrupted) {
        out += "**Interrupted:** only the cases that ran are counted.\n\n";
    }
    constexpr std::size_t max_notes = 10;
    for (std::size_t i = 0; i < run.notes.size() && i < max_notes; ++i) {
        out += "- Note: " + markdown_text(cut_text(one_line(run.notes[i]), options.max_reason_chars)) + "\n";
    }
    if (run.notes.size() > max_notes) {
        out += "- ... " + std::to_string(run.notes.size() - max_notes) + " more notes in the report\n";
    }
    if (!run.notes.empty()) {
        out += "\n";
    }
    if (run.cases.empty()) {
        out += "No case ran.\n\n";
        return;
    }

    out += "| Section | Cases";
    for (const auto b : all_behaviors) {
        out += " | " + std::string{cases::to_string(b)};
    }
    out += " | Close failed |\n|:--|--:|--:|--:|--:|--:|--:|--:|\n";
    for (const auto& group : group_by_section(run)) {
        tally t;
        for (const auto i : group.indices) {
            t.add(run.cases[i]);
        }
        const std::string label = group.title.empty() ? group.number : group.number + " " + group.title;
        out += table_row(markdown_text(cut_text(one_line(label), 80)), t, close_failures(run, group.indices));
    }
    std::vector<std::size_t> every(run.cases.size());
    for (std::size_t i = 0; i < every.size(); ++i) {
        every[i] = i;
    }
    out += table_row("**Total**", all, close_failures(run, every)) + "\n";

    if (failing.empty()) {
        return;
    }
    const std::size_t shown = std::min(failing.size(), options.max_listed);
    if (shown > 0) {
        out += "| Failing case | Verdict | Reason |\n|:--|:--|:--|\n";
        for (std::size_t i = 0; i < shown; ++i) {
            const auto& c = *failing[i];
            out += "| " + markdown_code(c.id) + " | " + verdicts(c) + " | " +
                   markdown_code(cut_text(one_line(failure_reason(c)), options.max_reason_chars)) + " |\n";
        }
        out += "\n";
    }
    if (failing.size() > shown) {
        out += "... and " + std::to_string(failing.size() - shown) +
               " more failing cases in the full report.\n\n";
    }
}

} // namespace

std::string markdown_code(std::string_view s, bool in_table) {
    const std::string content = one_line(s);
    std::size_t longest = 0;
    std::size_t run = 0;
    for (const char c : content) {
        run = c == '`' ? run + 1 : 0;
        longest = std::max(longest, run);
    }
    if (content.empty()) {
        return "` `";
    }
    const std::string fence(longest + 1, '`');
    // CommonMark 6.1 strips one space from each end of a code span, so a span that starts or
    // ends with a backtick (or a space) is padded to keep its content intact.
    const bool pad = content.front() == '`' || content.back() == '`' || content.front() == ' ' ||
                     content.back() == ' ';
    std::string out = fence + (pad ? " " : "");
    for (const char c : content) {
        // GFM 4.10: a '|' inside a cell, even in a code span, must be escaped.
        if (in_table && c == '|') {
            out += '\\';
        }
        out += c;
    }
    return out + (pad ? " " : "") + fence;
}

std::string markdown_text(std::string_view s) {
    const std::string line = one_line(s);
    std::string out;
    out.reserve(line.size() + line.size() / 4);
    for (const char c : line) {
        const auto u = static_cast<unsigned char>(c);
        // CommonMark 2.4: any ASCII punctuation may be backslash-escaped, and then means itself.
        const bool punct = (u >= 0x21 && u <= 0x2F) || (u >= 0x3A && u <= 0x40) || (u >= 0x5B && u <= 0x60) ||
                           (u >= 0x7B && u <= 0x7E);
        if (punct) {
            out += '\\';
        }
        out += c;
    }
    return out;
}

std::string render_markdown_summary(std::span<const run_result> runs, const markdown_options& options) {
    std::string out = "## wscheck results\n\n";
    if (runs.empty()) {
        return out + "No run.\n";
    }
    for (const auto& run : runs) {
        render_run(out, run, options);
    }
    return out;
}

std::string write_markdown_summary(const std::filesystem::path& file, std::span<const run_result> runs,
                                   const markdown_options& options) noexcept {
    std::string document;
    try {
        document = render_markdown_summary(runs, options);
    } catch (const std::exception& e) {
        return "Cannot build the Markdown summary: " + std::string{e.what()} + ".";
    }
    return write_file_atomically(file, document);
}

} // namespace wscheck::reports
