// pollen/future/fuse.hpp: fuse(f), a future that may be polled after it
// returned Ready: from then on it is Pending, forever.
//
// States:
//
//     Running --f Ready (f destroyed)--> Terminated --poll--> Terminated (Pending)
//        |
//        | f.poll threw (f destroyed)
//        v
//     Poisoned
//
//   State::Running     holds f
//   State::Terminated  holds nothing; every poll is Pending (no waker is kept)
//   State::Poisoned    holds nothing (a poll threw; polling again is an error)
//
// What it does: forwards polls to f until f is Ready; destroys f then;
// is_terminated() says whether that happened. Useful where a future sits in
// a loop that polls it again after it finished (a select over a future that
// already won). It is futures-rs's Fuse.
//
// Output: the output of f.
// Cancellation: destroying it while Running destroys f.
// Contract errors: polling it again after a poll threw. Polling after Ready
// is allowed: that is the point.
// Polling order: one child, f.
// Example:
//   auto f = pollen::fuse(pollen::ready(1));
//   f.poll(cx);  // Ready(1)
//   f.poll(cx);  // Pending, and f.is_terminated()
#pragma once

#include <pollen/config.hpp>
#include <pollen/core/cancel_safe.hpp>
#include <pollen/core/contract.hpp>
#include <pollen/core/describe.hpp>
#include <pollen/core/future.hpp>
#include <pollen/future/future_ext.hpp>
#include <pollen/future/state_helpers.hpp>

#include <new>
#include <type_traits>
#include <utility>

POLLEN_NAMESPACE_BEGIN

template <class F>
class POLLEN_NODISCARD_TYPE Fuse : public FutureExt<Fuse<F>> {
  POLLEN_REQUIRE_FUTURE(F);

 public:
  using Output = output_t<F>;
  enum class State : unsigned char { Running, Terminated, Poisoned };
  static constexpr bool is_cancel_safe = ::pollen::is_cancel_safe<F>::value;

  explicit Fuse(F f) : state_(State::Running) { ::new (static_cast<void*>(&u_.future)) F(std::move(f)); }
  // Moving takes the state: the moved-from Fuse is Terminated.
  Fuse(Fuse&& o) noexcept(std::is_nothrow_move_constructible<F>::value) : state_(o.state_) {
    if (state_ == State::Running) ::new (static_cast<void*>(&u_.future)) F(std::move(o.u_.future));
    o.leave(State::Terminated);
  }
  Fuse& operator=(Fuse&&) = delete;
  ~Fuse() { leave(State::Terminated); }

  Poll<Output> poll(Context& cx) {
    detail::observe_poll(cx, this);
    switch (state_) {
      case State::Running:
        break;
      case State::Terminated:
        return pending;
      case State::Poisoned:
        detail::polled_after_throw("Fuse");
    }
    return poll_running(cx);
  }

  // True once f was Ready (or this Fuse was moved from).
  bool is_terminated() const noexcept { return state_ == State::Terminated; }
  State state() const noexcept { return state_; }

  void describe(Describer& d) const {
    switch (state_) {
      case State::Running:
        d.node("Fuse", "state: Running");
        d.child(u_.future);
        return;
      case State::Terminated:
        d.node("Fuse", "state: Terminated");
        return;
      case State::Poisoned:
        d.node("Fuse", "state: Poisoned");
        return;
    }
  }

 private:
  friend class detail::UnwindGuard<Fuse>;

  // In State::Running: polls f; Ready enters Terminated. f's Poll is the only
  // return, built in the caller's slot: the output does not move here, so
  // nothing can throw once the state is Terminated (state_helpers.hpp).
  Poll<Output> poll_running(Context& cx) {
    detail::UnwindGuard<Fuse> guard(this);
    Poll<Output> p = u_.future.poll(cx);
    guard.dismiss();
    if (p.is_ready()) leave(State::Terminated);
    return p;
  }

  void leave(State next) noexcept {
    if (state_ == State::Running) u_.future.~F();
    state_ = next;
  }
  void poison() noexcept { leave(State::Poisoned); }

  union U {
    U() noexcept : none() {}
    ~U() {}
    char none;  // valid when no other member is (no state holds anything)
    F future;  // valid in State::Running
  } u_;
  State state_;
};

// fuse(f): f, safe to poll after Ready. See the top of this file.
template <class F>
POLLEN_NODISCARD Fuse<F> fuse(F f) {
  return Fuse<F>(std::move(f));
}

POLLEN_NAMESPACE_END
