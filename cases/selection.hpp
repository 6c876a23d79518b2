// Choosing cases by id: the patterns of the command line and of Autobahn spec files.
//
//   6.4.3        that case
//   6.4, 6       every case in that section (a prefix of whole components)
//   1.*, 6.*.1   '*' matches any run of characters, as in Autobahn's spec files
//   5.1-5.20     a range, inclusive, compared number by number on the components given
//
// A selection is a list of include patterns (empty: everything) minus exclude patterns.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace wscheck::cases {

class case_pattern {
public:
    /// Parses one pattern; on a malformed one returns false and sets `error` to a sentence.
    static bool parse(std::string_view text, case_pattern& out, std::string& error);

    bool matches(std::string_view id) const noexcept;
    const std::string& text() const noexcept { return text_; }

private:
    enum class kind { prefix, glob, range } kind_ = kind::prefix;
    std::string text_;
    std::string low_, high_;
};

class selection {
public:
    /// Adds comma-separated patterns ("1.*,5.1-5.20"). False + error on a malformed one.
    bool include(std::string_view list, std::string& error);
    bool exclude(std::string_view list, std::string& error);

    bool selects(std::string_view id) const noexcept;
    /// Patterns that match no id of `ids`: the caller reports them, since a typo that selects
    /// nothing should not pass silently.
    std::vector<std::string> unmatched(const std::vector<std::string>& ids) const;

private:
    std::vector<case_pattern> include_;
    std::vector<case_pattern> exclude_;
};

} // namespace wscheck::cases
