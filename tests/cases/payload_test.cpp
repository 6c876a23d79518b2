#include "cases/case.hpp"

#include <gtest/gtest.h>

namespace {

using wscheck::cases::payload;

TEST(Payload, PrefixRemembersTheFullSize) {
    const payload whole{std::string(100, 'x')};
    EXPECT_EQ(whole.full_size(), 100u);
    const payload cut = whole.prefix(10);
    EXPECT_EQ(cut.size(), 10u);
    EXPECT_EQ(cut.full_size(), 100u);
    EXPECT_EQ(cut.prefix(5).full_size(), 100u) << "a prefix of a prefix still knows the original";
    EXPECT_EQ(whole.prefix(100).full_size(), 100u);
    EXPECT_EQ(whole.prefix(1000).size(), 100u) << "nothing to cut";
}

} // namespace
