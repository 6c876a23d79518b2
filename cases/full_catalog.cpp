// The catalog assembled from every section file.
#include "cases/catalog.hpp"

namespace wscheck::cases {

const catalog& full_catalog() {
    static const catalog all = [] {
        catalog_builder b;
        add_framing(b);
        add_pings(b);
        add_reserved_bits(b);
        add_opcodes(b);
        add_fragmentation(b);
        add_utf8(b);
        add_close(b);
        add_limits(b);
        add_misc(b);
        add_compression(b);
        add_compression_params(b);
        add_handshake(b);
        add_resource_abuse(b);
        add_deflate_rules(b);
        add_masking(b);
        add_pipelining(b);
        add_deflate_abuse(b);
        return catalog{std::move(b)};
    }();
    return all;
}

} // namespace wscheck::cases
