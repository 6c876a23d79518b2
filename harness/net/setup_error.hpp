#pragma once

#include <stdexcept>
#include <string>

namespace wscheck::net {

/// Something the user asked for cannot be set up: a certificate file that cannot be read,
/// a port already in use, an address that does not parse. what() is one sentence meant to
/// be shown as it is ("cannot listen on 127.0.0.1:8080: Address already in use").
/// Thrown only while setting things up; I/O on a running connection reports error codes.
class setup_error : public std::runtime_error {
public:
    explicit setup_error(const std::string& what) : std::runtime_error(what) {}
};

} // namespace wscheck::net
