#include "cases/selection.hpp"

#include "cases/catalog.hpp"

#include <gtest/gtest.h>

using namespace wscheck::cases;

namespace {

selection pick(std::string_view include, std::string_view exclude = {}) {
    selection s;
    std::string error;
    EXPECT_TRUE(s.include(include, error)) << error;
    EXPECT_TRUE(s.exclude(exclude, error)) << error;
    return s;
}

} // namespace

TEST(selection, empty_selects_everything) {
    const selection s;
    EXPECT_TRUE(s.selects("1.1.1"));
    EXPECT_TRUE(s.selects("21.3"));
}

TEST(selection, exact_id_and_section_prefix) {
    const auto s = pick("6.4.3,2");
    EXPECT_TRUE(s.selects("6.4.3"));
    EXPECT_FALSE(s.selects("6.4.30"));
    EXPECT_FALSE(s.selects("6.4"));
    EXPECT_TRUE(s.selects("2.1"));
    EXPECT_TRUE(s.selects("2.11"));
    EXPECT_FALSE(s.selects("20.1"));
}

TEST(selection, wildcard_as_autobahn_spec_files_mean_it) {
    const auto s = pick("1.*,6.*.1");
    EXPECT_TRUE(s.selects("1.1.1"));
    EXPECT_TRUE(s.selects("1.2.8"));
    EXPECT_FALSE(s.selects("10.1.1"));
    EXPECT_TRUE(s.selects("6.4.1"));
    EXPECT_FALSE(s.selects("6.4.2"));
    EXPECT_TRUE(pick("*").selects("13.7.18"));
}

TEST(selection, range_compares_numbers_not_text) {
    const auto s = pick("5.1-5.20");
    EXPECT_TRUE(s.selects("5.1"));
    EXPECT_TRUE(s.selects("5.9"));
    EXPECT_TRUE(s.selects("5.20"));
    EXPECT_FALSE(s.selects("5.21"));
    EXPECT_FALSE(s.selects("4.2.5"));
    const auto deep = pick("6.2.1-6.3.2");
    EXPECT_TRUE(deep.selects("6.2.4"));
    EXPECT_TRUE(deep.selects("6.3.1"));
    EXPECT_FALSE(deep.selects("6.4.1"));
}

TEST(selection, exclude_wins_over_include) {
    const auto s = pick("*", "9.*,12.1.1");
    EXPECT_TRUE(s.selects("1.1.1"));
    EXPECT_FALSE(s.selects("9.1.6"));
    EXPECT_FALSE(s.selects("12.1.1"));
    EXPECT_TRUE(s.selects("12.1.2"));
}

TEST(selection, malformed_patterns_are_errors_with_a_sentence) {
    for (const char* bad : {"1..1", "abc", "5.20-5.1", "1.x", ".1", "1.-2", "5.1-"}) {
        selection s;
        std::string error;
        EXPECT_FALSE(s.include(bad, error)) << bad;
        EXPECT_FALSE(error.empty()) << bad;
    }
}

TEST(selection, reports_patterns_that_select_nothing) {
    const auto s = pick("1.1.1,99.*", "7.7.77");
    const auto lost = s.unmatched({"1.1.1", "1.1.2", "7.7.1"});
    ASSERT_EQ(lost.size(), 2u);
    EXPECT_EQ(lost[0], "99.*");
    EXPECT_EQ(lost[1], "7.7.77");
}

TEST(catalog_ids, sort_number_by_number) {
    EXPECT_TRUE(id_less("1.1.2", "1.1.10"));
    EXPECT_TRUE(id_less("1.1.10", "1.2.1"));
    EXPECT_TRUE(id_less("9.8.6", "10.1.1"));
    EXPECT_FALSE(id_less("2.10", "2.9"));
    EXPECT_TRUE(id_less("6.4", "6.4.1"));
}

TEST(catalog_ids, sections_and_lookup) {
    catalog_builder b;
    b.add_section("6", "UTF-8 Handling");
    b.add_section("6.4", "Fail-fast on invalid UTF-8");
    auto make = [](std::string id) {
        case_def c;
        c.id = std::move(id);
        c.build = [] { return script{}; };
        return c;
    };
    b.add(make("6.4.2"));
    b.add(make("6.4.10"));
    b.add(make("6.1.1"));
    const catalog cat{std::move(b)};
    ASSERT_EQ(cat.cases().size(), 3u);
    EXPECT_EQ(cat.cases()[0].id, "6.1.1");
    EXPECT_EQ(cat.cases()[2].id, "6.4.10");
    EXPECT_EQ(cat.section_title("6.4.2"), "Fail-fast on invalid UTF-8");
    EXPECT_EQ(cat.section_title("6.1.1"), "UTF-8 Handling");
    EXPECT_EQ(cat.index_of("6.4.10"), 2);
    EXPECT_EQ(cat.find("6.4.9"), nullptr);
}
