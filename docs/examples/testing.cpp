// docs/testing.md: testing your own futures with <pollen/testing.hpp>, no
// test framework needed (the checks here abort with a message).
#include <pollen/core/never.hpp>
#include <pollen/testing.hpp>
#include <pollen/time/timeout.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <utility>

#define CHECK(cond)                                                     \
  do {                                                                  \
    if (!(cond)) {                                                      \
      std::fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
      std::abort();                                                     \
    }                                                                   \
  } while (0)

// [latch]
// The future under test: Ready with the latch's value once it is opened;
// until then Pending, keeping the waker of its newest poll.
struct LatchState {
  bool open = false;
  int value = 0;
  pollen::Waker waiter;
};

struct LatchFuture {
  using Output = int;
  LatchState* state;

  pollen::Poll<int> poll(pollen::Context& cx) {
    if (state->open) return state->value;
    state->waiter = cx.waker();  // the newest poll's waker
    return pollen::pending;
  }
};

void open_latch(LatchState& s, int value) {
  s.open = true;
  s.value = value;
  std::move(s.waiter).wake();
}
// [latch]

namespace pt = pollen::testing;

void poll_by_hand() {
  // [by-hand]
  LatchState s;
  pt::TestTask<LatchFuture> t(LatchFuture{&s});
  CHECK(t.poll().is_pending());
  CHECK(!t.is_woken());          // nothing happened yet
  open_latch(s, 42);
  CHECK(t.is_woken());           // the latch woke the task...
  CHECK(t.wake_count() == 1);    // ...once
  auto p = t.poll();
  CHECK(p.is_ready() && std::move(p).value() == 42);
  CHECK(t.polls() == 2);
  // [by-hand]
}

void spurious_polls() {
  // [spurious]
  LatchState s;
  auto t = pt::test_task(pt::interleave_pending(LatchFuture{&s}));
  CHECK(t.poll().is_pending());  // the adapter's Pending: it woke the task
  CHECK(t.is_woken());
  CHECK(t.poll().is_pending());  // the latch's own poll
  CHECK(!t.is_woken());
  open_latch(s, 1);
  CHECK(t.poll().is_pending());  // a spurious Pending again...
  CHECK(t.poll().is_ready());    // ...and the latch is still right
  // [spurious]
}

void newest_waker() {
  // [newest-waker]
  LatchState s;
  auto t = pt::test_task(LatchFuture{&s});
  pt::CountingWaker first;
  CHECK(t.poll_with(first.waker()).is_pending());
  CHECK(t.poll().is_pending());  // polled again with the task's own waker
  open_latch(s, 1);
  CHECK(first.wakes() == 0);     // the stale waker was dropped...
  CHECK(t.is_woken());           // ...and the newest one woken
  // [newest-waker]
}

void drops() {
  // [drops]
  LatchState s;
  pt::DropCounter drops;
  pollen::TimerDriver driver(pollen::ClockKind::Virtual);
  auto t = pt::test_task(
      pollen::timeout(driver, drops.wrap(LatchFuture{&s}), std::chrono::seconds(5)));
  CHECK(t.poll().is_pending());
  driver.advance(std::chrono::seconds(5));  // the deadline passes
  CHECK(drops.dropped() == 0);              // the latch is still there...
  CHECK(t.poll().is_ready());
  CHECK(drops.dropped() == 1);              // ...and destroyed in the poll that timed out
  CHECK(drops.polls() == 2);
  // [drops]
}

void virtual_time() {
  // [virtual-time]
  LatchState s;  // never opened
  pt::VirtualTimeLoop vt;
  pollen::Option<int> r =
      vt.block_on(pollen::timeout(LatchFuture{&s}, std::chrono::hours(1)));
  CHECK(!r.has_value());                     // timed out...
  CHECK(vt.elapsed() == std::chrono::hours(1));  // ...after one virtual hour, in microseconds
  // [virtual-time]
}

int main() {
  poll_by_hand();
  spurious_polls();
  newest_waker();
  drops();
  virtual_time();
  std::puts("testing: every check passed");
  return 0;
}
