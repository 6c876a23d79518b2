// The catalog a client is tested with: every case that applies when wscheck is the server
// (not tests_servers_only), then sections 30 and 31, the client's own duties. A case or
// section that reads differently for a client (13.x: what we answer, not what we offer) is
// described here as it is played.
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
            if (c.tests_servers_only) {
                continue;
            }
            case_def mine = c;
            if (!c.client_description.empty()) {
                mine.description = c.client_description;
            }
            if (!c.client_expectation.empty()) {
                mine.expectation = c.client_expectation;
            }
            b.add(std::move(mine));
        }
        for (const auto& s : servers.sections()) {
            b.add_section(s.id, s.client_title.empty() ? s.title : s.client_title);
        }
        add_client_handshake(b);
        add_client_deflate(b);
        // Headings left with no case (20, and parts of 21) are dropped with them.
        std::erase_if(b.sections, [&b](const section& s) { return !has_cases(b, s); });
        return catalog{std::move(b)};
    }();
    return all;
}

} // namespace wscheck::cases
