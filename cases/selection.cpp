#include "cases/selection.hpp"

#include "cases/catalog.hpp"

#include <algorithm>

namespace wscheck::cases {

namespace {

bool is_id(std::string_view s) {
    if (s.empty() || s.front() == '.' || s.back() == '.' || s.find("..") != std::string_view::npos) {
        return false;
    }
    return std::all_of(s.begin(), s.end(), [](char c) { return (c >= '0' && c <= '9') || c == '.'; });
}

/// '*' matches any run of characters (dots included), as Autobahn's spec files mean it.
bool glob_match(std::string_view pat, std::string_view s) {
    std::size_t p = 0;
    std::size_t i = 0;
    std::size_t star = std::string_view::npos;
    std::size_t resume = 0;
    while (i < s.size()) {
        if (p < pat.size() && pat[p] == s[i]) {
            ++p;
            ++i;
        } else if (p < pat.size() && pat[p] == '*') {
            star = p++;
            resume = i;
        } else if (star != std::string_view::npos) {
            p = star + 1;
            i = ++resume;
        } else {
            return false;
        }
    }
    while (p < pat.size() && pat[p] == '*') {
        ++p;
    }
    return p == pat.size();
}

/// `id` cut to as many components as `like` has, so that 5.1-5.20 takes in 5.3.1 too.
std::string_view truncate_like(std::string_view id, std::string_view like) {
    const auto wanted = static_cast<std::size_t>(std::count(like.begin(), like.end(), '.')) + 1;
    std::size_t pos = 0;
    for (std::size_t k = 0; k < wanted; ++k) {
        pos = id.find('.', pos);
        if (pos == std::string_view::npos) {
            return id;
        }
        if (k + 1 < wanted) {
            ++pos;
        }
    }
    return id.substr(0, pos);
}

bool add_all(std::string_view list, std::vector<case_pattern>& into, std::string& error) {
    while (!list.empty()) {
        const auto comma = list.find(',');
        auto item = list.substr(0, comma);
        while (!item.empty() && item.front() == ' ') {
            item.remove_prefix(1);
        }
        while (!item.empty() && item.back() == ' ') {
            item.remove_suffix(1);
        }
        if (!item.empty()) {
            case_pattern p;
            if (!case_pattern::parse(item, p, error)) {
                return false;
            }
            into.push_back(std::move(p));
        }
        if (comma == std::string_view::npos) {
            break;
        }
        list.remove_prefix(comma + 1);
    }
    return true;
}

} // namespace

bool case_pattern::parse(std::string_view text, case_pattern& out, std::string& error) {
    out = case_pattern{};
    out.text_ = std::string{text};
    if (text.find('*') != std::string_view::npos) {
        const bool ok = std::all_of(text.begin(), text.end(), [](char c) {
            return (c >= '0' && c <= '9') || c == '.' || c == '*';
        });
        if (!ok) {
            error = "bad case pattern '" + std::string{text} + "': only digits, dots and '*' are allowed";
            return false;
        }
        out.kind_ = kind::glob;
        return true;
    }
    if (const auto dash = text.find('-'); dash != std::string_view::npos) {
        const auto low = text.substr(0, dash);
        const auto high = text.substr(dash + 1);
        if (!is_id(low) || !is_id(high)) {
            error = "bad case range '" + std::string{text} + "': expected two ids such as 5.1-5.20";
            return false;
        }
        if (id_less(high, low)) {
            error = "bad case range '" + std::string{text} + "': the first id is after the second";
            return false;
        }
        out.kind_ = kind::range;
        out.low_ = std::string{low};
        out.high_ = std::string{high};
        return true;
    }
    if (!is_id(text)) {
        error = "bad case id '" + std::string{text} + "': expected an id such as 6.4.3, a section such as 6.4, "
                "a wildcard such as 1.* or a range such as 5.1-5.20";
        return false;
    }
    out.kind_ = kind::prefix;
    return true;
}

bool case_pattern::matches(std::string_view id) const noexcept {
    switch (kind_) {
    case kind::glob:
        return glob_match(text_, id);
    case kind::range:
        return !id_less(truncate_like(id, low_), low_) && !id_less(high_, truncate_like(id, high_));
    case kind::prefix:
        return id == text_ || (id.starts_with(text_) && id.size() > text_.size() && id[text_.size()] == '.');
    }
    return false;
}

bool selection::include(std::string_view list, std::string& error) { return add_all(list, include_, error); }
bool selection::exclude(std::string_view list, std::string& error) { return add_all(list, exclude_, error); }

bool selection::selects(std::string_view id) const noexcept {
    auto hit = [id](const case_pattern& p) { return p.matches(id); };
    const bool in = include_.empty() || std::any_of(include_.begin(), include_.end(), hit);
    return in && std::none_of(exclude_.begin(), exclude_.end(), hit);
}

std::vector<std::string> selection::unmatched(const std::vector<std::string>& ids) const {
    std::vector<std::string> out;
    for (const auto* list : {&include_, &exclude_}) {
        for (const auto& p : *list) {
            if (std::none_of(ids.begin(), ids.end(), [&](const std::string& id) { return p.matches(id); })) {
                out.push_back(p.text());
            }
        }
    }
    return out;
}

} // namespace wscheck::cases
