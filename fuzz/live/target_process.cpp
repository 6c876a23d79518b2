#include "fuzz/live/target_process.hpp"

#include "harness/net/stream.hpp"

#include <cstring>
#include <thread>

namespace wscheck::fuzz {

namespace {

/// `s` as one word for /bin/sh: in single quotes, each ' written as '\''.
std::string shell_quote(const std::string& s) {
    std::string out = "'";
    for (const char c : s) {
        out += c == '\'' ? std::string{"'\\''"} : std::string(1, c);
    }
    return out + "'";
}

/// A shell that waited for its command reports the command's death by signal N as exit
/// status 128 + N: say so, so that a crash reads as one.
std::string explain(std::string how) {
    constexpr std::string_view prefix = "exited with status ";
    if (how.rfind(prefix, 0) == 0) {
        const int code = std::atoi(how.c_str() + prefix.size());
        if (code > 128 && code < 128 + 65) {
            const char* name = ::strsignal(code - 128);
            how += " (the shell's report of the command killed by signal " + std::to_string(code - 128) +
                   (name != nullptr ? std::string{" ("} + name + ")" : "") + ")";
        }
    }
    return how;
}

} // namespace

bool port_accepts(const net::ws_url& url, std::chrono::milliseconds timeout) {
    net::asio::io_context io;
    auto s = net::stream::make_client(io); // TCP only: TLS readiness is the probe's business
    bool done = false;
    std::error_code result;
    s->async_connect(url.host, url.port, timeout, [&](std::error_code ec) {
        result = ec;
        done = true;
    });
    net::run_until(io, [&] { return done; }, net::clock::now() + timeout + std::chrono::milliseconds{200});
    s->close();
    io.restart();
    io.run_for(std::chrono::milliseconds{50});
    return done && !result;
}

target_process::target_process(std::string command, std::filesystem::path log_file)
    : command_(std::move(command)), log_file_(std::move(log_file)) {}

target_process::~target_process() {
    stop();
}

bool target_process::start(const net::ws_url& url, std::chrono::milliseconds ready_timeout, std::string& error) {
    stop();
    // The shell sends its own output (and so the server's) to the log, then runs the command.
    auto started = runner::client_process::start("exec >>" + shell_quote(log_file_.string()) + " 2>&1\n" + command_, error);
    if (!started) {
        return false;
    }
    process_.emplace(std::move(*started));
    const auto deadline = std::chrono::steady_clock::now() + ready_timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        if (const auto how = exit_description()) {
            error = "the server command " + *how + " before listening (its output is in " + log_file_.string() + ")";
            stop();
            return false;
        }
        if (port_accepts(url, std::chrono::milliseconds{200})) {
            ++starts_;
            return true;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds{20});
    }
    stop();
    error = "the server command did not listen on port " + std::to_string(url.port) + " within " +
            std::to_string(ready_timeout.count()) + " ms (its output is in " + log_file_.string() + ")";
    return false;
}

bool target_process::restart(const net::ws_url& url, std::chrono::milliseconds ready_timeout, std::string& error) {
    stop();
    return start(url, ready_timeout, error);
}

std::optional<std::string> target_process::exit_description() {
    const std::lock_guard lock{exit_mutex_};
    if (!process_ || !process_->exited()) {
        return std::nullopt;
    }
    return explain(process_->describe_exit());
}

std::optional<std::string> target_process::wait_exit(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        if (auto how = exit_description()) {
            return how;
        }
        if (std::chrono::steady_clock::now() >= deadline) {
            return std::nullopt;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds{10});
    }
}

void target_process::stop() noexcept {
    if (process_) {
        // Also after the shell exited: the group may still hold what it started.
        process_->kill_group(std::chrono::milliseconds{2000});
        process_.reset();
    }
}

} // namespace wscheck::fuzz
