// A case of the full catalog by id, for the catalog tests: a missing id is a test failure.
#pragma once

#include "cases/catalog.hpp"

#include <gtest/gtest.h>

#include <string_view>

namespace wscheck::cases::catalog_testing {

inline const case_def& get(std::string_view id) {
    const auto* c = full_catalog().find(id);
    if (c == nullptr) {
        ADD_FAILURE() << "no case " << id;
        static const case_def none{};
        return none;
    }
    return *c;
}

} // namespace wscheck::cases::catalog_testing
