// pollen/stream/interval.hpp: stream::ticks(interval), the ticks of a
// pollen::Interval (time/interval.hpp) as a stream.
//
// States:   Ticking (forever: an interval never ends)
//              |  ^
//              +--+ a tick is due: yield its scheduled TimePoint; else Pending
//                   until the interval's timer fires
//
// Item: TimePoint, the scheduled time of each tick (missed ticks follow the
//   interval's MissedTickPolicy: Burst by default).
// Cancellation: destroying it destroys the Interval, which cancels its
//   timer. A tick is consumed only by the poll_next that returns it, so
//   stream::next(ticks) is cancel safe.
// Contract errors: those of Interval::poll_tick (polling on another
//   driver's loop, or after the driver is gone).
// Polling order: one poll_tick per poll_next; a due tick spends one unit of
//   the budget (inside poll_tick).
// Example:
//   pollen::TimerDriver driver(pollen::ClockKind::Virtual);
//   auto s = pollen::stream::take(
//       pollen::stream::ticks(pollen::interval(driver, std::chrono::milliseconds(10))), 3);
#pragma once

#include <pollen/config.hpp>
#include <pollen/core/describe.hpp>
#include <pollen/stream/stream.hpp>
#include <pollen/time/interval.hpp>

#include <utility>

POLLEN_NAMESPACE_BEGIN
namespace stream {

class Ticks {
 public:
  using Item = TimePoint;
  enum class State { Ticking };

  explicit Ticks(Interval iv) : iv_(std::move(iv)) {}

  Poll<Option<TimePoint>> poll_next(Context& cx) {
    detail::observe_poll(cx, this);
    Poll<TimePoint> p = iv_.poll_tick(cx);
    if (p.is_pending()) return pending;
    return Option<TimePoint>(std::move(p).value());
  }

  Interval& interval() noexcept { return iv_; }
  State state() const noexcept { return State::Ticking; }
  // A ticks stream never ends (is_fused_stream, stream/stream.hpp).
  bool is_terminated() const noexcept { return false; }
  void describe(Describer& d) const {
    d.node("stream::Ticks", "state: Ticking");
    d.child(iv_);
  }

 private:
  Interval iv_;
};

POLLEN_NODISCARD inline Ticks ticks(Interval iv) { return Ticks(std::move(iv)); }

}  // namespace stream
POLLEN_NAMESPACE_END
