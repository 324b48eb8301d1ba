// test/support/adapters.hpp: futures that test other futures.
//
// * pending_once(f): Pending (and wakes itself) once, then behaves as f.
// * interleave_pending(f): before every real poll of f, one Pending with a
//   self-wake. A future that works under it tolerates being polled when it
//   has nothing to do (a spurious poll).
// * Probed<F> / probed(counts, f): forwards to f and counts, in a
//   ProbeCounts, its polls and the destruction of f (so a test can check that
//   a combinator destroys a child exactly once, and when).
#pragma once

#include <pollen/core/describe.hpp>
#include <pollen/core/future.hpp>

#include "probe.hpp"

#include <utility>

namespace pollen {
namespace test {

template <class F>
class PendingOnce {
 public:
  using Output = output_t<F>;
  explicit PendingOnce(F f) : f_(std::move(f)) {}
  Poll<Output> poll(Context& cx) {
    if (!yielded_) {
      yielded_ = true;
      cx.waker().wake();
      return pending;
    }
    return f_.poll(cx);
  }
  void describe(Describer& d) const {
    d.node("PendingOnce", yielded_ ? "yielded" : "will yield");
    d.child(f_);
  }

 private:
  F f_;
  bool yielded_ = false;
};

template <class F>
PendingOnce<F> pending_once(F f) {
  POLLEN_REQUIRE_FUTURE(F);
  return PendingOnce<F>(std::move(f));
}

template <class F>
class InterleavePending {
 public:
  using Output = output_t<F>;
  explicit InterleavePending(F f) : f_(std::move(f)) {}
  Poll<Output> poll(Context& cx) {
    yield_next_ = !yield_next_;
    if (yield_next_) {
      cx.waker().wake();
      return pending;
    }
    return f_.poll(cx);
  }
  void describe(Describer& d) const {
    d.node("InterleavePending");
    d.child(f_);
  }

 private:
  F f_;
  bool yield_next_ = false;  // true: the last poll yielded, the next is real
};

template <class F>
InterleavePending<F> interleave_pending(F f) {
  POLLEN_REQUIRE_FUTURE(F);
  return InterleavePending<F>(std::move(f));
}

template <class F>
class Probed {
 public:
  using Output = output_t<F>;
  Probed(ProbeCounts& counts, F f) : counts_(&counts), f_(std::move(f)) { ++counts_->constructed; }
  Probed(Probed&& o) noexcept(std::is_nothrow_move_constructible<F>::value)
      : counts_(o.counts_), f_(std::move(o.f_)), live_(o.live_) {
    o.live_ = false;
    ++counts_->moved;
  }
  Probed& operator=(Probed&&) = delete;
  ~Probed() {
    ++counts_->destroyed;
    if (live_) ++counts_->live_destroyed;
  }
  Poll<Output> poll(Context& cx) {
    ++counts_->polls;
    return f_.poll(cx);
  }
  void describe(Describer& d) const { d.describe_here(f_); }

 private:
  ProbeCounts* counts_;
  F f_;
  bool live_ = true;  // false once moved from
};

template <class F>
Probed<F> probed(ProbeCounts& counts, F f) {
  POLLEN_REQUIRE_FUTURE(F);
  return Probed<F>(counts, std::move(f));
}

}  // namespace test
}  // namespace pollen
