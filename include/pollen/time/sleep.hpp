// pollen/time/sleep.hpp: sleep(d) and sleep_until(t), futures that are Ready
// once a deadline has passed.
//
// States:
//
//   Waiting --poll, now() >= deadline--> Done
//      |
//      +-- poll, deadline ahead: registers the timer (first time) or
//      |   updates its waker, returns Pending; stays Waiting
//      +-- destroyed: the timer is cancelled (unlinked from the wheel)
//
//   Waiting or Done --reset(t)--> Waiting, with deadline t
//
// What it does: completes at the first poll at which the driver's clock has
// reached the deadline. The deadline is fixed when the Sleep is created
// (now() + d, saturating), not at its first poll; reset(t) moves it.
//
// Built outside any event loop (sleep(d) in main, before spawn or
// block_on): the Sleep has no driver yet and binds to the loop that first
// polls it; sleep(d)'s d then counts from that first poll, on that loop's
// clock (real or virtual), as if the Sleep had been created there (the
// instant an async function's body would create it). sleep_until(t) keeps t.
//
// Re-arming: reset(t) gives a Sleep (waiting, or done) the new deadline t,
// in place: no new Sleep, no allocation. It is then Waiting until t, however
// the old deadline compared. A Sleep that was registered (polled Pending)
// stays registered with the waker it had, now for t, so the task that
// awaits it is woken at t without polling it in between (at once, when t
// has already passed); any other Sleep registers at its next poll. This is
// the way to keep one idle timeout or heartbeat alive in a loop (as
// tokio's Sleep::reset).
//
// Output: Unit.
//
// Cancellation: destroying a Sleep in any state cancels its timer and
// returns its memory at once (the timer entry lives inside the Sleep; the
// wheel allocates nothing). Cancel safe: nothing is lost.
//
// Contract errors: polling it after Ready; polling it while another
// driver's loop is current (a timer belongs to the loop it was created on,
// or that first polled it); polling it after its driver was destroyed; a
// first poll outside any event loop of a Sleep built outside one (it has no
// clock: run it on an EventLoop, or pass a driver). reset() after the driver
// was destroyed, or while another driver's loop is current. (A moved-from
// Sleep is Done: reset() makes it a Sleep on the same driver again.)
//
// Polling order: no children. An expired Sleep spends one unit of the
// cooperative budget; when the budget is spent it returns Pending (the task
// is already re-woken) and completes on the next poll.
//
// Bad input: a negative or zero duration, or a deadline <= now, is Ready on
// the first poll; a duration that would overflow (nanoseconds::max(),
// hours::max()) saturates to far_future() and never fires on a real clock.
//
// Example:
//
//   pollen::TimerDriver driver(pollen::ClockKind::Virtual);
//   auto s = pollen::sleep(driver, std::chrono::milliseconds(5));
//   // poll s: Pending ... driver.advance(std::chrono::milliseconds(5));
//   // the task is woken, poll s: Ready(Unit)
#pragma once

#include <pollen/config.hpp>
#include <pollen/core/contract.hpp>
#include <pollen/core/describe.hpp>
#include <pollen/core/future.hpp>
#include <pollen/future/future_ext.hpp>
#include <pollen/core/unit.hpp>
#include <pollen/time/clock.hpp>
#include <pollen/time/deadline_timer.hpp>
#include <pollen/time/timer_driver.hpp>

#include <chrono>
#include <cstdint>
#include <string>
#include <utility>

POLLEN_NAMESPACE_BEGIN

class POLLEN_NODISCARD_TYPE Sleep : public FutureExt<Sleep> {
 public:
  using Output = Unit;
  enum class State : std::uint8_t { Waiting, Done };

