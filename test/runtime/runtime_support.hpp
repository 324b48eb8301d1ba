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
#pragma once

#include <pollen/core/context.hpp>
#include <pollen/core/describe.hpp>
#include <pollen/core/poll.hpp>
#include <pollen/core/unit.hpp>
#include <pollen/core/waker.hpp>

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

}  // namespace rt
