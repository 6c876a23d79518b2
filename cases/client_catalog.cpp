// The catalog a client is tested with: every case that applies when wscheck is the server
// (not tests_servers_only), then section 30, the client's own duties.
#include "cases/catalog.hpp"

#include <algorithm>

namespace wscheck::cases {

namespace {

bool has_cases(const catalog_builder& b, const section& s) {
    const std::string prefix = s.id + ".";
    return std::any_of(b.cases.begin(), b.cases.end(),
                       [&](const case_def& c) { return c.id.starts_with(prefix); });
}

} // namespace

const catalog& client_catalog() {
    static const catalog all = [] {
        catalog_builder b;
        const auto& servers = full_catalog();
        for (const auto& c : servers.cases()) {
            if (!c.tests_servers_only) {
                b.add(c);
            }
        }
        for (const auto& s : servers.sections()) {
            b.add_section(s.id, s.title);
        }
        add_client_handshake(b);
        // Headings left with no case (20, and parts of 21) are dropped with them.
        std::erase_if(b.sections, [&b](const section& s) { return !has_cases(b, s); });
        return catalog{std::move(b)};
    }();
    return all;
}

} // namespace wscheck::cases