  Sleep(TimerDriver& driver, TimePoint deadline) noexcept : timer_(driver, deadline) {
    set_state(State::Waiting);
  }
  // A Sleep with no driver yet: it binds to the loop that first polls it.
  explicit Sleep(detail::UnboundDeadline deadline) noexcept : timer_(deadline) {
    set_state(State::Waiting);
  }
  // Moving moves the timer's place in the wheel (and the state with it);
  // the moved-from Sleep is Done (polling it is a ContractError).
  Sleep(Sleep&& o) noexcept : timer_(std::move(o.timer_)) { o.set_state(State::Done); }
  Sleep& operator=(Sleep&&) = delete;

  Poll<Unit> poll(Context& cx) {
    detail::observe_poll(cx, this);
    if (state() == State::Done) detail::polled_after_ready("Sleep");
    switch (timer_.poll_expired(cx, "Sleep")) {
      case detail::DeadlineTimer::Status::Waiting:
        return pending;
      case detail::DeadlineTimer::Status::Expired:
        break;
    }
    if (!cx.consume_budget()) return pending;  // re-woken; Ready next time
    set_state(State::Done);
    return Unit{};
  }

  // A new deadline, in place (see "Re-arming" at the top of this header).
  // Afterwards the Sleep is Waiting until `deadline`; describe() and
  // deadline() show the new one. If relinking its timer runs out of memory,
  // std::bad_alloc propagates, the Sleep keeps the new deadline and its
  // task is woken, so that the next poll registers it.
  void reset(TimePoint deadline) {
    timer_.require_rearmable("Sleep::reset()");
    set_state(State::Waiting);
    timer_.rearm(deadline);
  }

  State state() const noexcept { return static_cast<State>(timer_.owner_byte()); }
  // The deadline. Before the first poll of a sleep(d) built outside any loop,
  // the one a first poll now on the real clock would give.
  TimePoint deadline() const noexcept { return timer_.deadline(); }
  // True when the clock has reached the deadline (whether or not polled);
  // false before a Sleep built outside any loop is first polled, and after
  // its driver was destroyed (no clock reaches it any more).
  bool is_elapsed() const noexcept { return timer_.is_elapsed(); }
  // False until the first poll of a Sleep built outside any loop.
  bool is_bound() const noexcept { return timer_.is_bound(); }
  // True while the timer is linked in the driver's wheel.
  bool is_registered() const noexcept { return timer_.is_registered(); }

  // "Sleep [deadline in 4.8 ms]", "Sleep [done]".
  void describe(Describer& d) const {
    d.node("Sleep", state() == State::Done ? std::string("done") : timer_.describe_deadline());
  }

 private:
  void set_state(State s) noexcept { timer_.set_owner_byte(static_cast<std::uint8_t>(s)); }

  // Linked in the wheel while Waiting, after a Pending poll. The State lives
  // in the timer's spare byte: a Sleep is 40 bytes on x86-64.
  detail::DeadlineTimer timer_;
};

// A Sleep on `driver` until `deadline`.
POLLEN_NODISCARD inline Sleep sleep_until(TimerDriver& driver, TimePoint deadline) noexcept {
  return Sleep(driver, deadline);
}
// A Sleep on `driver` for `d` from now (any std::chrono duration; negative:
// Ready at once; too long: far_future()).
template <class Rep, class Period>
POLLEN_NODISCARD Sleep sleep(TimerDriver& driver, std::chrono::duration<Rep, Period> d) noexcept {
  return Sleep(driver, driver.deadline_after(d));
}
// The same on the current event loop's driver; outside a loop, on the loop
// that first polls it, d counted from that poll (see the top of this header).
POLLEN_NODISCARD inline Sleep sleep_until(TimePoint deadline) noexcept {
  if (TimerDriver* driver = TimerDriver::current()) return Sleep(*driver, deadline);
  return Sleep(detail::UnboundDeadline::at(deadline));
}
template <class Rep, class Period>
POLLEN_NODISCARD Sleep sleep(std::chrono::duration<Rep, Period> d) noexcept {
  if (TimerDriver* driver = TimerDriver::current()) return Sleep(*driver, driver->deadline_after(d));
  return Sleep(detail::UnboundDeadline::after(detail::saturating_nanoseconds(d)));
}

POLLEN_NAMESPACE_END
