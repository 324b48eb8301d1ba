// pollen/time/timer_driver.hpp: TimerDriver, the clock and the timer wheel
// that an event loop owns, and the registration that timer futures use.
//
// Ground rules
// * One TimerDriver belongs to one thread (its event loop's). Timer futures
//   keep a pointer to the driver they were created on and must be polled on
//   it: polling one while another driver is current (see Scope) is a
//   ContractError. One built with no driver current (outside any loop) has
//   none until its first poll, which binds it to the current driver (see
//   deadline_timer.hpp).
// * The clock is either the real steady clock (ClockKind::Steady) or a
//   VirtualClock (ClockKind::Virtual) that stands still until advance(),
//   advance_to() or advance_to_next_timer() moves it. A virtual clock never
//   moves by itself, so a test of a one-hour timeout runs in microseconds.
// * Time passing does not wake anyone by itself: fire_expired() wakes the
//   timers whose deadline is <= now(). The event loop calls it once a turn,
//   before polling the ready tasks; the advance functions call it for you.
// * Timer futures register their TimerEntry (which they own) on their first
//   Pending poll, update the entry's waker on later polls only when it would
//   wake a different task, and cancel the entry when they are destroyed or
//   finish. Destroying the driver first is allowed, whatever state its
//   timers are in (registered, never polled, fired, an Interval between
//   ticks): the linked entries become Orphaned, and every bound timer holds
//   the driver's DriverLink, which the driver's destructor clears. So a
//   timer that outlives its driver never touches the driver's memory:
//   destroying or moving it is safe, deadline() keeps its value,
//   is_elapsed() is false (no clock reaches it any more), describe() says
//   "driver destroyed", and polling or resetting it is a ContractError.
//
// How an event loop drives it, each turn:
//
//   driver.fire_expired();                        // wake due timers
//   ... poll the ready tasks inside a TimerDriver::Scope ...
//   if nothing is ready: wait in the kernel for at most
//   driver.wait_timeout_ms() (-1: no timer to wait for), then loop.
//
// With a virtual clock the loop never waits for a timer: run_until_stalled()
// reports next_deadline(), and only an explicit opt-in auto-advance calls
// advance_to_next_timer() when every task is idle.
#pragma once

#include <pollen/config.hpp>
#include <pollen/core/option.hpp>
#include <pollen/core/waker.hpp>
#include <pollen/time/clock.hpp>
#include <pollen/time/timer_wheel.hpp>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>

POLLEN_NAMESPACE_BEGIN

class TimerDriver;

namespace detail {

// The liveness token a TimerDriver shares with the timers bound to it: it
// points to the driver while the driver lives, and the driver's destructor
// clears it. The driver and each bound timer hold one reference; the last
// to let go frees it. A timer reaches its driver only through it, so a
// timer that outlives its driver (registered in the wheel or not) finds out
// without reading freed memory, and a new driver built at the same address
// is not mistaken for its own. The count is atomic because a timer that
// is not registered may be destroyed on another thread than its driver's;
// the driver pointer is read and cleared on the driver's thread only.
class DriverLink {
 public:
  explicit DriverLink(TimerDriver* driver) noexcept : driver_(driver) {}
  DriverLink(const DriverLink&) = delete;
  DriverLink& operator=(const DriverLink&) = delete;

  // The driver, or nullptr once it was destroyed.
  TimerDriver* driver() const noexcept { return driver_; }
  void acquire() noexcept { refs_.fetch_add(1, std::memory_order_relaxed); }
  void release() noexcept {
    if (refs_.fetch_sub(1, std::memory_order_acq_rel) == 1) delete this;
  }

 private:
  friend class pollen::TimerDriver;
  ~DriverLink() = default;

  TimerDriver* driver_;
  std::atomic<std::size_t> refs_{1};  // the driver's, then one per bound timer
};

}  // namespace detail

