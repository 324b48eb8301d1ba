// pollen/time/timeout.hpp: timeout(f, d), a future that runs f with a
// deadline: Ready(some(value)) when f finishes first, Ready(none) when the
// deadline passes first.
//
// States:
//
//   Running --f Ready--------------------------> Done   Ready(some(v))
//      |    --f Pending, now() >= deadline-----> Done   Ready(none); f destroyed
//      |    --f Pending, deadline ahead: timer registered, Pending
//      |
//      +-- while f.poll() runs: Polling (if it throws, the Timeout stays
//          Polling: poisoned, polling again is a ContractError)
//
// What it does: bounds how long f may take. The deadline is fixed when the
// Timeout is created. Built outside any event loop, timeout(f, d) binds to
// the loop that first polls it and d counts from that first poll, on that
// loop's clock (see sleep.hpp); timeout_at(f, t) keeps t.
//
// Output: Option<output_t<F>>: some(v) when f finished in time, none when
// the deadline passed. (An Option rather than a TimedOut error type: it
// needs no extra type, and `if (r.has_value())` reads plainly; when F's
// Output is itself an Option, the result is an Option<Option<T>>.)
//
// Cancellation: destroying the Timeout destroys f and cancels the timer.
// When the deadline passes, f is destroyed inside that poll, before the
// Timeout returns Ready(none), and the timer is cancelled when f finishes.
// Timeout is as cancel safe as f.
//
// Contract errors: polling after Ready; polling again after f's poll threw;
// polling on another driver's loop, or after the driver was destroyed; a
// first poll outside any event loop of a Timeout built outside one.
//
// Polling order: f is polled first, then the deadline is checked: an f that
// is ready at the deadline wins (also on the first poll, even with a
// deadline that has already passed, as in tokio). Budget: an expired
// deadline spends one unit of the cooperative budget, except when f itself
// spent the last of it in this poll: then the deadline is honoured without
// budget, so that an f which always uses up the budget cannot keep the
// timeout from firing.
//
// Example:
//
//   pollen::TimerDriver driver(pollen::ClockKind::Virtual);
//   auto t = pollen::timeout(driver, pollen::never<int>(), std::chrono::hours(1));
//   // poll: Pending; driver.advance(std::chrono::hours(1)); poll: Ready(none)
#pragma once

#include <pollen/config.hpp>
#include <pollen/core/contract.hpp>
#include <pollen/core/describe.hpp>
#include <pollen/core/future.hpp>
#include <pollen/future/future_ext.hpp>
#include <pollen/core/option.hpp>
#include <pollen/time/clock.hpp>
#include <pollen/time/deadline_timer.hpp>
#include <pollen/time/timer_driver.hpp>

#include <chrono>
#include <string>
#include <type_traits>
#include <utility>

POLLEN_NAMESPACE_BEGIN

template <class F>
class POLLEN_NODISCARD_TYPE Timeout : public FutureExt<Timeout<F>> {
  POLLEN_REQUIRE_FUTURE(F);

 public:
  using Output = Option<output_t<F>>;
  enum class State { Running, Polling, Done };

  Timeout(F inner, TimerDriver& driver, TimePoint deadline)
      : inner_(std::move(inner)), timer_(driver, deadline) {}
  // A Timeout with no driver yet: it binds to the loop that first polls it.
  Timeout(F inner, detail::UnboundDeadline deadline)
      : inner_(std::move(inner)), timer_(deadline) {}
  // Moving moves f and the timer's place in the wheel; the moved-from
  // Timeout is Done.
  Timeout(Timeout&& o) noexcept(std::is_nothrow_move_constructible<F>::value)
      : inner_(o.inner_.take()), timer_(std::move(o.timer_)), state_(o.state_) {
    o.state_ = State::Done;
  }
  Timeout& operator=(Timeout&&) = delete;

