// pollen/core/context.hpp: Context, what poll() is given.
//
// A Context borrows the Waker of the task being polled; it never owns it and
// must not outlive it. A future that returns Pending must make sure that
// cx.waker() (or a clone of it) is woken when it can make progress; cloning
// the waker is how it keeps it beyond the poll.
//
// A combinator that installs its own waker for a child (join does) builds the
// child's Context with Context(child_waker, cx), so that everything else the
// parent Context carries (the budget, the observer) reaches the child
// unchanged.
//
// The cooperative budget
// ----------------------
// An executor may give each poll of a task a budget (the event loop gives
// 128 units). Leaf futures that can be ready again and again without ever
// returning Pending (a channel receive with a full buffer, an expired timer,
// yield_now) spend one unit per ready result.
//
// Example:
//
//   if (!cx.consume_budget()) return pollen::pending;  // already re-woken
//
// When the budget is spent, consume_budget() wakes the task and returns
// false: the future returns Pending, the task goes to the back of the ready
// queue, and the other tasks get their turn. A Context without a budget
// (block_on, a test task) never runs out. A user future can spend the budget
// the same way.
//
// The poll observer
// -----------------
// An executor may also attach a PollObserver (core/poll_observer.hpp) that
// counts the polls of every node of the tree and flags spurious ones. Every
// library future's poll begins with detail::observe_poll(cx, this): one
// predictable branch when no observer is attached (the default). User
// futures may do the same (pollen::observe_poll, below).
//
// Example:
//
//   pollen::PollObserver obs;
//   pollen::Context cx(waker, obs);                 // or cx.with_observer(&obs)
//   pollen::Context cx2(waker, &budget, &obs);      // budget and observer
#pragma once

#include <pollen/config.hpp>
#include <pollen/core/poll_observer.hpp>
#include <pollen/core/waker.hpp>

POLLEN_NAMESPACE_BEGIN

// Units of work left in the current poll of a task. Owned by the executor,
// which resets it before each poll.
struct Budget {
  unsigned remaining;
};

class Context {
 public:
  explicit Context(const Waker& waker) noexcept
      : waker_(&waker), budget_(nullptr), observer_(nullptr) {}
  // A Context whose polls spend `budget`.
  Context(const Waker& waker, Budget& budget) noexcept
      : waker_(&waker), budget_(&budget), observer_(nullptr) {}
  // A Context whose polls are recorded by `observer`.
  Context(const Waker& waker, PollObserver& observer) noexcept
      : waker_(&waker), budget_(nullptr), observer_(&observer) {}
  // Everything at once; either pointer may be null (no budget, no observer).
  Context(const Waker& waker, Budget* budget, PollObserver* observer) noexcept
      : waker_(&waker), budget_(budget), observer_(observer) {}
  // A Context for a child future: a different waker, the rest of `parent`.
  Context(const Waker& waker, const Context& parent) noexcept
      : waker_(&waker), budget_(parent.budget_), observer_(parent.observer_) {}

  // This Context with `observer` attached instead (nullptr: none).
  Context with_observer(PollObserver* observer) const noexcept {
    return Context(*waker_, budget_, observer);
  }

  const Waker& waker() const noexcept { return *waker_; }

  // Spends one unit of the budget. True: go on. False: the budget is spent,
  // the task has been woken, return Pending.
  POLLEN_ALWAYS_INLINE bool consume_budget() const noexcept {
    if (budget_ == nullptr) return true;
    if (budget_->remaining == 0) {
      waker_->wake();
      return false;
    }
    --budget_->remaining;
    return true;
  }

  // True when this poll has a budget and it is spent.
  bool budget_spent() const noexcept { return budget_ != nullptr && budget_->remaining == 0; }

  // The budget of this poll, or nullptr when unlimited.
  Budget* budget() const noexcept { return budget_; }

  // The observer recording this poll, or nullptr (the default).
  PollObserver* observer() const noexcept { return observer_; }

 private:
  const Waker* waker_;
  Budget* budget_;           // nullptr: unlimited
  PollObserver* observer_;  // nullptr: polls are not recorded
};

namespace detail {
// The first line of every library poll() and poll_next(): records the poll
// of `node` when an observer is attached, else one well-predicted branch.
// Compiled to nothing when POLLEN_OBSERVE_POLLS is 0 (config.hpp).
template <class T>
inline void observe_poll(const Context& cx, const T* node) noexcept {
#if POLLEN_OBSERVE_POLLS
  if (POLLEN_UNLIKELY(cx.observer() != nullptr)) {
    cx.observer()->on_poll(node, type_key<T>());
  }
#else
  (void)cx;
  (void)node;
#endif
}
}  // namespace detail

// A user future can record its polls the same way, as the first line of its
// poll(): `pollen::observe_poll(cx, this);`. Optional: without it, the node
// shows 0 polls (or, inside join, the counts of the MaybeDone around it).
using detail::observe_poll;

POLLEN_NAMESPACE_END
