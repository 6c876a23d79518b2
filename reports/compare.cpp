#include "reports/compare.hpp"

#include "reports/atomic_file.hpp"
#include "reports/case_groups.hpp"
#include "reports/encoding.hpp"
#include "reports/markdown_summary.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <exception>
#include <map>
#include <stdexcept>

namespace wscheck::reports {

namespace {

using json = nlohmann::json;

std::string trimmed(const std::string& s) {
    const auto first = s.find_first_not_of(" \t\r\n");
    if (first == std::string::npos) {
        return "";
    }
    return s.substr(first, s.find_last_not_of(" \t\r\n") - first + 1);
}

/// Throws std::runtime_error with the sentence a bad baseline gets.
baseline baseline_from(const json& j) {
    if (!j.is_object()) {
        throw std::runtime_error("the baseline is not a JSON object");
    }
    const auto list = j.find("accepted");
    if (list == j.end() || !list->is_array()) {
        throw std::runtime_error("the baseline has no \"accepted\" array");
    }
    baseline b;
    for (std::size_t i = 0; i < list->size(); ++i) {
        const json& e = (*list)[i];
        const std::string at = "accepted[" + std::to_string(i) + "]";
        if (!e.is_object()) {
            throw std::runtime_error(at + " is not an object");
        }
        for (const auto& [key, value] : e.items()) {
            if (key != "id" && key != "agent" && key != "reason") {
                throw std::runtime_error(at + " has an unknown key \"" + to_valid_utf8(key) +
                                         "\" (id, agent and reason are allowed)");
            }
        }
        baseline_entry entry;
        const auto id = e.find("id");
        if (id == e.end() || !id->is_string() || trimmed(id->get<std::string>()).empty()) {
            throw std::runtime_error(at + " has no case \"id\"");
        }
        entry.id = trimmed(id->get<std::string>());
        const auto where = at + " (" + to_valid_utf8(entry.id) + ")";
        if (const auto agent = e.find("agent"); agent != e.end()) {
            if (!agent->is_string() || agent->get<std::string>().empty()) {
                throw std::runtime_error(where + " has an \"agent\" that is not a non-empty string");
            }
            entry.agent = agent->get<std::string>();
        }
        // An accepted failure without a reason is a failure nobody looked at.
        const auto reason = e.find("reason");
        if (reason == e.end() || !reason->is_string() || trimmed(reason->get<std::string>()).empty()) {
            throw std::runtime_error(where + " has no \"reason\": say why the failure is accepted");
        }
        entry.reason = trimmed(reason->get<std::string>());
        b.accepted.push_back(std::move(entry));
    }
    return b;
}

std::string code_text(const std::optional<std::uint16_t>& code) {
    return code ? std::to_string(*code) : "-";
}

std::string verdict_text(const case_result& c) {
    return std::string{cases::to_string(c.behavior)} + "/" + std::string{cases::to_string(c.close_behavior)} + " " +
           code_text(c.close.remote_code);
}

/// The reason of each failing axis; for a passing case its behavior's reason.
std::string reason_of(const case_result& c) {
    std::string reason;
    if (cases::is_failure(c.behavior) || !cases::is_failure(c.close_behavior)) {
        reason = c.reason;
    }
    if (cases::is_failure(c.close_behavior)) {
        reason += reason.empty() ? c.close_reason : " Close: " + c.close_reason;
    }
    return reason;
}

std::string ms_text(std::chrono::milliseconds d) { return std::to_string(d.count()) + " ms"; }

/// Valid UTF-8 on one line, cut to `max` bytes with "..." (whole code points).
std::string one_line(std::string_view raw, std::size_t max) {
    std::string s = to_valid_utf8(raw);
    for (auto& c : s) {
        const auto u = static_cast<unsigned char>(c);
        if (u < 0x20 || u == 0x7F) {
            c = ' ';
        }
    }
    return cut_text(std::move(s), max);
}

std::string pad_right(std::string s, std::size_t width) {
    // Width in code points, so that a non-ASCII reason does not shift the columns.
    std::size_t points = 0;
    for (const char c : s) {
        points += (static_cast<unsigned char>(c) & 0xC0) != 0x80 ? 1 : 0;
    }
    if (points < width) {
        s.append(width - points, ' ');
    }
    return s;
}

std::string plural(std::size_t n, const char* one, const char* many) {
    return std::to_string(n) + " " + (n == 1 ? one : many);
}

std::string totals_line(const comparison& c) {
    std::string line = plural(c.regressions(), "regression", "regressions");
    for (const auto k : {change_kind::fixed, change_kind::verdict_changed, change_kind::close_changed,
                         change_kind::added, change_kind::removed, change_kind::accepted,
                         change_kind::baseline_removable}) {
        if (const auto n = c.count(k); n > 0) {
            std::string name{to_string(k)};
            std::transform(name.begin(), name.end(), name.begin(),
                           [](char ch) { return ch >= 'A' && ch <= 'Z' ? static_cast<char>(ch - 'A' + 'a') : ch; });
            line += ", " + std::to_string(n) + " " + name;
        }
    }
    return line + ", " + std::to_string(c.unchanged) + " unchanged";
}

} // namespace

const baseline_entry* baseline::find(std::string_view agent, std::string_view case_id) const noexcept {
    for (const auto& e : accepted) {
        if (e.id == case_id && (!e.agent || *e.agent == agent)) {
            return &e;
        }
    }
    return nullptr;
}

std::optional<baseline> parse_baseline(std::string_view text, std::string& error) noexcept {
    try {
        return baseline_from(json::parse(text.begin(), text.end()));
    } catch (const json::parse_error& e) {
        error = "the baseline is not valid JSON (at byte " + std::to_string(e.byte) + ")";
    } catch (const std::exception& e) {
        error = e.what();
    }
    return std::nullopt;
}

std::optional<baseline> read_baseline(const std::filesystem::path& file, std::string& error) noexcept {
    std::string text;
    if (auto err = read_file(file, text, std::size_t{64} << 20); !err.empty()) {
        error = std::move(err);
        return std::nullopt;
    }
    auto b = parse_baseline(text, error);
    if (!b) {
        error = file.string() + ": " + error;
    }
    return b;
}

std::string_view to_string(change_kind k) noexcept {
    switch (k) {
    case change_kind::regression: return "REGRESSION";
    case change_kind::fixed: return "FIXED";
    case change_kind::verdict_changed: return "VERDICT CHANGED";
    case change_kind::close_changed: return "CLOSE CHANGED";
    case change_kind::added: return "ADDED";
    case change_kind::removed: return "REMOVED";
    case change_kind::slower: return "SLOWER";
    case change_kind::accepted: return "ACCEPTED";
    case change_kind::baseline_removable: return "REMOVABLE FROM BASELINE";
    }
    return "?";
}

std::size_t comparison::regressions() const noexcept {
    return static_cast<std::size_t>(
        std::count_if(changes.begin(), changes.end(), [](const case_change& c) { return c.is_regression; }));
}

std::size_t comparison::count(change_kind k) const noexcept {
    return static_cast<std::size_t>(
        std::count_if(changes.begin(), changes.end(), [k](const case_change& c) { return c.kind == k; }));
}

comparison compare_runs(const run_result& base, const run_result& next, const compare_options& options) {
    comparison out;
    out.base_agent = base.agent;
    out.new_agent = next.agent;
    out.base_cases = base.cases.size();
    out.new_cases = next.cases.size();
    if (base.agent != next.agent) {
        out.notes.push_back("BASE and NEW test different agents (" + base.agent + ", " + next.agent +
                            "); the baseline is matched against NEW's");
    }
    if (base.interrupted) {
        out.notes.push_back("BASE was interrupted: cases it did not run show as added");
    }
    if (next.interrupted) {
        out.notes.push_back("NEW was interrupted: cases it did not run show as removed");
    }

    std::map<std::string, const case_result*> in_base;
    for (const auto& c : base.cases) {
        if (!in_base.emplace(c.id, &c).second) {
            out.notes.push_back("BASE lists case " + c.id + " twice; the first one is compared");
        }
    }
    std::map<std::string, bool> seen_in_new;
    const baseline* accepted = options.accepted;

    for (const auto& now : next.cases) {
        if (!seen_in_new.emplace(now.id, true).second) {
            out.notes.push_back("NEW lists case " + now.id + " twice; the first one is compared");
            continue;
        }
        const bool now_failing = is_failing(now);
        const baseline_entry* entry = accepted ? accepted->find(next.agent, now.id) : nullptr;
        const auto before_it = in_base.find(now.id);
        const std::size_t changes_before = out.changes.size();
        auto add = [&](change_kind k, std::string before, std::string after, std::string detail, bool regression) {
            out.changes.push_back({k, now.id, std::move(before), std::move(after), std::move(detail), regression});
        };

        if (before_it == in_base.end()) {
            if (now_failing && entry) {
                add(change_kind::accepted, "", verdict_text(now), "Not in BASE; accepted by the baseline: " + entry->reason,
                    false);
            } else if (now_failing) {
                add(change_kind::regression, "", verdict_text(now), "Not in BASE, failing: " + reason_of(now), true);
            } else {
                add(change_kind::added, "", verdict_text(now), "Not in BASE.", false);
            }
        } else {
            const case_result& was = *before_it->second;
            const bool was_failing = is_failing(was);
            if (!was_failing && now_failing) {
                if (entry) {
                    add(change_kind::accepted, verdict_text(was), verdict_text(now),
                        "Accepted by the baseline: " + entry->reason, false);
                } else {
                    add(change_kind::regression, verdict_text(was), verdict_text(now), reason_of(now), true);
                }
            } else if (was_failing && !now_failing) {
                add(change_kind::fixed, verdict_text(was), verdict_text(now), reason_of(now), false);
            } else if (was.behavior != now.behavior || was.close_behavior != now.close_behavior) {
                add(change_kind::verdict_changed, verdict_text(was), verdict_text(now), reason_of(now), false);
            } else if (was.close.remote_code != now.close.remote_code) {
                add(change_kind::close_changed, verdict_text(was), verdict_text(now),
                    now.close_reason.empty() ? "The peer's close code changed." : now.close_reason, false);
            }

            // 9.x measure throughput: a timed case that got much slower is a regression even
            // when its verdict did not change.
            if (was.report_time || now.report_time) {
                const auto b = was.duration;
                const auto n = now.duration;
                const double limit = static_cast<double>(b.count()) * (1.0 + options.time_threshold_percent / 100.0);
                if (static_cast<double>(n.count()) > limit && n - b >= options.min_time_increase) {
                    char detail[160];
                    const double pct = b.count() > 0 ? 100.0 * static_cast<double>((n - b).count()) /
                                                           static_cast<double>(b.count())
                                                     : 0.0;
                    std::snprintf(detail, sizeof detail,
                                  "%.0f%% slower (+%lld ms), past the %.0f%% and %lld ms thresholds.", pct,
                                  static_cast<long long>((n - b).count()), options.time_threshold_percent,
                                  static_cast<long long>(options.min_time_increase.count()));
                    add(change_kind::slower, ms_text(b), ms_text(n), detail, true);
                }
            }
        }
        if (entry && !now_failing) {
            add(change_kind::baseline_removable, "", verdict_text(now),
                "Passes now: the baseline entry can be removed (it said: " + entry->reason + ")", false);
        }
        if (before_it != in_base.end() && out.changes.size() == changes_before) {
            ++out.unchanged;
        }
    }
    for (const auto& was : base.cases) {
        if (seen_in_new.find(was.id) == seen_in_new.end()) {
            seen_in_new.emplace(was.id, false);
            out.changes.push_back({change_kind::removed, was.id, verdict_text(was), "", "Not in NEW.", false});
        }
    }
    if (accepted) {
        for (const auto& e : accepted->accepted) {
            if ((!e.agent || *e.agent == next.agent) && seen_in_new.find(e.id) == seen_in_new.end()) {
                out.notes.push_back("the baseline accepts " + e.id + ", which neither run has");
            }
        }
    }
    std::stable_partition(out.changes.begin(), out.changes.end(),
                          [](const case_change& c) { return c.is_regression; });
    return out;
}

std::string render_comparison_text(const comparison& c) {
    std::string out = "wscheck compare: BASE " + one_line(c.base_agent, 60) + " (" +
                      plural(c.base_cases, "case", "cases") + ") -> NEW " + one_line(c.new_agent, 60) + " (" +
                      plural(c.new_cases, "case", "cases") + ")\n";
    for (const auto& note : c.notes) {
        out += "note: " + one_line(note, 300) + "\n";
    }
    if (c.changes.empty()) {
        out += "\nNo change.\n";
    } else {
        std::size_t kind_w = std::string_view{"change"}.size();
        std::size_t id_w = std::string_view{"case"}.size();
        std::size_t before_w = std::string_view{"before"}.size();
        std::size_t after_w = std::string_view{"after"}.size();
        for (const auto& ch : c.changes) {
            kind_w = std::max(kind_w, to_string(ch.kind).size());
            id_w = std::max(id_w, ch.id.size());
            before_w = std::max(before_w, ch.before.size());
            after_w = std::max(after_w, ch.after.size());
        }
        id_w = std::min<std::size_t>(id_w, 16);
        out += "\n" + pad_right("change", kind_w) + "  " + pad_right("case", id_w) + "  " + pad_right("before", before_w) +
               "  " + pad_right("after", after_w) + "  detail\n";
        for (const auto& ch : c.changes) {
            out += pad_right(std::string{to_string(ch.kind)}, kind_w) + "  " + pad_right(one_line(ch.id, 16), id_w) +
                   "  " + pad_right(ch.before.empty() ? "-" : ch.before, before_w) + "  " +
                   pad_right(ch.after.empty() ? "-" : ch.after, after_w) + "  " + one_line(ch.detail, 160) + "\n";
        }
    }
    out += "\n" + totals_line(c) + "\n";
    return out;
}

std::string render_comparison_markdown(const comparison& c) {
    std::string out = "## wscheck compare\n\n";
    out += std::string{c.regressions() == 0 ? "✅" : "❌"} + " BASE " + markdown_code(c.base_agent, false) + " (" +
           plural(c.base_cases, "case", "cases") + ") → NEW " + markdown_code(c.new_agent, false) + " (" +
           plural(c.new_cases, "case", "cases") + "): " + totals_line(c) + "\n\n";
    for (const auto& note : c.notes) {
        out += "- Note: " + markdown_text(one_line(note, 300)) + "\n";
    }
    if (!c.notes.empty()) {
        out += "\n";
    }
    if (c.changes.empty()) {
        return out + "No change.\n";
    }
    constexpr std::size_t max_rows = 200;
    out += "| Change | Case | Before | After | Detail |\n|:--|:--|:--|:--|:--|\n";
    for (std::size_t i = 0; i < c.changes.size() && i < max_rows; ++i) {
        const auto& ch = c.changes[i];
        out += "| " + std::string{ch.is_regression ? "**" : ""} + std::string{to_string(ch.kind)} +
               (ch.is_regression ? "**" : "") + " | " + markdown_code(ch.id) + " | " +
               (ch.before.empty() ? "-" : markdown_code(ch.before)) + " | " +
               (ch.after.empty() ? "-" : markdown_code(ch.after)) + " | " + markdown_code(one_line(ch.detail, 200)) +
               " |\n";
    }
    if (c.changes.size() > max_rows) {
        out += "\n... and " + std::to_string(c.changes.size() - max_rows) + " more changes (see the text output).\n";
    }
    return out;
}

} // namespace wscheck::reports
