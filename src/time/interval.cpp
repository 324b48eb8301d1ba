// Interval: the tick schedule and the missed-tick policies, compiled once.
#include <pollen/core/contract.hpp>
#include <pollen/time/interval.hpp>

#include "../format.hpp"

POLLEN_NAMESPACE_BEGIN

const char* to_string(MissedTickPolicy p) noexcept {
  switch (p) {
    case MissedTickPolicy::Burst:
      return "Burst";
    case MissedTickPolicy::Delay:
      return "Delay";
    case MissedTickPolicy::Skip:
      return "Skip";
  }
  return "?";
}

namespace detail {

TimePoint next_tick_after(TimePoint scheduled, TimePoint now, Duration period,
                          MissedTickPolicy policy) noexcept {
  const TimePoint next = deadline_after(scheduled, period);
  if (now < next) return next;  // taken less than a period late: on schedule
  switch (policy) {
    case MissedTickPolicy::Burst:
      return next;
    case MissedTickPolicy::Delay:
      return deadline_after(now, period);
    case MissedTickPolicy::Skip: {
      // The first point of the original schedule at or after now.
      const Duration::rep into = (now - scheduled).count() % period.count();
      return into == 0 ? now : deadline_after(now, period - Duration(into));
    }
  }
  return next;
}

}  // namespace detail

namespace {
void require_positive_period(Duration period) {
  POLLEN_REQUIRE(period > Duration::zero(),
                 "interval: the period must be positive (a zero or negative period would tick "
                 "forever without time passing); use a loop of yields for that");
}
}  // namespace

Interval::Interval(TimerDriver& driver, TimePoint start, Duration period, MissedTickPolicy policy)
    : timer_(driver, start), period_(period), policy_(policy) {
  require_positive_period(period);
}

Interval::Interval(detail::UnboundDeadline start, Duration period, MissedTickPolicy policy)
    : timer_(start), period_(period), policy_(policy) {
  require_positive_period(period);
}

Poll<TimePoint> Interval::poll_tick(Context& cx) {
  switch (timer_.poll_expired(cx, "Interval")) {
    case detail::DeadlineTimer::Status::Waiting:
      return pending;
    case detail::DeadlineTimer::Status::Expired:
      break;
  }
  if (!cx.consume_budget()) return pending;  // re-woken; the tick stays due
  const TimePoint scheduled = timer_.deadline();
  timer_.reset(detail::next_tick_after(scheduled, timer_.driver().now(), period_, policy_));
  return scheduled;
}

void Interval::reset() {
  timer_.require_rearmable("Interval::reset()");
  timer_.restart_after(period_);
}

void Interval::describe(Describer& d) const {
  d.node("Interval", detail::format("every {}, {}, next tick {}", detail::format_duration(period_),
                                 to_string(policy_), timer_.describe_deadline()));
}

POLLEN_NAMESPACE_END
