// The case catalog: every section and case, in the order the Autobahn Testsuite runs them
// (ids compared number by number, so 1.1.2 < 1.1.10 < 1.2.1), with wscheck's own sections
// (20 and up) after its last.
#pragma once

#include "cases/case.hpp"

#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace wscheck::cases {

/// A heading of the catalog: "5" Fragmentation, "6.4" Fail-fast on invalid UTF-8.
struct section {
    std::string id;
    std::string title;
    /// The title in the client catalog when it differs (13.x); empty: `title`.
    std::string client_title{};
};

/// What a section file hands to the catalog.
class catalog_builder {
public:
    void add_section(std::string id, std::string title);
    void add(case_def c);

    std::vector<section> sections;
    std::vector<case_def> cases;
};

class catalog {
public:
    /// Builds the catalog from the section functions; checks that ids are unique, well formed
    /// and fall under a declared section (a catalog bug is a programming error: it aborts).
    explicit catalog(catalog_builder built);

    std::span<const case_def> cases() const noexcept { return cases_; }
    std::span<const section> sections() const noexcept { return sections_; }
    /// The case with this exact id, or nullptr.
    const case_def* find(std::string_view id) const noexcept;
    /// The title of the deepest section containing `case_id` ("6.4" for "6.4.3"), or "".
    std::string_view section_title(std::string_view case_id) const noexcept;
    /// Index of the case with this id in cases() (1-based position is what Autobahn clients
    /// ask for with runCase?case=N), or -1.
    long index_of(std::string_view id) const noexcept;

private:
    std::vector<section> sections_;
    std::vector<case_def> cases_;
};

/// The full catalog, built once on first use: the cases for testing a server.
const catalog& full_catalog();
/// The cases for testing a client, built once on first use: those of full_catalog() that are
/// not tests_servers_only, then section 30 (tests_clients_only).
const catalog& client_catalog();

/// Numeric comparison of dotted ids: "1.1.2" < "1.1.10" < "1.2".
bool id_less(std::string_view a, std::string_view b) noexcept;

// One function per section file, in cases/sNN_*.cpp.
void add_framing(catalog_builder& b);         // 1
void add_pings(catalog_builder& b);           // 2
void add_reserved_bits(catalog_builder& b);   // 3
void add_opcodes(catalog_builder& b);         // 4
void add_fragmentation(catalog_builder& b);   // 5
void add_utf8(catalog_builder& b);            // 6
void add_close(catalog_builder& b);           // 7
void add_limits(catalog_builder& b);          // 9
void add_misc(catalog_builder& b);            // 10
void add_compression(catalog_builder& b);     // 12
void add_compression_params(catalog_builder& b); // 13
void add_deflate_rules(catalog_builder& b);   // 22
void add_handshake(catalog_builder& b);       // 20
void add_resource_abuse(catalog_builder& b);  // 21
void add_masking(catalog_builder& b);         // 23, testing servers only
void add_pipelining(catalog_builder& b);      // 24
void add_deflate_abuse(catalog_builder& b);   // 25
void add_client_handshake(catalog_builder& b); // 30, testing clients only
void add_client_deflate(catalog_builder& b);   // 31, testing clients only

} // namespace wscheck::cases
