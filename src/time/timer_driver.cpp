// TimerDriver: a clock plus a timer wheel; see timer_driver.hpp for the
// ground rules and how an event loop drives it.
#include <pollen/core/contract.hpp>
#include <pollen/time/timer_driver.hpp>

#include "../format.hpp"
#include "current_driver.hpp"

#include <climits>

POLLEN_NAMESPACE_BEGIN

namespace detail {
POLLEN_CURRENT_DRIVER_TLS TimerDriver* t_current_driver = nullptr;  // see current_driver.hpp
}  // namespace detail

using detail::t_current_driver;

VirtualClock::VirtualClock(TimePoint start) : now_(start) {
  POLLEN_REQUIRE(start.time_since_epoch() >= Duration::zero(),
                 "VirtualClock: the start time must not be before the clock's epoch "
                 "(pollen's time points are never negative)");
}

TimerDriver::TimerDriver(ClockKind kind)
    : kind_(kind), virtual_(), wheel_(tick_of(now())), link_(new detail::DriverLink(this)) {}

TimerDriver::TimerDriver(ClockKind kind, TimePoint virtual_start)
    : kind_(kind), virtual_(virtual_start), wheel_(tick_of(virtual_start)), link_(nullptr) {
  POLLEN_REQUIRE(kind == ClockKind::Virtual,
                 "TimerDriver(kind, start): a start time only makes sense for a virtual clock; "
                 "use TimerDriver(ClockKind::Steady) for the real clock");
  link_ = new detail::DriverLink(this);
}

TimerDriver::~TimerDriver() {
  if (t_current_driver == this) t_current_driver = nullptr;
  // Every timer bound to this driver now finds it gone; the link itself
  // lives on until the last of them lets go.
  link_->driver_ = nullptr;
  link_->release();
  // ~TimerWheel orphans the entries still linked.
}

void TimerDriver::not_virtual(const char* what) const {
  detail::contract_violation(detail::format(
      "TimerDriver::{} needs a virtual clock, and this driver runs on the real steady clock; "
      "create the driver (or loop) with ClockKind::Virtual to control time",
      what));
}

int TimerDriver::wait_timeout_ms() const noexcept {
  if (kind_ == ClockKind::Virtual) return -1;
  Option<TimePoint> next = next_deadline();
  if (!next.has_value()) return -1;
  const Duration left = remaining_until(now(), *next);
  if (left <= Duration::zero()) return 0;
  // Round up: waking before the deadline would find nothing to fire and
  // wait again with a timeout of 0, a busy loop.
  const Duration::rep ms = (left.count() - 1) / 1000000 + 1;
  return ms > INT_MAX ? INT_MAX : static_cast<int>(ms);
}

void TimerDriver::pass_time_to(TimePoint t) {
  require_virtual("pass_time_to()");
  virtual_.advance_to(t);
}

bool TimerDriver::advance_to_next_timer() {
  require_virtual("advance_to_next_timer()");
  std::uint64_t tick = 0;
  if (!wheel_.earliest_deadline(tick)) return false;
  virtual_.advance_to(time_of(tick));
  const std::size_t fired = fire_expired();
  POLLEN_ASSERT(fired > 0, "advance_to_next_timer() fired nothing at the earliest deadline");
  return true;
}

TimerDriver* TimerDriver::current() noexcept { return t_current_driver; }

TimerDriver* TimerDriver::exchange_current(TimerDriver* driver) noexcept {
  TimerDriver* previous = t_current_driver;
  t_current_driver = driver;
  return previous;
}

TimerDriver::Scope::Scope(TimerDriver& driver) noexcept : previous_(t_current_driver) {
  t_current_driver = &driver;
}

TimerDriver::Scope::~Scope() { t_current_driver = previous_; }

POLLEN_NAMESPACE_END