enum class ClockKind {
  Steady,   // std::chrono::steady_clock
  Virtual,  // stands still until advanced
};

class TimerDriver {
 public:
  // A driver on the real steady clock, or on a virtual clock starting at the
  // real clock's current time.
  explicit TimerDriver(ClockKind kind = ClockKind::Steady);
  // A driver on a virtual clock starting at `virtual_start` (>= the clock's
  // epoch). `kind` must be ClockKind::Virtual.
  TimerDriver(ClockKind kind, TimePoint virtual_start);
  TimerDriver(const TimerDriver&) = delete;
  TimerDriver& operator=(const TimerDriver&) = delete;
  ~TimerDriver();

  // ---- Time --------------------------------------------------------------

  // The current time: steady_clock::now(), or the virtual clock's time.
  TimePoint now() const noexcept {
    return kind_ == ClockKind::Virtual ? virtual_.now() : SteadyClock::now();
  }
  bool is_virtual() const noexcept { return kind_ == ClockKind::Virtual; }
  ClockKind clock_kind() const noexcept { return kind_; }

  // now() + d, saturating (negative d: now()). How timer futures compute
  // their deadline.
  template <class Rep, class Period>
  TimePoint deadline_after(std::chrono::duration<Rep, Period> d) const noexcept {
    return pollen::deadline_after(now(), d);
  }

  // ---- What the event loop calls ----------------------------------------

  // The earliest deadline of a pending timer (exact), or none. It may be
  // <= now() when fire_expired() has not run since it passed.
  Option<TimePoint> next_deadline() const noexcept {
    std::uint64_t tick = 0;
    if (!wheel_.earliest_deadline(tick)) return none;
    return time_of(tick);
  }
  // Number of timers waiting in the wheel.
  std::size_t pending_timers() const noexcept { return wheel_.size(); }
  // Wakes every pending timer whose deadline is <= now(), in deadline order,
  // and returns how many. Safe to call at any time, any number of times.
  // Inline when nothing can be due (the clock has not moved since).
  std::size_t fire_expired() {
    const std::uint64_t now = tick_of(this->now());
    if (now <= wheel_.elapsed()) return 0;
    return wheel_.advance_to(now);
  }
  // The timeout for the kernel wait (epoll_wait, poll) in milliseconds: -1
  // when there is no pending timer or the clock is virtual (waiting does not
  // move a virtual clock), else the time to next_deadline() rounded *up* to
  // a whole millisecond (so the loop never wakes early and spins) and
  // clamped to INT_MAX; 0 when a deadline has passed.
  int wait_timeout_ms() const noexcept;

  // ---- Virtual clock control (ContractError on a steady-clock driver) ----

  // Moves the virtual clock forward by d (saturating; d <= 0 moves nothing),
  // then fire_expired(). Returns the number of timers fired.
  template <class Rep, class Period>
  std::size_t advance(std::chrono::duration<Rep, Period> d) {
    require_virtual("advance()");
    virtual_.advance(d);
    return fire_expired();
  }
  // Moves the virtual clock forward to t (a t in the past moves nothing),
  // then fire_expired(). Returns the number of timers fired.
  std::size_t advance_to(TimePoint t) {
    require_virtual("advance_to()");
    virtual_.advance_to(t);
    return fire_expired();
  }
  // Moves the virtual clock to the earliest pending deadline (if it is in
  // the future) and fires the timers due then. Returns false, moving
  // nothing, when no timer is pending; true when it fired at least one.
  bool advance_to_next_timer();
  // Moves the virtual clock forward by d (saturating; d <= 0 moves nothing)
  // or to t (a t in the past moves nothing) WITHOUT firing anything: time
  // passes as a real clock's does while a task runs, and the timers that
  // fell due fire at the next fire_expired() (an event loop's next turn).
  // For tests of what a loop does with timers that came due meanwhile.
  template <class Rep, class Period>
  void pass_time(std::chrono::duration<Rep, Period> d) {
    require_virtual("pass_time()");
    virtual_.advance(d);
  }
  void pass_time_to(TimePoint t);

