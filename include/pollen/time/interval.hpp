// pollen/time/interval.hpp: interval(period), a repeating timer, and its
// tick() future.
//
// An Interval is not itself a future (it never finishes); it is a source of
// ticks, usable as a stream once pollen has streams (poll_tick() is the
// poll_next of that stream). Until then, await ticks one at a time:
//
//   pollen::Interval iv = pollen::interval(driver, std::chrono::milliseconds(10));
//   auto t = iv.tick();   // a future of the tick's scheduled TimePoint
//
// The first tick is due at once (at creation, or at the start given to
// interval_at()); tick k is scheduled at start + k * period unless ticks were
// missed. An interval(period) built outside any event loop binds to the loop
// that first polls it, and its first tick is due at that first poll.
//
// Missed ticks: a tick is *missed* when it is taken at a time now >=
// scheduled + period (a whole period late, e.g. the task was busy or the
// virtual clock jumped). Then the next tick is scheduled by the policy:
//
//   Burst (default)  scheduled + period: the missed ticks come back to back,
//                    at once, until the interval has caught up.
//   Delay            now + period: the schedule restarts from now.
//   Skip             the next point of the original schedule after now: the
//                    missed ticks are dropped, the phase is kept.
//
//   period 10 ms, ticks due at 0 10 20 30 40; the task takes tick 0, then is
//   busy until 35 ms:
//     Burst: ticks 10 20 30 taken at 35 at once, then 40, 50 ...
//     Delay: tick 10 taken at 35, then 45, 55 ...
//     Skip:  tick 10 taken at 35, then 40, 50 ...
//
// A tick taken late by less than a period does not change the schedule.
//
// Interval states (of its tick timer): Armed (waiting for the next tick's
// deadline) --poll_tick, deadline passed--> Armed for the following tick.
//
// Tick future states:   Waiting --the tick came--> Done
//
// Output: TimePoint, the scheduled time of the tick (not the time it was
// taken).
//
// Cancellation: destroying the Interval cancels its timer; destroying a
// Tick future loses no tick (a tick is consumed only when a poll returns
// Ready with it). The Tick borrows the Interval: it must not outlive it.
//
// Contract errors: a period <= 0; polling a Tick after Ready; polling on
// another driver's loop, or after the driver was destroyed; a first poll
// outside any event loop of an Interval built outside one; reset() after
// the driver was destroyed, or while another driver's loop is current.
//
// Polling order: no children. A due tick spends one unit of the cooperative
// budget (a bursting interval cannot starve the loop).
//
// Example:
//
//   pollen::TimerDriver driver(pollen::ClockKind::Virtual);
//   auto iv = pollen::interval(driver, std::chrono::milliseconds(10));
//   // tick(): Ready at once; the next tick(): Pending until driver.advance(10 ms)
#pragma once

#include <pollen/config.hpp>
#include <pollen/core/contract.hpp>
#include <pollen/core/describe.hpp>
#include <pollen/core/future.hpp>
#include <pollen/future/future_ext.hpp>
#include <pollen/time/clock.hpp>
#include <pollen/time/deadline_timer.hpp>
#include <pollen/time/timer_driver.hpp>

#include <chrono>
#include <string>

POLLEN_NAMESPACE_BEGIN

enum class MissedTickPolicy { Burst, Delay, Skip };

const char* to_string(MissedTickPolicy p) noexcept;

namespace detail {
// When the tick after the one scheduled at `scheduled` is due, when that
// tick was taken at `now` (saturating).
TimePoint next_tick_after(TimePoint scheduled, TimePoint now, Duration period,
                          MissedTickPolicy policy) noexcept;
}  // namespace detail

class Interval {
 public:
  // The first tick at `start`, then every `period` (> 0, else ContractError).
  Interval(TimerDriver& driver, TimePoint start, Duration period,
           MissedTickPolicy policy = MissedTickPolicy::Burst);
  // An Interval with no driver yet: it binds to the loop that first polls
  // it, its first tick at `start` (interval(period) outside a loop: at the
  // first poll).
  Interval(detail::UnboundDeadline start, Duration period,
           MissedTickPolicy policy = MissedTickPolicy::Burst);
  Interval(Interval&&) noexcept = default;
  Interval& operator=(Interval&&) = delete;

