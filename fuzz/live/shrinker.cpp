#include "fuzz/live/shrinker.hpp"

#include <algorithm>
#include <vector>

namespace wscheck::fuzz {

namespace {

/// The input's bytes up to `keep` (writes after it dropped, the last one cut).
fuzz_input prefix(const fuzz_input& in, std::size_t keep) {
    fuzz_input out = in;
    out.writes.clear();
    for (const auto& w : in.writes) {
        if (keep == 0) {
            break;
        }
        timed_write piece = w;
        if (piece.bytes.size() > keep) {
            piece.bytes.resize(keep);
        }
        keep -= piece.bytes.size();
        out.writes.push_back(std::move(piece));
    }
    return out;
}

/// The input without bytes [from, from + n) of its concatenation; empty writes are dropped.
fuzz_input without(const fuzz_input& in, std::size_t from, std::size_t n) {
    fuzz_input out = in;
    out.writes.clear();
    std::size_t at = 0;
    for (const auto& w : in.writes) {
        timed_write piece{w.pause, {}};
        for (std::size_t i = 0; i < w.bytes.size(); ++i, ++at) {
            if (at < from || at >= from + n) {
                piece.bytes.push_back(w.bytes[i]);
            }
        }
        if (!piece.bytes.empty()) {
            out.writes.push_back(std::move(piece));
        }
    }
    return out;
}

class shrinking {
public:
    shrinking(fuzz_input in, const reproduces_fn& reproduces, const shrink_limits& limits)
        : best_(std::move(in)), reproduces_(reproduces), limits_(limits),
          deadline_(std::chrono::steady_clock::now() + limits.max_time) {}

    /// Tries `candidate`; keeps it when it reproduces. False once shrinking must end.
    bool attempt(const fuzz_input& candidate, bool& kept) {
        kept = false;
        if (!can_go_on()) {
            return false;
        }
        if (candidate.writes.empty()) {
            return true;
        }
        ++attempts_;
        const auto r = reproduces_(candidate);
        if (!r) {
            ended_early_ = true;
            return false;
        }
        if (*r) {
            best_ = candidate;
            kept = true;
        }
        return true;
    }
    bool can_go_on() {
        if (ended_early_ || attempts_ >= limits_.max_attempts || std::chrono::steady_clock::now() >= deadline_ ||
            (limits_.stop != nullptr && limits_.stop->load())) {
            ended_early_ = true;
            return false;
        }
        return true;
    }

    void shortest_prefix() {
        std::size_t lo = 0;                  // a prefix this long does not reproduce (empty: nothing sent)
        std::size_t hi = best_.total_bytes(); // this long does
        while (hi - lo > 1) {
            const std::size_t mid = lo + (hi - lo) / 2;
            bool kept = false;
            if (!attempt(prefix(best_, mid), kept)) {
                return;
            }
            (kept ? hi : lo) = mid;
        }
    }
    void drop_writes() {
        for (std::size_t i = best_.writes.size(); i-- > 0 && best_.writes.size() > 1;) {
            fuzz_input c = best_;
            c.writes.erase(c.writes.begin() + static_cast<std::ptrdiff_t>(i));
            bool kept = false;
            if (!attempt(c, kept)) {
                return;
            }
        }
    }
    void flatten() {
        if (best_.total_pause().count() > 0) {
            fuzz_input c = best_;
            for (auto& w : c.writes) {
                w.pause = {};
            }
            bool kept = false;
            if (!attempt(c, kept)) {
                return;
            }
        }
        if (best_.writes.size() > 1 && best_.total_pause().count() == 0) {
            fuzz_input c = best_;
            c.writes.assign(1, timed_write{});
            for (const auto& w : best_.writes) {
                c.writes[0].bytes.insert(c.writes[0].bytes.end(), w.bytes.begin(), w.bytes.end());
            }
            bool kept = false;
            (void)attempt(c, kept);
        }
    }
    void cut_chunks() {
        for (std::size_t chunk = std::max<std::size_t>(best_.total_bytes() / 2, 1);; chunk /= 2) {
            // From the end, so that a cut does not shift what is still to be tried.
            std::size_t from = best_.total_bytes();
            while (from > 0) {
                from = from > chunk ? from - chunk : 0;
                bool kept = false;
                if (!attempt(without(best_, from, chunk), kept)) {
                    return;
                }
            }
            if (chunk == 1) {
                return;
            }
        }
    }

    shrink_result result() && { return {std::move(best_), attempts_, ended_early_}; }

private:
    fuzz_input best_;
    const reproduces_fn& reproduces_;
    shrink_limits limits_;
    std::chrono::steady_clock::time_point deadline_;
    std::size_t attempts_ = 0;
    bool ended_early_ = false;
};

} // namespace

shrink_result shrink(fuzz_input in, const reproduces_fn& reproduces, const shrink_limits& limits) {
    shrinking s{std::move(in), reproduces, limits};
    s.shortest_prefix();
    s.drop_writes();
    s.flatten();
    s.cut_chunks();
    return std::move(s).result();
}

} // namespace wscheck::fuzz
