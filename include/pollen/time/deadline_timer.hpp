// pollen/time/deadline_timer.hpp: detail::DeadlineTimer, the type-independent
// half of every timer future (Sleep, Timeout<F>, Interval), compiled once in
// src/time/ rather than instantiated for every F (as tokio's poll_delay and
// KJ's non-template PromiseNode do).
//
// A DeadlineTimer is a driver pointer, a deadline and the TimerEntry it owns.
//
//   Unregistered --poll, deadline ahead--> Registered (entry linked)
//        |                                   |  poll again: waker updated
//        |                                   |  if it changed
//        +--poll, deadline passed--+   <-----+  the wheel fires it
//                                  v
//                               Expired (entry unlinked)
//
// Destroying it (or cancel()) unlinks the entry; moving it moves the entry's
// place in the wheel (O(1)).
#pragma once

#include <pollen/config.hpp>
#include <pollen/core/context.hpp>
#include <pollen/time/clock.hpp>
#include <pollen/time/timer_driver.hpp>
#include <pollen/time/timer_wheel.hpp>

#include <chrono>
#include <string>

POLLEN_NAMESPACE_BEGIN
namespace detail {

// "4.8 ms", "250 ns", "1.5 h", "292 years": three significant digits.
std::string format_duration(Duration d);

// The driver of the current loop, for sleep(d) and friends without an
// explicit driver. ContractError naming `what` when there is none.
TimerDriver& current_timer_driver(const char* what);

class DeadlineTimer {
 public:
  // Outcome of poll_expired(): what the calling future must do.
  enum class Status {
    Waiting,  // the deadline is ahead; cx.waker() will be woken then
    Expired,  // the deadline has passed; the entry is no longer linked
  };

  DeadlineTimer(TimerDriver& driver, TimePoint deadline) noexcept
      : driver_(&driver), deadline_(deadline) {}
  DeadlineTimer(DeadlineTimer&& o) noexcept;
  DeadlineTimer& operator=(DeadlineTimer&&) = delete;
  DeadlineTimer(const DeadlineTimer&) = delete;
  DeadlineTimer& operator=(const DeadlineTimer&) = delete;
  ~DeadlineTimer() { cancel(); }

  // Checks the deadline against the driver's clock; while it is ahead,
  // makes sure cx.waker() is woken when it comes. `future_name` names the
  // caller in ContractErrors (polled on another driver's loop, or after the
  // driver was destroyed). Does not spend the cooperative budget: the caller
  // decides.
  POLLEN_NODISCARD Status poll_expired(const Context& cx, const char* future_name);

  // Unlinks the entry if it is linked. Idempotent.
  void cancel() noexcept {
    if (entry_.is_linked()) driver_->cancel(entry_);
  }
  // Cancels and sets a new deadline (Interval's next tick).
  void reset(TimePoint deadline) noexcept {
    cancel();
    entry_.reset();
    deadline_ = deadline;
  }

  TimePoint deadline() const noexcept { return deadline_; }
  TimerDriver& driver() const noexcept { return *driver_; }
  bool is_registered() const noexcept { return entry_.is_linked(); }
  bool driver_destroyed() const noexcept {
    return entry_.state() == TimerEntry::State::Orphaned;
  }

  // "deadline in 4.8 ms", "deadline passed 2 ms ago", "deadline never (far
  // future)", "driver destroyed".
  std::string describe_deadline() const;

 private:
  TimerDriver* driver_;  // never null; the driver it was created on
  TimePoint deadline_;   // fixed at creation (changed only by reset())
  TimerEntry entry_;     // linked in driver_'s wheel while Registered
};

}  // namespace detail
POLLEN_NAMESPACE_END
