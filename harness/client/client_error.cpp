#include "harness/client/client_error.hpp"

#include <string>

namespace wscheck::client {

namespace {

class category final : public std::error_category {
public:
    const char* name() const noexcept override { return "wscheck.client"; }
    std::string message(int value) const override {
        switch (static_cast<client_error>(value)) {
        case client_error::bad_url: return "not a ws:// or wss:// URL";
        case client_error::tls_setup: return "TLS cannot be set up";
        case client_error::no_randomness: return "no random bytes for the handshake key";
        case client_error::not_open: return "the WebSocket connection is not open";
        case client_error::connection_closed: return "the connection is closed";
        }
        return "unknown client error";
    }
};

} // namespace

const std::error_category& client_category() noexcept {
    static const category instance;
    return instance;
}

std::error_code make_error_code(client_error e) noexcept {
    return {static_cast<int>(e), client_category()};
}

} // namespace wscheck::client
