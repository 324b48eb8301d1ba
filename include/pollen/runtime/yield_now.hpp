// pollen/runtime/yield_now.hpp: yield_now(), give the other tasks a turn.
//
// States:   Unyielded --poll: wake, Pending--> Yielded --poll--> Done
//
// The first poll wakes the task and returns Pending, so the event loop polls
// the task again in its NEXT turn: every task that was ready runs first, and
// the timers that fell due meanwhile fire first (and cross-thread wakes are
// taken in). The second poll is Ready, after spending one unit of the
// cooperative budget (a spent budget yields once more).
//
// Output: Unit.
// Cancellation: nothing to clean up.
// Contract errors: polling after Ready.
// Polling order: no children.
// Example:
//   for (;;) { do_a_slice_of_work(); <await pollen::yield_now()>; }
#pragma once

#include <pollen/config.hpp>
#include <pollen/core/context.hpp>
#include <pollen/core/poll_observer.hpp>
#include <pollen/core/contract.hpp>
#include <pollen/core/describe.hpp>
#include <pollen/core/poll.hpp>
#include <pollen/core/unit.hpp>
#include <pollen/future/future_ext.hpp>

POLLEN_NAMESPACE_BEGIN

class POLLEN_NODISCARD_TYPE YieldNow : public FutureExt<YieldNow> {
 public:
  using Output = Unit;
  enum class State { Unyielded, Yielded, Done };

  Poll<Unit> poll(Context& cx) {
    detail::observe_poll(cx, this);
    switch (state_) {
      case State::Unyielded:
        state_ = State::Yielded;
        cx.waker().wake();
        return pending;
      case State::Yielded:
        if (!cx.consume_budget()) return pending;  // woken by consume_budget()
        state_ = State::Done;
        return Unit{};
      case State::Done:
        break;
    }
    detail::polled_after_ready("YieldNow");
  }

  State state() const noexcept { return state_; }

  void describe(Describer& d) const {
    d.node("YieldNow", state_ == State::Unyielded ? "state: Unyielded"
                       : state_ == State::Yielded ? "state: Yielded"
                                                  : "state: Done");
  }

 private:
  State state_ = State::Unyielded;
};

// A future that yields to the other tasks (and to due timers) once, then is
// Ready.
POLLEN_NODISCARD inline YieldNow yield_now() noexcept { return YieldNow(); }

POLLEN_NAMESPACE_END
