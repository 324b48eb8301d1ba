// pollen/time/deadline_timer.hpp: detail::DeadlineTimer, the type-independent
// half of every timer future (Sleep, Timeout<F>, Interval), compiled once in
// src/time/ rather than instantiated for every F (as tokio's poll_delay and
// KJ's non-template PromiseNode do).
//
// A DeadlineTimer is a driver pointer and the TimerEntry it owns, which
// holds the deadline in every state (40 bytes on x86-64; the entry's spare
// byte is the owning future's, see owner_byte()).
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
#include <cstdint>
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

  DeadlineTimer(TimerDriver& driver, TimePoint deadline) noexcept : driver_(&driver) {
    entry_.set_deadline(TimerDriver::tick_of(deadline));
  }
  // Moving a registered timer moves its place in the wheel (out of line);
  // an unregistered one is a few stores.
  DeadlineTimer(DeadlineTimer&& o) noexcept : driver_(o.driver_) {
    if (POLLEN_UNLIKELY(o.entry_.is_linked())) {
      driver_->relocate(o.entry_, entry_);
    } else {
      entry_.adopt_unlinked(o.entry_);
    }
  }
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
    entry_.set_deadline(TimerDriver::tick_of(deadline));
  }

  // Sets a new deadline (Sleep::reset()), keeping a registration: a linked
  // entry is relinked at the new deadline with the waker it holds, and that
  // waker is woken at once when the new deadline has already passed (or if
  // relinking throws std::bad_alloc, which then propagates), so the task
  // polls again and finds out; an unlinked entry (never polled, expired,
  // fired) waits for the next poll to register. Call require_rearmable()
  // first.
  void rearm(TimePoint deadline);
  // ContractError naming `what` after the driver was destroyed, or when
  // another driver's loop is current.
  void require_rearmable(const char* what) const;

  // Fixed at creation (changed only by reset() and rearm()).
  TimePoint deadline() const noexcept { return TimerDriver::time_of(entry_.deadline_tick()); }
  TimerDriver& driver() const noexcept { return *driver_; }
  bool is_registered() const noexcept { return entry_.is_linked(); }
  bool driver_destroyed() const noexcept {
    return entry_.state() == TimerEntry::State::Orphaned;
  }

  // "deadline in 4.8 ms", "deadline passed 2 ms ago", "deadline never (far
  // future)", "driver destroyed".
  std::string describe_deadline() const;

  // A byte of the entry's padding that the owning future may keep its own
  // state in (Sleep does): it moves with the timer.
  std::uint8_t owner_byte() const noexcept { return entry_.owner_byte(); }
  void set_owner_byte(std::uint8_t b) noexcept { entry_.set_owner_byte(b); }

 private:
  TimerDriver* driver_;  // never null; the driver it was created on
  TimerEntry entry_;     // the deadline; linked in driver_'s wheel while Registered
};

}  // namespace detail
POLLEN_NAMESPACE_END
