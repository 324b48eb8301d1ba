// pollen/future/join_all.hpp: join_all(std::vector<F>), wait for all of a
// run-time number of futures; Ready with a std::vector of their outputs, in
// input order.
//
// States:
//
//     Running --every child Ready--> Done
//        |
//        | a child's poll threw (every child destroyed)
//        v
//     Poisoned
//
//   State::Running   holds one MaybeDone per child, the shared wake block
//                    and the count of children still running
//   State::Poisoned  holds nothing (a poll threw; polling again is an error)
//   State::Done      holds nothing (the vector was returned)
//
// What it does: like join (join.hpp), for a std::vector of futures of one
// type. Each child has its own waker; a wake appends the child's index to a
// ready list (wake_list.hpp), and a poll of join_all polls exactly the
// children in that list, never scanning the others. A wake therefore costs
// O(1) amortized, and joining N futures woken one at a time costs O(N) in
// total (futures-rs's join_all scanned every child on every wake, O(N^2),
// for years).
//
// Polling order: on the first poll, every child in index order; after that,
// the woken children in the order they were woken (sorting them by index
// would cost O(log k) per wake; see docs/design.md), each at most once per
// poll.
//
// The cooperative budget (core/context.hpp): when a child's poll leaves the
// budget spent, join_all stops there and wakes its task; the next poll
// begins with the children it did not reach, then those woken since. So a
// child that spends the whole budget cannot starve the others, and N
// children ready at once cost O(N) in total, however small the budget (the
// walk never visits a child only to find the budget gone).
//
// Cost: building it allocates the MaybeDone vector, the shared wake block
// (a reference count, a mutex, a ready list of N indices, a 16-byte slot per
// child) and a scratch list; the result vector is allocated when it is
// Ready. Child polls use borrowed wakers (no reference counting); a child
// that keeps its waker clones it (one atomic increment).
//
// Output: std::vector<output of F>, in input order. An empty input is Ready
// at once with an empty vector.
// Cancellation: destroying it while Running destroys every child still
// running and every output already produced.
// Contract errors: polling it after Ready ("JoinAll polled after it returned
// Ready"); polling it again after a poll threw.
// Example:
//   std::vector<pollen::BoxFuture<int>> fs = ...;
//   std::vector<int> all = pollen::block_on(pollen::join_all(std::move(fs)));
#pragma once

#include <pollen/config.hpp>
#include <pollen/core/cancel_safe.hpp>
#include <pollen/core/contract.hpp>
#include <pollen/core/describe.hpp>
#include <pollen/core/future.hpp>
#include <pollen/future/future_ext.hpp>
#include <pollen/future/maybe_done.hpp>
#include <pollen/future/state_helpers.hpp>
#include <pollen/future/wake_list.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

POLLEN_NAMESPACE_BEGIN

template <class F>
class POLLEN_NODISCARD_TYPE JoinAll : public FutureExt<JoinAll<F>> {
  POLLEN_REQUIRE_FUTURE(F);

 public:
  using Output = std::vector<output_t<F>>;
  enum class State : unsigned char { Running, Poisoned, Done };
  static constexpr bool is_cancel_safe = ::pollen::is_cancel_safe<F>::value;

  explicit JoinAll(std::vector<F> fs) : state_(State::Running) {
    POLLEN_REQUIRE(fs.size() < 0xffffffffu, "join_all() of more than 2^32 - 1 futures");
    children_.reserve(fs.size());
    for (F& f : fs) children_.emplace_back(std::move(f));
    remaining_ = children_.size();
    wakes_ = detail::WakeList::create(static_cast<std::uint32_t>(children_.size()), true);
  }
  // Moving takes the state: the moved-from JoinAll is Done.
  JoinAll(JoinAll&& o) noexcept
      : children_(std::move(o.children_)),
        wakes_(o.wakes_),
        scratch_(std::move(o.scratch_)),
        next_(o.next_),
        remaining_(o.remaining_),
        state_(o.state_) {
    o.wakes_ = nullptr;
    o.leave(State::Done);
  }
  JoinAll& operator=(JoinAll&&) = delete;
  ~JoinAll() { leave(State::Done); }

