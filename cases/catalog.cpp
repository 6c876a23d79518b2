#include "cases/catalog.hpp"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <set>

namespace wscheck::cases {

namespace {

/// Splits "1.10.2" into {1, 10, 2}; false when a component is not a number.
bool components(std::string_view id, std::vector<unsigned long>& out) {
    out.clear();
    while (true) {
        const auto dot = id.find('.');
        const auto part = id.substr(0, dot);
        unsigned long n = 0;
        const auto [end, ec] = std::from_chars(part.data(), part.data() + part.size(), n);
        if (part.empty() || ec != std::errc{} || end != part.data() + part.size()) {
            return false;
        }
        out.push_back(n);
        if (dot == std::string_view::npos) {
            return true;
        }
        id.remove_prefix(dot + 1);
    }
}

[[noreturn]] void catalog_bug(const std::string& what) {
    std::fprintf(stderr, "wscheck: internal error in the case catalog: %s\n", what.c_str());
    std::abort();
}

bool is_prefix_of(std::string_view section_id, std::string_view case_id) {
    return case_id.size() > section_id.size() && case_id.starts_with(section_id) &&
           case_id[section_id.size()] == '.';
}

} // namespace

bool id_less(std::string_view a, std::string_view b) noexcept {
    std::vector<unsigned long> ca;
    std::vector<unsigned long> cb;
    if (!components(a, ca) || !components(b, cb)) {
        return a < b;
    }
    return std::lexicographical_compare(ca.begin(), ca.end(), cb.begin(), cb.end());
}

void catalog_builder::add_section(std::string id, std::string title) {
    sections.push_back({std::move(id), std::move(title)});
}

void catalog_builder::add(case_def c) { cases.push_back(std::move(c)); }

catalog::catalog(catalog_builder built)
    : sections_(std::move(built.sections)), cases_(std::move(built.cases)) {
    std::vector<unsigned long> parts;
    std::set<std::string, std::less<>> seen;
    for (const auto& s : sections_) {
        if (!components(s.id, parts)) {
            catalog_bug("malformed section id '" + s.id + "'");
        }
    }
    for (const auto& c : cases_) {
        if (!components(c.id, parts)) {
            catalog_bug("malformed case id '" + c.id + "'");
        }
        if (!seen.insert(c.id).second) {
            catalog_bug("duplicate case id '" + c.id + "'");
        }
        if (!c.build) {
            catalog_bug("case '" + c.id + "' has no script");
        }
        if (section_title(c.id).empty()) {
            catalog_bug("case '" + c.id + "' is in no declared section");
        }
    }
    auto by_id = [](const auto& x, const auto& y) { return id_less(x.id, y.id); };
    std::stable_sort(sections_.begin(), sections_.end(), by_id);
    std::stable_sort(cases_.begin(), cases_.end(), by_id);
}

const case_def* catalog::find(std::string_view id) const noexcept {
    for (const auto& c : cases_) {
        if (c.id == id) {
            return &c;
        }
    }
    return nullptr;
}

long catalog::index_of(std::string_view id) const noexcept {
    for (std::size_t i = 0; i < cases_.size(); ++i) {
        if (cases_[i].id == id) {
            return static_cast<long>(i);
        }
    }
    return -1;
}

std::string_view catalog::section_title(std::string_view case_id) const noexcept {
    const section* best = nullptr;
    for (const auto& s : sections_) {
        if (is_prefix_of(s.id, case_id) && (best == nullptr || s.id.size() > best->id.size())) {
            best = &s;
        }
    }
    return best != nullptr ? std::string_view{best->title} : std::string_view{};
}

} // namespace wscheck::cases
