// pollen/time/clock.hpp: pollen's time types, saturating deadline arithmetic,
// and the two clocks (the real steady clock and a virtual clock).
//
// * Duration is nanoseconds; TimePoint is a steady_clock time point in
//   nanoseconds. Every TimePoint pollen makes is non-negative (steady_clock
//   counts from boot, and the virtual clock refuses a negative start), so
//   `deadline - now` never overflows.
// * deadline_after(now, d) is `now + d` without undefined behaviour: a
//   negative or zero d (or a NaN) means "now", and a d so long that the sum
//   would overflow gives far_future() (TimePoint::max(), about 292 years
//   after the clock's epoch). Plain chrono arithmetic is not safe here:
//   `now + nanoseconds::max()` is signed overflow, and
//   `duration_cast<nanoseconds>(hours::max())` wraps silently.
// * SteadyClock reads std::chrono::steady_clock. VirtualClock stands still
//   until it is told to move (advance(), advance_to()); it never moves by
//   itself.
#pragma once

#include <pollen/config.hpp>

#include <chrono>
#include <cstdint>
#include <ratio>
#include <type_traits>

POLLEN_NAMESPACE_BEGIN

using Duration = std::chrono::nanoseconds;
using TimePoint = std::chrono::time_point<std::chrono::steady_clock, Duration>;

// The saturated "never" deadline: what an overflowing deadline becomes.
constexpr TimePoint far_future() noexcept { return TimePoint::max(); }

namespace detail {

// d in nanoseconds, saturating: <= 0 (or NaN) gives 0, too long for
// nanoseconds gives Duration::max(). Works for every std::chrono::duration,
// integral or floating-point, coarser or finer than a nanosecond.
template <class Rep, class Period>
Duration saturating_nanoseconds(std::chrono::duration<Rep, Period> d) noexcept {
  using D = std::chrono::duration<Rep, Period>;
  if (!(d > D::zero())) return Duration::zero();  // negative, zero, NaN
  // Decide in long double, where nothing overflows; the margin below
  // Duration::max() (9.2e18 vs 9.223e18) absorbs the rounding of the
  // floating-point comparison.
  const long double ns = static_cast<long double>(d.count()) *
                         static_cast<long double>(Period::num) * 1e9L /
                         static_cast<long double>(Period::den);
  if (ns >= 9.2e18L) return Duration::max();
  // The conversion below cannot overflow in its result; it could in its
  // intermediate product only when the ratio to nanoseconds is not a whole
  // multiple or divisor (e.g. thirds of a second), so those go through
  // long double.
  using ToNano = std::ratio_divide<Period, std::nano>;
  if (std::is_floating_point<Rep>::value || (ToNano::num != 1 && ToNano::den != 1)) {
    return Duration(static_cast<Duration::rep>(ns));
  }
  return std::chrono::duration_cast<Duration>(d);
}

}  // namespace detail

// now + d, saturating at far_future(); d <= 0 gives now.
template <class Rep, class Period>
TimePoint deadline_after(TimePoint now, std::chrono::duration<Rep, Period> d) noexcept {
  const Duration ns = detail::saturating_nanoseconds(d);
  const Duration since = now.time_since_epoch();
  // Room left before TimePoint::max(); for a negative `now` every duration
  // fits.
  const Duration room = since.count() >= 0 ? Duration::max() - since : Duration::max();
  if (ns >= room) return far_future();
  return now + ns;
}

// How long from `now` until `deadline`: zero when it has passed. Never
// overflows for non-negative time points.
inline Duration remaining_until(TimePoint now, TimePoint deadline) noexcept {
  return deadline > now ? deadline - now : Duration::zero();
}

// The real clock: std::chrono::steady_clock, in nanoseconds.
struct SteadyClock {
  static TimePoint now() noexcept {
    return std::chrono::time_point_cast<Duration>(std::chrono::steady_clock::now());
  }
};

// A clock that stands still until it is moved. It only ever moves forward.
class VirtualClock {
 public:
  // Starts at the real steady clock's current time, so that its time points
  // compare sensibly with real ones.
  VirtualClock() noexcept : now_(SteadyClock::now()) {}
  // Starts at `start`; a negative start is a ContractError.
  explicit VirtualClock(TimePoint start);

  TimePoint now() const noexcept { return now_; }

  // Moves forward by d (saturating; d <= 0 does nothing).
  template <class Rep, class Period>
  void advance(std::chrono::duration<Rep, Period> d) noexcept {
    now_ = deadline_after(now_, d);
  }
  // Moves forward to t; a t in the past does nothing (time never goes back).
  void advance_to(TimePoint t) noexcept {
    if (t > now_) now_ = t;
  }

 private:
  TimePoint now_;  // never decreases
};

POLLEN_NAMESPACE_END