  Poll<Output> poll(Context& cx) {
    detail::observe_poll(cx, this);
    switch (state_) {
      case State::Running:
        break;
      case State::Poisoned:
        detail::polled_after_throw("JoinAll");
      case State::Done:
        detail::polled_after_ready("JoinAll");
    }
    wakes_->set_parent(cx.waker());
    {
      detail::UnwindGuard<JoinAll> guard(this);
      take_wakes();
      while (next_ < scratch_.size()) {
        std::uint32_t i = scratch_[next_++];
        wakes_->unqueue(i);  // a wake from now on queues it again
        MaybeDone<F>& child = children_[i];
        if (child.state() != MaybeDone<F>::State::Future) continue;  // a late wake
        Waker w(wakes_->borrowed_raw(i));
        Context child_cx(w, cx);
        if (child.poll_step(child_cx)) --remaining_;
        if (cx.budget_spent()) break;  // the rest wait for the next poll
      }
      guard.dismiss();
    }
    if (remaining_ == 0) return finish();
    if (next_ < scratch_.size()) cx.waker().wake();  // children left for the next poll
    return pending;
  }

  State state() const noexcept { return state_; }
  std::size_t size() const noexcept { return children_.size(); }
  // Children that have their output (0 unless Running).
  std::size_t ready_count() const noexcept {
    return state_ == State::Running ? children_.size() - remaining_ : 0;
  }

  void describe(Describer& d) const {
    switch (state_) {
      case State::Running:
        d.node("JoinAll", std::to_string(ready_count()) + " of " +
                              std::to_string(children_.size()) + " ready");
        for (const MaybeDone<F>& child : children_) d.child(child);
        return;
      case State::Poisoned:
        d.node("JoinAll", "state: Poisoned");
        return;
      case State::Done:
        d.node("JoinAll", "state: Done");
        return;
    }
  }

 private:
  friend class detail::UnwindGuard<JoinAll>;

  // The children this poll visits, in scratch_[next_..]: those the previous
  // poll did not reach (it ran out of budget), then those woken since. Each
  // is listed once: a child stays queued in the wake list from take() until
  // it is polled. Cost O(1) per child: the visited prefix is dropped only
  // once it is at least half of the list.
  void take_wakes() {
    if (next_ == scratch_.size()) {
      scratch_.clear();
      next_ = 0;
    } else if (next_ >= scratch_.size() - next_) {
      scratch_.erase(scratch_.begin(), scratch_.begin() + static_cast<std::ptrdiff_t>(next_));
      next_ = 0;
    }
    wakes_->take(scratch_);
  }

  // Every child is Done: moves the outputs into the result vector, then
  // enters Done. A move that throws (or the allocation of the vector)
  // poisons: the outputs not moved yet go with the children, those moved
  // with the vector. See state_helpers.hpp.
  Poll<Output> finish() {
    detail::UnwindGuard<JoinAll> guard(this);
    Output v;
    v.reserve(children_.size());
    for (MaybeDone<F>& child : children_) v.push_back(child.take_output());
    Poll<Output> out(std::move(v));
    guard.dismiss();
    leave(State::Done);
    return out;
  }

  void leave(State next) noexcept {
    children_.clear();
    children_.shrink_to_fit();
    scratch_.clear();
    next_ = 0;
    if (wakes_ != nullptr) {
      wakes_->close();
      wakes_->release();
      wakes_ = nullptr;
    }
    state_ = next;
  }
  void poison() noexcept { leave(State::Poisoned); }

  std::vector<MaybeDone<F>> children_;    // valid in State::Running (empty otherwise)
  detail::WakeList* wakes_ = nullptr;     // valid in State::Running; one reference
  std::vector<std::uint32_t> scratch_;    // children taken from the wake list; those
                                          // before next_ were polled, the rest are
                                          // still queued in the wake list
  std::size_t next_ = 0;                  // the next child of scratch_ to poll
  std::size_t remaining_ = 0;             // children still running; in State::Running
  State state_;
};

namespace detail {
template <class F, bool = is_future<F>::value>
struct join_all_type {
  using type = NotAFuture;
};
template <class F>
struct join_all_type<F, true> {
  using type = JoinAll<F>;
};
template <class R, class F>
R make_join_all(std::vector<F>&& fs, std::true_type) {
  return R(std::move(fs));
}
template <class R, class F>
R make_join_all(std::vector<F>&&, std::false_type) {
  return R{};
}
}  // namespace detail

// join_all(futures): Ready with every output, in input order. See the top of
// this file.
template <class F>
POLLEN_NODISCARD typename detail::join_all_type<F>::type join_all(std::vector<F> fs) {
  POLLEN_REQUIRE_FUTURE(F);
  return detail::make_join_all<typename detail::join_all_type<F>::type>(std::move(fs),
                                                                        is_future<F>());
}

POLLEN_NAMESPACE_END
