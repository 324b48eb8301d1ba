// test/runtime/runtime_support.hpp: small futures for driving the event loop
// in tests.
//
// * Gate: Pending until open(); counts its polls; open() wakes the waker of
//   its latest poll. Shared through a GateState so the test keeps a handle.
// * Spinner: wakes itself and returns Pending forever, counting polls.
// * BudgetSpinner: an "always ready" source: loops inside one poll, spending
//   one budget unit per item, until the budget is spent.
// * OnDrop: never ready; runs a function when destroyed (not when moved
//   from): a task's future that spawns, aborts or drops handles from its
//   destructor.
// * WakesItsTaskOnDrop: keeps its task's waker and wakes it from its
//   destructor, as a granted bounded send does when it passes its slot on to
//   a sibling send of the same task.
// * FakeTimers: a LoopTimers with a virtual clock and one-shot deadlines
//   (pass_time() moves the clock without firing, like a real clock).
#pragma once

#include <pollen/core/context.hpp>
#include <pollen/core/describe.hpp>
#include <pollen/core/poll.hpp>
#include <pollen/core/unit.hpp>
#include <pollen/core/waker.hpp>
#include <pollen/runtime/loop_timers.hpp>

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace rt {

struct GateState {
  bool open = false;
  int polls = 0;
  pollen::Waker waker;
  void open_and_wake() {
    open = true;
    waker.wake();
  }
};

struct Gate {
  using Output = int;
  std::shared_ptr<GateState> s;
  int value = 0;
  pollen::Poll<int> poll(pollen::Context& cx) {
    ++s->polls;
    if (s->open) return value;
    s->waker = cx.waker();
    return pollen::pending;
  }
  void describe(pollen::Describer& d) const { d.node("Gate", s->open ? "open" : "closed"); }
};

inline std::pair<std::shared_ptr<GateState>, Gate> gate(int value = 0) {
  auto s = std::make_shared<GateState>();
  return {s, Gate{s, value}};
}

struct Spinner {
  using Output = pollen::Unit;
  int* polls;
  pollen::Poll<pollen::Unit> poll(pollen::Context& cx) {
    ++*polls;
    cx.waker().wake();
    return pollen::pending;
  }
};

struct BudgetSpinner {
  using Output = pollen::Unit;
  long* items;
  int* polls;
  pollen::Poll<pollen::Unit> poll(pollen::Context& cx) {
    ++*polls;
    for (;;) {
      if (!cx.consume_budget()) return pollen::pending;  // woken by consume_budget
      ++*items;                                           // "receive" one more item
    }
  }
};

struct OnDrop {
  using Output = int;
  std::function<void()> fn;
  explicit OnDrop(std::function<void()> f) : fn(std::move(f)) {}
  OnDrop(OnDrop&& o) noexcept : fn(std::move(o.fn)) { o.fn = nullptr; }
  OnDrop& operator=(OnDrop&&) = delete;
  ~OnDrop() {
    if (fn) fn();
  }
  pollen::Poll<int> poll(pollen::Context&) { return pollen::pending; }
};

struct WakesItsTaskOnDrop {
  using Output = int;
  int* destroyed;
  int* polls;
  pollen::Waker waker;
  bool live = true;
  WakesItsTaskOnDrop(int* d, int* p) : destroyed(d), polls(p) {}
  WakesItsTaskOnDrop(WakesItsTaskOnDrop&& o) noexcept
      : destroyed(o.destroyed), polls(o.polls), waker(std::move(o.waker)) {
    o.live = false;
  }
  WakesItsTaskOnDrop& operator=(WakesItsTaskOnDrop&&) = delete;
  ~WakesItsTaskOnDrop() {
    if (!live) return;
    ++*destroyed;
    waker.wake();
  }
  pollen::Poll<int> poll(pollen::Context& cx) {
    ++*polls;
    waker = cx.waker();
    return pollen::pending;
  }
};

// A virtual clock with deadlines registered by FakeSleep.
class FakeTimers final : public pollen::LoopTimers {
 public:
  using TP = pollen::LoopTimePoint;
  explicit FakeTimers(bool is_virtual = true) : virtual_(is_virtual) {}
  struct Entry {
    TP deadline;
    pollen::Waker waker;
    bool fired = false;
  };
  TP now() override { return virtual_ ? now_ : TP(std::chrono::steady_clock::now().time_since_epoch()); }
  pollen::Option<TP> next_deadline() override {
    pollen::Option<TP> best;
    for (auto& e : entries_) {
      if (!e->fired && (!best.has_value() || e->deadline < *best)) best = e->deadline;
    }
    return best;
  }
  std::size_t fire_expired() override {
    ++fire_calls;
    std::size_t n = 0;
    for (auto& e : entries_) {
      if (!e->fired && e->deadline <= now()) {
        e->fired = true;
        e->waker.wake();
        ++n;
      }
    }
    return n;
  }
  bool is_virtual() const override { return virtual_; }
  void advance_to(TP t) override {
    ++advances;
    if (t > now_) now_ = t;
    fire_expired();
  }
  // Moves the clock forward without firing anything, as a real clock passes
  // while a task runs: the due timers fire at the loop's next turn.
  void pass_time(std::chrono::nanoseconds d) { now_ += d; }
  void enter() override { ++enters; }
  void leave() noexcept override { ++leaves; }

  std::shared_ptr<Entry> add(TP deadline) {
    auto e = std::make_shared<Entry>();
    e->deadline = deadline;
    entries_.push_back(e);
    return e;
  }

  int fire_calls = 0;
  int advances = 0;
  int enters = 0;
  int leaves = 0;

 private:
  bool virtual_;
  TP now_{std::chrono::seconds(1000)};
  std::vector<std::shared_ptr<Entry>> entries_;
};

// Ready once its entry fired; registers on first poll.
struct FakeSleep {
  using Output = pollen::Unit;
  FakeTimers* timers;
  std::chrono::nanoseconds after;
  std::shared_ptr<FakeTimers::Entry> entry;
  pollen::Poll<pollen::Unit> poll(pollen::Context& cx) {
    if (!entry) entry = timers->add(timers->now() + after);
    if (entry->fired) return pollen::Unit{};
    entry->waker = cx.waker();
    return pollen::pending;
  }
};

}  // namespace rt
