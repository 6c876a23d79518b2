// TLS contexts for wss:// (RFC 6455 3, 4.1 item 5), on OpenSSL through Boost.Asio's ssl.
#pragma once

#include <boost/asio/ssl/context.hpp>

#include <string>
#include <string_view>

namespace wscheck::net {

namespace ssl = boost::asio::ssl;

/// How a client decides whether to trust the server's certificate.
struct tls_client_options {
    std::string ca_file;   ///< PEM file of trusted certificates; empty = the system's store
    std::string ca_pem;    ///< PEM text of trusted certificates, used when ca_file is empty
    bool insecure = false; ///< accept any certificate (tests, self-signed peers)
};

/// A certificate and its private key, both PEM.
struct certificate_pair {
    std::string cert_pem;
    std::string key_pem;
};

/// A client context: TLS 1.2 or later, peer verification unless `insecure` (the host name is
/// checked per connection by stream::async_connect). Throws setup_error when a CA file or
/// text cannot be loaded.
ssl::context make_client_context(const tls_client_options& options);

/// A server context presenting `pair`. Throws setup_error when the certificate or key does
/// not load or they do not match.
ssl::context make_server_context(const certificate_pair& pair);

/// Reads a certificate (chain) file and its key file, both PEM. Throws setup_error naming the
/// file that cannot be read.
certificate_pair load_certificate_files(const std::string& cert_file, const std::string& key_file);

/// A fresh self-signed certificate for a local server: an EC P-256 key, CN=`common_name`,
/// subjectAltName DNS:localhost, IP:127.0.0.1, IP:::1, valid from an hour ago for 30 days,
/// marked CA:TRUE so that clients can use it as their trust anchor (--cacert). Made with
/// OpenSSL's EVP and X509 API. Throws setup_error if OpenSSL fails.
certificate_pair generate_self_signed(std::string_view common_name = "localhost");

} // namespace wscheck::net
