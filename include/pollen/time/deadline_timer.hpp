// pollen/time/deadline_timer.hpp: detail::DeadlineTimer, the type-independent
// half of every timer future (Sleep, Timeout<F>, Interval), compiled once in
// src/time/ rather than instantiated for every F (as tokio's poll_delay and
// KJ's non-template PromiseNode do).
//
// A DeadlineTimer is a reference to its driver's DriverLink (the driver
// while it lives, see timer_driver.hpp) and the TimerEntry it owns, which
// holds the deadline in every state (40 bytes on x86-64; the entry's spare
// byte is the owning future's, see owner_byte()).
//
// A timer built outside any event loop (sleep(d) in main, before spawn) has
// no driver yet: it is Unbound, and its entry's deadline field holds an
// UnboundDeadline (a duration to count from the first poll, or a fixed
// time point). Its first poll binds it to the driver current then (the
// polling loop's) and turns that into a deadline on the driver's clock; from
// then on it is an ordinary timer of that driver. An Unbound timer is never
// linked, so destroying or moving it touches no driver.
//
//   Unbound --first poll, a driver current: bind--> Unregistered
//   Unbound --first poll, no driver current------> ContractError
//   Unregistered --poll, deadline ahead--> Registered (entry linked)
//        |                                   |  poll again: waker updated
//        |                                   |  if it changed
//        +--poll, deadline passed--+   <-----+  the wheel fires it
//                                  v
//                               Expired (entry unlinked)
//
//   any bound state --the driver is destroyed--> DriverGone (a linked entry
//        is Orphaned): deadline() keeps its value, is_elapsed() is false,
//        describe "driver destroyed"; poll, reset and rearm are
//        ContractErrors; destroying and moving touch no driver
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

// The deadline of a timer built with no driver current (outside any event
// loop): `after(d)` counts d from the timer's first poll, on the clock of
// the loop that polls it; `at(t)` is the fixed time point t. Encoded in the
// 64 bits of a TimerEntry's deadline: the top bit marks a duration (time
// points and durations are both below 2^63 ns, see clock.hpp).
class UnboundDeadline {
 public:
  static UnboundDeadline after(Duration d) noexcept {
    const Duration::rep ns = d.count() > 0 ? d.count() : 0;
    return UnboundDeadline(kAfterFirstPoll | static_cast<std::uint64_t>(ns));
  }
  static UnboundDeadline at(TimePoint t) noexcept {
    return UnboundDeadline(TimerDriver::tick_of(t));
  }
  static UnboundDeadline decode(std::uint64_t bits) noexcept { return UnboundDeadline(bits); }

  std::uint64_t bits() const noexcept { return bits_; }
  bool counts_from_first_poll() const noexcept { return (bits_ & kAfterFirstPoll) != 0; }
  // Valid when counts_from_first_poll().
  Duration duration() const noexcept {
    return Duration(static_cast<Duration::rep>(bits_ & ~kAfterFirstPoll));
  }
  // Valid when !counts_from_first_poll().
  TimePoint time_point() const noexcept { return TimerDriver::time_of(bits_); }
  // The deadline on `driver`'s clock, for a first poll now.
  TimePoint resolve(const TimerDriver& driver) const noexcept {
    return counts_from_first_poll() ? driver.deadline_after(duration()) : time_point();
  }
  // The same on the real clock.
  TimePoint resolve_on_steady_clock() const noexcept {
    return counts_from_first_poll() ? deadline_after(SteadyClock::now(), duration())
                                    : time_point();
  }

 private:
  static constexpr std::uint64_t kAfterFirstPoll = std::uint64_t{1} << 63;
  explicit UnboundDeadline(std::uint64_t bits) noexcept : bits_(bits) {}
  std::uint64_t bits_;
};

class DeadlineTimer {
 public:
  // Outcome of poll_expired(): what the calling future must do.
  enum class Status {
    Waiting,  // the deadline is ahead; cx.waker() will be woken then
    Expired,  // the deadline has passed; the entry is no longer linked
  };

  DeadlineTimer(TimerDriver& driver, TimePoint deadline) noexcept : link_(&driver.link()) {
    link_->acquire();
    entry_.set_deadline(TimerDriver::tick_of(deadline));
  }
  // An Unbound timer: bound to the current driver at its first poll.
  explicit DeadlineTimer(UnboundDeadline deadline) noexcept : link_(nullptr) {
    entry_.set_deadline(deadline.bits());
  }
  // Moving a registered timer moves its place in the wheel (out of line);
  // an unregistered one is a few stores. The moved-from timer keeps its
  // driver (a reference of its own) and is unregistered.
  DeadlineTimer(DeadlineTimer&& o) noexcept : link_(o.link_) {
    if (link_ != nullptr) link_->acquire();
    if (POLLEN_UNLIKELY(o.entry_.is_linked())) {
      link_->driver()->relocate(o.entry_, entry_);
    } else {
      entry_.adopt_unlinked(o.entry_);
    }
  }
  DeadlineTimer& operator=(DeadlineTimer&&) = delete;
  DeadlineTimer(const DeadlineTimer&) = delete;
  DeadlineTimer& operator=(const DeadlineTimer&) = delete;
  ~DeadlineTimer() {
    cancel();
    if (link_ != nullptr) link_->release();
  }

