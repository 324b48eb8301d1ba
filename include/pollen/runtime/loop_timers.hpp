// pollen/runtime/loop_timers.hpp: LoopTimers, the seam between the event
// loop and its timers.
//
// The loop owns at most one LoopTimers (EventLoop::set_timers). It calls, on
// the loop's thread only:
//   * enter() / leave() around every stretch in which it drives tasks on this
//     thread (block_on, run, run_until_stalled, tick), so that timer futures
//     can find the current timers (for pollen::TimerDriver: hold a
//     TimerDriver::Scope between the two);
//   * fire_expired() at the start of every turn, after the cross-thread
//     wakes and before polling the ready tasks;
//   * next_deadline() before it sleeps, to bound the kernel wait (rounded up
//     to whole milliseconds, clamped to INT_MAX), and from
//     EventLoop::next_deadline() for a host's main loop;
//   * when is_virtual(), auto-advance is on (EventLoop::set_auto_advance)
//     and nothing is ready, advance_to(next deadline) instead of sleeping
//     (block_on and run; never run_until_stalled), so a test of an
//     hour-long timeout finishes at once.
// Without set_timers() the loop uses its own TimerDriver directly (no
// LoopTimers, no virtual call); set_timers() replaces it, mainly to test the
// loop with fake timers.
// A waker woken from fire_expired() is on the loop's thread inside its turn:
// the task is queued directly, with no atomic operation.
#pragma once

#include <pollen/config.hpp>
#include <pollen/core/option.hpp>

#include <chrono>
#include <cstddef>

POLLEN_NAMESPACE_BEGIN

// The loop's time point: the steady clock in nanoseconds (the same type as
// pollen::TimePoint in <pollen/time/clock.hpp>).
using LoopTimePoint = std::chrono::time_point<std::chrono::steady_clock, std::chrono::nanoseconds>;

class LoopTimers {
 public:
  LoopTimers() = default;
  LoopTimers(const LoopTimers&) = delete;
  LoopTimers& operator=(const LoopTimers&) = delete;
  virtual ~LoopTimers() = default;

  virtual void enter() {}
  virtual void leave() noexcept {}
  // The current time (real or virtual).
  virtual LoopTimePoint now() = 0;
  // The earliest deadline of a pending timer, or none.
  virtual Option<LoopTimePoint> next_deadline() = 0;
  // Wakes every timer whose deadline is <= now(); returns how many.
  virtual std::size_t fire_expired() = 0;
  // True for a virtual clock: the loop advances it instead of sleeping.
  virtual bool is_virtual() const { return false; }
  // Moves a virtual clock forward to `t` and fires what is due.
  virtual void advance_to(LoopTimePoint t) { (void)t; }
};

POLLEN_NAMESPACE_END