  // ---- The current driver ------------------------------------------------

  // The driver whose tasks are being polled on this thread, or nullptr.
  static TimerDriver* current() noexcept;
  // Makes `driver` (may be nullptr) the current one and returns the previous
  // one, for a loop whose enter()/leave() are separate calls; restore the
  // returned value on leave. Scope does the same as RAII.
  static TimerDriver* exchange_current(TimerDriver* driver) noexcept;

  // Makes `driver` the current one for its lifetime (restoring the previous
  // one after). The event loop holds a Scope while it polls tasks, so that
  // pollen::sleep(d) finds the loop's driver and a timer from another loop
  // is caught.
  class Scope {
   public:
    explicit Scope(TimerDriver& driver) noexcept;
    ~Scope();
    Scope(const Scope&) = delete;
    Scope& operator=(const Scope&) = delete;

   private:
    TimerDriver* previous_;
  };

  // ---- Registration (used by timer futures, through detail::DeadlineTimer)

  // Transition result of register_timer(): what the caller must do.
  enum class Registration {
    Waiting,  // linked; the waker is woken when the deadline comes
    Expired,  // the deadline is <= now(): not linked, the timer is due
  };
  // Links an unlinked `entry` with `deadline` and a clone of `waker`.
  POLLEN_NODISCARD Registration register_timer(TimerEntry& entry, TimePoint deadline,
                                               const Waker& waker) {
    if (deadline <= now()) return Registration::Expired;
    switch (wheel_.insert(entry, tick_of(deadline), waker)) {
      case TimerWheel::Insert::Linked:
        return Registration::Waiting;
      case TimerWheel::Insert::AlreadyExpired:
        break;
    }
    // Only with the steady clock: the wheel was advanced past a deadline
    // that now() (read a moment ago) had not reached. It is due.
    return Registration::Expired;
  }
  // Replaces a linked entry's waker, unless it already wakes the same task.
  static void update_waker(TimerEntry& entry, const Waker& waker) noexcept {
    if (!entry.waker().will_wake(waker)) entry.waker() = waker;
  }
  // Unlinks `entry` if it is linked.
  void cancel(TimerEntry& entry) noexcept { wheel_.cancel(entry); }
  // Moves a linked entry's place in the wheel to `to`.
  void relocate(TimerEntry& from, TimerEntry& to) noexcept { wheel_.relocate(from, to); }

  // The wheel, for tests and introspection.
  const TimerWheel& wheel() const noexcept { return wheel_; }

  // The liveness token timers bound to this driver hold (one reference each,
  // taken with acquire()).
  detail::DriverLink& link() const noexcept { return *link_; }

  // The wheel's time of a TimePoint: its nanoseconds since the clock's
  // epoch (time points before the epoch, which pollen never makes, count
  // as 0), and back.
  static std::uint64_t tick_of(TimePoint t) noexcept {
    const Duration::rep ns = t.time_since_epoch().count();
    return ns > 0 ? static_cast<std::uint64_t>(ns) : 0;
  }
  static TimePoint time_of(std::uint64_t tick) noexcept {
    // Ticks come from tick_of(), so they fit.
    return TimePoint(Duration(static_cast<Duration::rep>(tick)));
  }

 private:
  // ContractError naming `what` unless the clock is virtual.
  void require_virtual(const char* what) const {
    if (POLLEN_UNLIKELY(kind_ != ClockKind::Virtual)) not_virtual(what);
  }
  [[noreturn]] void not_virtual(const char* what) const;

  ClockKind kind_;
  VirtualClock virtual_;      // the time, when kind_ == ClockKind::Virtual
  TimerWheel wheel_;          // starts at now() at construction
  detail::DriverLink* link_;  // points back here until the destructor clears it
};

POLLEN_NAMESPACE_END