  // Checks the deadline against the driver's clock; while it is ahead,
  // makes sure cx.waker() is woken when it comes. An Unbound timer first
  // binds to the current driver. `future_name` names the caller in
  // ContractErrors (Unbound and no driver current, polled on another
  // driver's loop, or after the driver was destroyed). Does not spend the
  // cooperative budget: the caller decides.
  POLLEN_NODISCARD Status poll_expired(const Context& cx, const char* future_name);

  // Unlinks the entry if it is linked (then its driver is alive: the
  // driver's destructor unlinks every entry). Idempotent.
  void cancel() noexcept {
    if (entry_.is_linked()) link_->driver()->cancel(entry_);
  }
  // Cancels and sets a new deadline (Interval's next tick). Bound timers
  // only.
  void reset(TimePoint deadline) noexcept {
    cancel();
    entry_.reset();
    entry_.set_deadline(TimerDriver::tick_of(deadline));
  }
  // reset() to d from now; an Unbound timer stays Unbound, d counted from
  // its first poll. Call require_rearmable() first.
  void restart_after(Duration d) noexcept;

  // Sets a new deadline (Sleep::reset()), keeping a registration: a linked
  // entry is relinked at the new deadline with the waker it holds, and that
  // waker is woken at once when the new deadline has already passed (or if
  // relinking throws std::bad_alloc, which then propagates), so the task
  // polls again and finds out; an unlinked entry (never polled, expired,
  // fired) waits for the next poll to register (an Unbound one stays
  // Unbound, with the fixed deadline). Call require_rearmable() first.
  void rearm(TimePoint deadline);
  // ContractError naming `what` after the driver was destroyed, or when
  // another driver's loop is current (an Unbound timer has neither).
  void require_rearmable(const char* what) const;

  // Fixed at creation (changed only by reset() and rearm()). An Unbound
  // timer whose deadline counts from its first poll has none yet: it
  // reports the one a first poll now on the real clock would give.
  TimePoint deadline() const noexcept {
    if (POLLEN_UNLIKELY(!is_bound())) return unbound_deadline().resolve_on_steady_clock();
    return TimerDriver::time_of(entry_.deadline_tick());
  }
  // True when the driver's clock has reached the deadline; false while
  // Unbound (no clock yet) and after the driver was destroyed (no clock
  // any more: the timer never fires).
  bool is_elapsed() const noexcept {
    const TimerDriver* driver = is_bound() ? link_->driver() : nullptr;
    return driver != nullptr && driver->now() >= TimerDriver::time_of(entry_.deadline_tick());
  }
  // False until the first poll of a timer built outside any loop (stays
  // true after the driver was destroyed).
  bool is_bound() const noexcept { return link_ != nullptr; }
  // The driver: valid while is_bound() and !driver_destroyed().
  TimerDriver& driver() const noexcept { return *link_->driver(); }
  bool is_registered() const noexcept { return entry_.is_linked(); }
  // True when the timer was bound to a driver that has been destroyed.
  bool driver_destroyed() const noexcept { return is_bound() && link_->driver() == nullptr; }

  // "deadline in 4.8 ms", "deadline passed 2 ms ago", "deadline never (far
  // future)", "driver destroyed"; Unbound: "deadline 10 ms after its first
  // poll (no loop yet)", "deadline at its first poll (no loop yet)",
  // "deadline fixed (no loop yet)".
  std::string describe_deadline() const;

  // A byte of the entry's padding that the owning future may keep its own
  // state in (Sleep does): it moves with the timer.
  std::uint8_t owner_byte() const noexcept { return entry_.owner_byte(); }
  void set_owner_byte(std::uint8_t b) noexcept { entry_.set_owner_byte(b); }

 private:
  UnboundDeadline unbound_deadline() const noexcept {
    return UnboundDeadline::decode(entry_.deadline_tick());
  }
  // Unbound -> Unregistered, on the current driver (ContractError naming
  // `future_name` when there is none).
  void bind(const char* future_name);

  // ContractError: `future_name` polled by pollen::block_on (or any
  // executor that is not an event loop) with its deadline ahead: nothing
  // would ever fire it.
  [[noreturn]] static void undriven(const char* future_name);

  DriverLink* link_;  // one reference to the link of the driver it was created on or
                      // bound to; null while Unbound
  TimerEntry entry_;  // the deadline (an UnboundDeadline's bits while Unbound);
                      // linked in the driver's wheel while Registered
};

}  // namespace detail
POLLEN_NAMESPACE_END
