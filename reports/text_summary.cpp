#include "reports/text_summary.hpp"

#include "reports/encoding.hpp"
#include "reports/tally.hpp"

#include <algorithm>
#include <cstdio>
#include <vector>

namespace wscheck::reports {

namespace {

using cases::behavior;
using cases::close_behavior;

/// "6.3.1" -> "6.3", "2.1" -> "2": the section a case sits in.
std::string section_number(const std::string& id) {
    const auto dot = id.rfind('.');
    return dot == std::string::npos ? id : id.substr(0, dot);
}

bool close_is_bad(close_behavior b) noexcept {
    return b != close_behavior::ok && b != close_behavior::informational;
}

/// Lower is worse; -1 when the case is not listed.
int severity(const case_result& c) noexcept {
    if (c.behavior == behavior::failed) {
        return 0;
    }
    if (close_is_bad(c.close_behavior)) {
        return 1;
    }
    if (c.behavior == behavior::non_strict) {
        return 2;
    }
    if (c.behavior == behavior::unimplemented) {
        return 3;
    }
    return -1;
}

std::string pad_right(std::string s, std::size_t width) {
    if (s.size() < width) {
        s.append(width - s.size(), ' ');
    }
    return s;
}

struct section_row {
    std::string label;
    tally counts;
};

constexpr std::size_t max_label = 44;

std::string table_row(const std::string& label, std::size_t label_width, const tally& t) {
    char buf[128];
    std::snprintf(buf, sizeof buf, "  %5zu  %4zu  %10zu  %13zu  %13zu  %6zu\n", t.total,
                  t.count(behavior::ok), t.count(behavior::non_strict),
                  t.count(behavior::informational), t.count(behavior::unimplemented),
                  t.count(behavior::failed));
    return pad_right(label, label_width) + buf;
}

} // namespace

std::string render_text_summary(const run_result& run, const summary_options& options) {
    std::string out;
    const auto seconds =
        std::chrono::duration<double>(run.finished - run.started).count();
    char when[64];
    std::snprintf(when, sizeof when, " in %.1f s", seconds > 0 ? seconds : 0.0);
    const std::string who = run.agent.empty() ? run.target : run.agent + " at " + run.target;
    out += run.tool + " " + run.version + ": " + who + ", " +
           std::to_string(run.cases.size()) + (run.cases.size() == 1 ? " case" : " cases") + when +
           (run.interrupted ? " (interrupted: only the cases that ran are counted)" : "") + "\n";
    for (const auto& note : run.notes) {
        out += "note: " + note + "\n";
    }
    if (run.cases.empty()) {
        out += "No case ran.\n";
        return out;
    }

    // Sections in the order their first case ran.
    std::vector<std::pair<std::string, section_row>> sections;
    for (const auto& c : run.cases) {
        const std::string number = section_number(c.id);
        auto it = std::find_if(sections.begin(), sections.end(),
                               [&](const auto& s) { return s.first == number; });
        if (it == sections.end()) {
            const std::string label = c.section.empty() ? number : number + " " + c.section;
            sections.push_back({number, section_row{cut_text(label, max_label), {}}});
            it = sections.end() - 1;
        }
        it->second.counts.add(c);
    }
    std::size_t label_width = std::string_view{"section"}.size();
    for (const auto& s : sections) {
        label_width = std::max(label_width, s.second.label.size());
    }
    out += "\n" + pad_right("section", label_width) +
           "  total    OK  NON-STRICT  INFORMATIONAL  UNIMPLEMENTED  FAILED\n";
    for (const auto& s : sections) {
        out += table_row(s.second.label, label_width, s.second.counts);
    }
    const tally all = count_verdicts(run.cases);
    out += table_row("total", label_width, all);
    out += "close:";
    bool first = true;
    for (const auto b : all_close_behaviors) {
        if (const auto n = all.count(b); n > 0) {
            out += (first ? " " : ", ") + std::to_string(n) + " " + std::string{cases::to_string(b)};
            first = false;
        }
    }
    out += "\n";

    std::vector<const case_result*> listed;
    for (const auto& c : run.cases) {
        if (severity(c) >= 0) {
            listed.push_back(&c);
        }
    }
    std::stable_sort(listed.begin(), listed.end(), [](const case_result* a, const case_result* b) {
        return severity(*a) < severity(*b);
    });
    if (listed.empty()) {
        return out;
    }
    const std::size_t shown = std::min(listed.size(), options.max_listed);
    std::size_t id_width = 0;
    std::size_t verdict_width = 0;
    std::vector<std::string> verdicts;
    for (std::size_t i = 0; i < shown; ++i) {
        const auto& c = *listed[i];
        verdicts.push_back(std::string{cases::to_string(c.behavior)} + "/" +
                           std::string{cases::to_string(c.close_behavior)});
        id_width = std::max(id_width, c.id.size());
        verdict_width = std::max(verdict_width, verdicts.back().size());
    }
    out += "\n";
    for (std::size_t i = 0; i < shown; ++i) {
        const auto& c = *listed[i];
        std::string reason;
        if (c.behavior != behavior::ok && c.behavior != behavior::informational) {
            reason = c.reason;
        }
        if (close_is_bad(c.close_behavior)) {
            reason += reason.empty() ? c.close_reason : " Close: " + c.close_reason;
        }
        out += pad_right(c.id, id_width) + "  " + pad_right(verdicts[i], verdict_width) + "  " +
               cut_text(reason, options.max_reason_chars) + "\n";
    }
    if (listed.size() > shown) {
        out += "... " + std::to_string(listed.size() - shown) + " more in the report\n";
    }
    return out;
}

} // namespace wscheck::reports