  Poll<Output> poll(Context& cx) {
    detail::observe_poll(cx, this);
    switch (state_) {
      case State::Running:
        break;
      case State::Polling:
        detail::polled_after_throw("Timeout");
      case State::Done:
        detail::polled_after_ready("Timeout");
    }
    const bool had_budget = !cx.budget_spent();
    state_ = State::Polling;  // stays so if f's poll throws
    Poll<output_t<F>> p = inner_->poll(cx);
    state_ = State::Running;
    if (p.is_ready()) {
      finish();
      return Output(std::move(p).value());
    }
    switch (timer_.poll_expired(cx, "Timeout")) {
      case detail::DeadlineTimer::Status::Waiting:
        return pending;
      case detail::DeadlineTimer::Status::Expired:
        break;
    }
    const bool inner_spent_budget = had_budget && cx.budget_spent();
    if (!inner_spent_budget && !cx.consume_budget()) return pending;  // re-woken
    finish();  // f is destroyed here, before Ready(none) is returned
    return Output(none);
  }

  State state() const noexcept { return state_; }
  // As Sleep::deadline().
  TimePoint deadline() const noexcept { return timer_.deadline(); }
  bool is_registered() const noexcept { return timer_.is_registered(); }
  // False until the first poll of a Timeout built outside any loop.
  bool is_bound() const noexcept { return timer_.is_bound(); }

  // "Timeout [deadline in 4.8 ms]" with f as its child, or "Timeout [done]".
  void describe(Describer& d) const {
    switch (state_) {
      case State::Running:
        d.node("Timeout", timer_.describe_deadline());
        d.child(*inner_);
        return;
      case State::Polling:
        d.node("Timeout", "poisoned: inner poll threw");
        if (inner_.has_value()) d.child(*inner_);
        return;
      case State::Done:
        d.node("Timeout", "done");
        return;
    }
  }

 private:
  void finish() noexcept {
    state_ = State::Done;
    inner_.reset();
    timer_.cancel();
  }

  Option<F> inner_;              // valid in State::Running and State::Polling
  detail::DeadlineTimer timer_;  // linked in the wheel in State::Running after a Pending poll
  State state_ = State::Running;
};

// f with a deadline at `deadline`, on `driver`.
template <class F>
POLLEN_NODISCARD Timeout<typename std::decay<F>::type> timeout_at(TimerDriver& driver, F&& f,
                                                                  TimePoint deadline) {
  return Timeout<typename std::decay<F>::type>(std::forward<F>(f), driver, deadline);
}
// f with a deadline `d` from now (saturating; negative: the deadline has
// passed, and f still gets its first poll).
template <class F, class Rep, class Period>
POLLEN_NODISCARD Timeout<typename std::decay<F>::type> timeout(
    TimerDriver& driver, F&& f, std::chrono::duration<Rep, Period> d) {
  return Timeout<typename std::decay<F>::type>(std::forward<F>(f), driver,
                                               driver.deadline_after(d));
}
// The same on the current event loop's driver; outside a loop, on the loop
// that first polls it, d counted from that poll.
template <class F, class Rep, class Period>
POLLEN_NODISCARD Timeout<typename std::decay<F>::type> timeout(
    F&& f, std::chrono::duration<Rep, Period> d) {
  using T = Timeout<typename std::decay<F>::type>;
  if (TimerDriver* driver = TimerDriver::current()) {
    return T(std::forward<F>(f), *driver, driver->deadline_after(d));
  }
  return T(std::forward<F>(f), detail::UnboundDeadline::after(detail::saturating_nanoseconds(d)));
}
template <class F>
POLLEN_NODISCARD Timeout<typename std::decay<F>::type> timeout_at(F&& f, TimePoint deadline) {
  using T = Timeout<typename std::decay<F>::type>;
  if (TimerDriver* driver = TimerDriver::current()) {
    return T(std::forward<F>(f), *driver, deadline);
  }
  return T(std::forward<F>(f), detail::UnboundDeadline::at(deadline));
}

POLLEN_NAMESPACE_END