  class Tick;

  // A future of the next tick. Borrows this Interval.
  POLLEN_NODISCARD Tick tick() noexcept;

  // Ready(scheduled time) when the next tick is due, and schedules the one
  // after it; else Pending, and cx.waker() is woken when it is due.
  Poll<TimePoint> poll_tick(Context& cx);

  Duration period() const noexcept { return period_; }
  MissedTickPolicy missed_tick_policy() const noexcept { return policy_; }
  void set_missed_tick_policy(MissedTickPolicy p) noexcept { policy_ = p; }
  // When the next tick is scheduled (before the first poll of an Interval
  // built outside any loop: as Sleep::deadline()).
  TimePoint next_tick() const noexcept { return timer_.deadline(); }
  // Restarts the schedule: the next tick one period from now (not yet
  // polled by a loop: one period after its first poll). ContractError after
  // the driver was destroyed, or while another driver's loop is current (as
  // Sleep::reset()).
  void reset();
  bool is_registered() const noexcept { return timer_.is_registered(); }
  // False until the first poll of an Interval built outside any loop.
  bool is_bound() const noexcept { return timer_.is_bound(); }

  // "Interval [every 10 ms, Burst, next tick deadline in 4 ms]".
  void describe(Describer& d) const;

 private:
  detail::DeadlineTimer timer_;  // armed for the next tick
  Duration period_;              // > 0, fixed
  MissedTickPolicy policy_;
};

class POLLEN_NODISCARD_TYPE Interval::Tick : public FutureExt<Interval::Tick> {
 public:
  using Output = TimePoint;
  enum class State { Waiting, Done };

  explicit Tick(Interval& interval) noexcept : interval_(&interval) {}
  Tick(Tick&& o) noexcept : interval_(o.interval_), state_(o.state_) { o.state_ = State::Done; }
  Tick& operator=(Tick&&) = delete;

  Poll<TimePoint> poll(Context& cx) {
    detail::observe_poll(cx, this);
    if (state_ == State::Done) detail::polled_after_ready("Interval::Tick");
    Poll<TimePoint> p = interval_->poll_tick(cx);
    if (p.is_ready()) state_ = State::Done;
    return p;
  }
  State state() const noexcept { return state_; }

  void describe(Describer& d) const {
    if (state_ == State::Done) {
      d.node("Tick", "done");
    } else {
      d.node("Tick", "waiting");
      d.child(*interval_);
    }
  }

 private:
  Interval* interval_;  // borrowed; valid in State::Waiting
  State state_ = State::Waiting;
};

inline Interval::Tick Interval::tick() noexcept { return Tick(*this); }

// An Interval on `driver` whose first tick is due now.
template <class Rep, class Period>
Interval interval(TimerDriver& driver, std::chrono::duration<Rep, Period> period,
                  MissedTickPolicy policy = MissedTickPolicy::Burst) {
  return Interval(driver, driver.now(), detail::saturating_nanoseconds(period), policy);
}
// An Interval on `driver` whose first tick is due at `start`.
template <class Rep, class Period>
Interval interval_at(TimerDriver& driver, TimePoint start,
                     std::chrono::duration<Rep, Period> period,
                     MissedTickPolicy policy = MissedTickPolicy::Burst) {
  return Interval(driver, start, detail::saturating_nanoseconds(period), policy);
}
// The same on the current event loop's driver; outside a loop, on the loop
// that first polls it, the first tick due at that poll.
template <class Rep, class Period>
Interval interval(std::chrono::duration<Rep, Period> period,
                  MissedTickPolicy policy = MissedTickPolicy::Burst) {
  if (TimerDriver* driver = TimerDriver::current()) {
    return Interval(*driver, driver->now(), detail::saturating_nanoseconds(period), policy);
  }
  return Interval(detail::UnboundDeadline::after(Duration::zero()),
                  detail::saturating_nanoseconds(period), policy);
}

POLLEN_NAMESPACE_END
