// docs/time.md ("Timers built before the loop runs") and docs/event_loop.md
// ("Time: the loop owns a TimerDriver"): futures with timers built in main,
// before any loop polls them, then spawned or blocked on. Their snippets are
// quoted here verbatim and run; the program fails if a result is wrong.
#include <pollen/pollen.hpp>

#include <chrono>
#include <cstdio>

namespace {

// A request that never answers, bounded by a one-hour timeout. Built (like
// every future here) wherever it is called: in main, outside any loop.
auto task_with_a_one_hour_timeout() {
  return pollen::timeout(pollen::never<int>(), std::chrono::hours(1));
}

// A reply after 2 ms, bounded by a one-second timeout.
auto make_task_with_a_timeout() {
  return pollen::timeout(
      pollen::sleep(std::chrono::milliseconds(2)).map([](pollen::Unit) { return 42; }),
      std::chrono::seconds(1));
}

// 8 ms of work under a 20 ms timeout; records whether it finished in time.
bool g_work_done = false;
auto work_with_timeouts() {
  return pollen::timeout(pollen::sleep(std::chrono::milliseconds(8)),
                         std::chrono::milliseconds(20))
      .map([](pollen::Option<pollen::Unit> r) {
        g_work_done = r.has_value();
        return pollen::Unit{};
      });
}

int failures = 0;
void check(bool ok, const char* what) {
  std::printf("%s: %s\n", ok ? "ok" : "FAILED", what);
  if (!ok) ++failures;
}

}  // namespace

int main() {
  {  // docs/time.md, "On an event loop"
    const pollen::TimePoint before = pollen::SteadyClock::now();
    pollen::EventLoop loop(pollen::ClockKind::Virtual);
    loop.set_auto_advance(true);   // opt-in; off by default
    pollen::Option<int> r =
        loop.block_on(task_with_a_one_hour_timeout());  // microseconds, same every run
    check(!r.has_value(), "the one-hour timeout built in main fires");
    check(loop.now() >= before + std::chrono::hours(1), "one virtual hour passed");
  }
  {  // docs/event_loop.md, "Time: the loop owns a TimerDriver"
    pollen::EventLoop loop(pollen::ClockKind::Virtual);   // or LoopOptions::clock
    // LoopOptions::virtual_start sets where a virtual clock starts.
    loop.spawn(work_with_timeouts()).detach();
    pollen::Option<pollen::TimePoint> next = loop.run_until_stalled();
    loop.advance(std::chrono::milliseconds(5));  // fires what is due, wakes its tasks
    loop.advance_to_next_timer();                // jumps exactly to *next
    loop.set_auto_advance(true);                 // opt-in (or LoopOptions::auto_advance)
    loop.run();                                  // jumps from deadline to deadline
    check(next.has_value() && loop.now() == *next, "the clock stopped at the 8 ms sleep");
    check(g_work_done, "the work finished before its 20 ms timeout");
    check(loop.timer_driver().pending_timers() == 0, "no timer is left");
  }
  {  // docs/time.md, "Timers built before the loop runs", on the real clock
    const pollen::TimePoint start = pollen::SteadyClock::now();
    pollen::EventLoop loop;
    auto napper = loop.spawn(pollen::sleep(std::chrono::milliseconds(10)));  // built in main
    pollen::Option<int> reply = loop.block_on(make_task_with_a_timeout());  // the same
    check(reply.has_value() && *reply == 42, "the reply came before its timeout");
    loop.run();
    check(napper.is_finished(), "the spawned sleep finished");
    check(loop.now() >= start + std::chrono::milliseconds(10), "it slept 10 ms");
    auto nap = pollen::sleep(std::chrono::milliseconds(1));  // no loop polls it yet
    const pollen::TimePoint before_first_poll = loop.now();
    loop.block_on(std::move(nap));  // binds to `loop`; 1 ms from this first poll
    check(loop.now() >= before_first_poll + std::chrono::milliseconds(1), "the nap lasted 1 ms");
  }
  return failures == 0 ? 0 : 1;
}
