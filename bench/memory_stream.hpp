// A Beast SyncStream over bytes in memory, so that boost::beast::websocket::stream reads the
// same bytes our session does, the same way, with no I/O.
//
// Why not Beast's _experimental/test/stream: it copies appended data into a buffer of its own
// and takes a mutex on every read_some, which would charge Beast for a copy and locking that a
// socket read does not do. Here read_some copies at most `max_read` bytes straight from the
// source into the caller's buffer, as a socket read with that much data ready would, which
// is also exactly what the wscheck benchmarks do for themselves (one copy per read into the
// read buffer). Writes (the handshake response) are discarded, or appended to a vector given
// to capture_writes() (one append, as a socket write copies into the kernel).

#pragma once

#include <boost/asio/buffer.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/beast/core/buffers_range.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/role.hpp>
#include <boost/system/system_error.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace wscheck::bench {

class memory_stream {
public:
    using executor_type = boost::asio::io_context::executor_type;

    memory_stream(boost::asio::io_context& ioc, std::size_t max_read)
        : executor_{ioc.get_executor()}, max_read_{max_read} {}

    executor_type get_executor() noexcept { return executor_; }

    /// The next reads return `source`, then EOF. `source` must outlive the reads.
    void reset(std::span<const std::uint8_t> source) noexcept {
        source_ = source;
        pos_ = 0;
    }
    bool at_end() const noexcept { return pos_ == source_.size(); }
    /// Later writes are appended to `*to` (nullptr: discarded again).
    void capture_writes(std::vector<std::uint8_t>* to) noexcept { capture_ = to; }

    template <class MutableBufferSequence>
    std::size_t read_some(const MutableBufferSequence& buffers, boost::beast::error_code& ec) {
        if (at_end()) {
            ec = boost::asio::error::eof;
            return 0;
        }
        const std::size_t n = std::min(source_.size() - pos_, max_read_);
        const std::size_t copied =
            boost::asio::buffer_copy(buffers, boost::asio::const_buffer(source_.data() + pos_, n));
        pos_ += copied;
        ec = {};
        return copied;
    }

    template <class MutableBufferSequence>
    std::size_t read_some(const MutableBufferSequence& buffers) {
        boost::beast::error_code ec;
        const std::size_t n = read_some(buffers, ec);
        if (ec)
            throw boost::system::system_error{ec};
        return n;
    }

    template <class ConstBufferSequence>
    std::size_t write_some(const ConstBufferSequence& buffers, boost::beast::error_code& ec) {
        ec = {};
        return write_some(buffers);
    }

    template <class ConstBufferSequence>
    std::size_t write_some(const ConstBufferSequence& buffers) {
        if (capture_ != nullptr) {
            for (const auto b : boost::beast::buffers_range_ref(buffers)) {
                const auto* p = static_cast<const std::uint8_t*>(b.data());
                capture_->insert(capture_->end(), p, p + b.size());
            }
        }
        return boost::asio::buffer_size(buffers);
    }

private:
    executor_type executor_;
    std::size_t max_read_;
    std::span<const std::uint8_t> source_{};
    std::size_t pos_ = 0;
    std::vector<std::uint8_t>* capture_ = nullptr;
};

/// Found by argument-dependent lookup when Beast closes the stream after a failure; there is no
/// transport to shut down.
inline void teardown(boost::beast::role_type, memory_stream&, boost::beast::error_code& ec) {
    ec = {};
}

} // namespace wscheck::bench
