// detail::DeadlineTimer: registration, identity checks and describe()
// rendering shared by every timer future, compiled once.
#include <pollen/core/block_on.hpp>
#include <pollen/core/contract.hpp>
#include <pollen/time/deadline_timer.hpp>

#include "../format.hpp"
#include "current_driver.hpp"

POLLEN_NAMESPACE_BEGIN
namespace detail {

std::string format_duration(Duration d) {
  const bool negative = d < Duration::zero();
  // |d| as a double: no overflow even for Duration::min().
  double ns = negative ? -static_cast<double>(d.count()) : static_cast<double>(d.count());
  struct Unit {
    double ns;
    const char* name;
  };
  static const Unit units[] = {
      {365.0 * 86400e9, "years"}, {86400e9, "d"}, {3600e9, "h"}, {60e9, "min"},
      {1e9, "s"},                 {1e6, "ms"},    {1e3, "us"},   {1.0, "ns"},
  };
  const Unit* u = &units[sizeof(units) / sizeof(units[0]) - 1];
  for (const Unit& cand : units) {
    if (ns >= cand.ns) {
      u = &cand;
      break;
    }
  }
  return detail::format("{}{:.3g} {}", negative ? "-" : "", ns / u->ns, u->name);
}

namespace {
// Wakes `waker` when destroyed unless kept: rearm()'s way of waking the task
// on every way out but a successful relink, including an exception.
struct WakeUnlessKept {
  Waker waker;
  bool kept = false;
  ~WakeUnlessKept() {
    if (!kept) std::move(waker).wake();
  }
};
}  // namespace

void DeadlineTimer::require_rearmable(const char* what) const {
  if (driver_destroyed()) {
    contract_violation(detail::format(
        "{} after its timer driver (event loop) was destroyed; destroy timer futures before the "
        "loop that runs them, and make a new one on a live loop",
        what));
  }
  TimerDriver* current = TimerDriver::current();
  if (current != nullptr && is_bound() && current != link_->driver()) {
    contract_violation(detail::format(
        "{} on a timer created on another timer driver (event loop); a timer belongs to the loop "
        "it was created on (one built outside any loop: to the loop that first polled it): reset "
        "it from a task of that loop",
        what));
  }
}

void DeadlineTimer::restart_after(Duration d) noexcept {
  if (!is_bound()) {
    entry_.set_deadline(UnboundDeadline::after(d).bits());
    return;
  }
  reset(deadline_after(link_->driver()->now(), d));
}

void DeadlineTimer::bind(const char* future_name) {
  TimerDriver* current = TimerDriver::current();
  if (current == nullptr) {
    contract_violation(detail::format(
        "{} was built outside an event loop and is polled outside one, so it has no clock; such "
        "a timer binds to the event loop that first polls it: run it on an EventLoop "
        "(loop.block_on(f), loop.spawn(f); pollen::block_on has no timers), or build it with a "
        "driver (sleep(driver, d), timeout(driver, f, d), interval(driver, period))",
        future_name));
  }
  const TimePoint deadline = unbound_deadline().resolve(*current);
  link_ = &current->link();
  link_->acquire();
  entry_.set_deadline(TimerDriver::tick_of(deadline));
}

void DeadlineTimer::rearm(TimePoint deadline) {
  if (!entry_.is_linked()) {
    entry_.reset();  // Fired -> Idle: registers at the next poll
    entry_.set_deadline(TimerDriver::tick_of(deadline));
    return;
  }
  // Linked: the driver is alive.
  TimerDriver* const driver = link_->driver();
  WakeUnlessKept registered{std::move(entry_.waker())};
  driver->cancel(entry_);
  entry_.set_deadline(TimerDriver::tick_of(deadline));
  switch (driver->register_timer(entry_, deadline, registered.waker)) {
    case TimerDriver::Registration::Waiting:
      registered.kept = true;  // the entry holds its clone; this one is dropped
      return;
    case TimerDriver::Registration::Expired:
      return;  // woken: its next poll finds the deadline passed
  }
}

void DeadlineTimer::undriven(const char* future_name) {
  contract_violation(detail::format(
      "{} polled by {} on a timer driver that nothing drives: no event loop is running it, so "
      "its clock is not read and its timers never fire, and the thread would wait forever. "
      "Await timers on an event loop (EventLoop::block_on(f) or spawn), or poll them by hand and "
      "call the driver's fire_expired() (or advance() a virtual clock) yourself",
      future_name, EnterGuard::current()));
}

DeadlineTimer::Status DeadlineTimer::poll_expired(const Context& cx, const char* future_name) {
  if (POLLEN_UNLIKELY(link_ == nullptr)) bind(future_name);
  TimerDriver* const driver = link_->driver();
  if (POLLEN_UNLIKELY(driver == nullptr)) {
    contract_violation(detail::format(
        "{} polled after its timer driver (event loop) was destroyed; destroy timer futures "
        "before the loop that runs them",
        future_name));
  }
  TimerDriver* current = t_current_driver;
  if (current != nullptr && current != driver) {
    contract_violation(detail::format(
        "{} was created on one timer driver (event loop) and polled on another; a timer belongs "
        "to the loop it was created on (one built outside any loop: to the loop that first "
        "polled it): create it inside a task of the loop that polls it",
        future_name));
  }
  const TimePoint deadline = TimerDriver::time_of(entry_.deadline_tick());
  const TimePoint now = driver->now();
  if (now >= deadline) {
    cancel();  // the wheel may not have fired it yet (no fire_expired() since)
    return Status::Expired;
  }
  // Polled outside any event loop, by an executor (pollen::block_on) that
  // would now park the thread: nothing can fire the timer. (By hand, with
  // no executor, the caller drives the driver.)
  if (POLLEN_UNLIKELY(current == nullptr) && EnterGuard::current() != nullptr) {
    undriven(future_name);
  }
  if (entry_.is_linked()) {
    TimerDriver::update_waker(entry_, cx.waker());
    return Status::Waiting;
  }
  // Idle, or Fired with a deadline still ahead: impossible, the wheel fires
  // only deadlines <= now, and now never decreases.
  POLLEN_ASSERT(entry_.state() == TimerEntry::State::Idle,
                "a timer entry fired before its deadline");
  switch (driver->register_timer(entry_, deadline, cx.waker())) {
    case TimerDriver::Registration::Waiting:
      return Status::Waiting;
    case TimerDriver::Registration::Expired:
      break;
  }
  return Status::Expired;
}

std::string DeadlineTimer::describe_deadline() const {
  if (!is_bound()) {
    const UnboundDeadline u = unbound_deadline();
    if (!u.counts_from_first_poll()) return "deadline fixed (no loop yet)";
    if (u.duration() == Duration::zero()) return "deadline at its first poll (no loop yet)";
    return "deadline " + format_duration(u.duration()) + " after its first poll (no loop yet)";
  }
  if (driver_destroyed()) return "driver destroyed";
  const TimePoint deadline = this->deadline();
  if (deadline == far_future()) return "deadline never (far future)";
  const TimePoint now = link_->driver()->now();
  if (deadline > now) return "deadline in " + format_duration(deadline - now);
  if (deadline == now) return "deadline now";
  return "deadline passed " + format_duration(now - deadline) + " ago";
}

}  // namespace detail
POLLEN_NAMESPACE_END
