// test/future/helpers.hpp: futures that the combinator tests drive by hand.
//
// * Manual<T> / ManualCell<T>: a future that is Ready only once the test
//   calls cell.set(v); until then it keeps a clone of its waker, and set()
//   wakes it. Counts its polls.
// * throwing<T>(): a future whose poll throws std::runtime_error.
// * DepthCounted<F>: forwards poll() and poll_adopting(), and records how
//   deeply its polls nest (the recorded maximum poll depth).
// * StackMark: a leaf that records the address of a local variable of its
//   poll, so a test can see how far the stack grew between polls.
// * Greedy: never Ready; each poll spends the whole cooperative budget (the
//   failed consume_budget() wakes it again).
// * BudgetSteps: Ready with its id after `steps` polls that each spend one
//   unit of the budget (a poll that finds the budget spent makes no step);
//   wakes itself between steps. Every poll is counted, and its id logged, in
//   a StepLog.
#pragma once

#include <pollen/core/box_future.hpp>
#include <pollen/core/describe.hpp>
#include <pollen/core/future.hpp>
#include <pollen/core/option.hpp>
#include <pollen/core/waker.hpp>
#include <pollen/core/future_ext.hpp>

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <utility>
#include <vector>

namespace pollen {
namespace test {

template <class T>
struct ManualCell {
  Option<T> value;
  Waker waker;
  int polls = 0;
  int clones = 0;  // how often the future stored a new waker
  void set(T v) {
    value = std::move(v);
    waker.wake();
  }
};

template <class T>
class Manual : public FutureExt<Manual<T>> {
 public:
  using Output = T;
  explicit Manual(std::shared_ptr<ManualCell<T>> cell) : cell_(std::move(cell)) {}
  Poll<T> poll(Context& cx) {
    ++cell_->polls;
    if (cell_->value.has_value()) {
      Option<T> v = cell_->value.take();
      return Poll<T>(std::move(v).value());
    }
    if (!cell_->waker.will_wake(cx.waker())) {
      cell_->waker = cx.waker();
      ++cell_->clones;
    }
    return pending;
  }
  void describe(Describer& d) const { d.node("Manual", cell_->value.has_value() ? "set" : "unset"); }

 private:
  std::shared_ptr<ManualCell<T>> cell_;
};

template <class T = int>
std::pair<std::shared_ptr<ManualCell<T>>, Manual<T>> manual() {
  auto cell = std::make_shared<ManualCell<T>>();
  return {cell, Manual<T>(cell)};
}

#if POLLEN_HAS_EXCEPTIONS
template <class T>
class Throwing {
 public:
  using Output = T;
  Poll<T> poll(Context&) { throw std::runtime_error("child threw"); }
};
template <class T = int>
Throwing<T> throwing() {
  return Throwing<T>();
}
#endif

struct DepthStats {
  int depth = 0;
  int max_depth = 0;
  long polls = 0;
};
inline DepthStats& depth_stats() {
  static thread_local DepthStats s;
  return s;
}

template <class F, bool Forward = true>
class DepthCounted {
 public:
  using Output = output_t<F>;
  explicit DepthCounted(F f) : f_(std::move(f)) {}
  Poll<Output> poll(Context& cx) {
    Enter e;
    return f_.poll(cx);
  }
  template <bool B = Forward, typename std::enable_if<B, int>::type = 0>
  Poll<Output> poll_adopting(Context& cx, BoxFuture<Output>& out) {
    Enter e;
    return f_.poll_adopting(cx, out);
  }

 private:
  struct Enter {
    Enter() {
      DepthStats& s = depth_stats();
      ++s.polls;
      if (++s.depth > s.max_depth) s.max_depth = s.depth;
    }
    ~Enter() { --depth_stats().depth; }
  };
  F f_;
};

struct StackStats {
  std::uintptr_t lowest = ~std::uintptr_t(0);
  std::uintptr_t highest = 0;
  std::uintptr_t spread() const { return highest - lowest; }
};
inline StackStats& stack_stats() {
  static thread_local StackStats s;
  return s;
}

// Ready with its value, recording where on the stack it was polled.
template <class T>
class StackMark {
 public:
  using Output = T;
  explicit StackMark(T v) : v_(std::move(v)) {}
  Poll<T> poll(Context&) {
    // The frame address, not the address of a local: AddressSanitizer's
    // use-after-return detection moves locals to a heap "fake stack".
    std::uintptr_t a = reinterpret_cast<std::uintptr_t>(__builtin_frame_address(0));
    StackStats& s = stack_stats();
    if (a < s.lowest) s.lowest = a;
    if (a > s.highest) s.highest = a;
    return Poll<T>(std::move(v_));
  }

 private:
  T v_;
};

class Greedy {
 public:
  using Output = int;
  explicit Greedy(long* units) : units_(units) {}
  Poll<int> poll(Context& cx) {
    while (cx.consume_budget()) ++*units_;  // the last, failed call woke the task
    return pending;
  }

 private:
  long* units_;  // units spent so far
};

struct StepLog {
  long polls = 0;
  bool record_order = true;
  std::vector<int> order;  // the id of each poll, when record_order
};

class BudgetSteps {
 public:
  using Output = int;
  BudgetSteps(int id, int steps, StepLog* log) : id_(id), steps_(steps), log_(log) {}
  Poll<int> poll(Context& cx) {
    ++log_->polls;
    if (log_->record_order) log_->order.push_back(id_);
    if (!cx.consume_budget()) return pending;  // woken by consume_budget()
    if (++taken_ == steps_) return id_;
    cx.waker().wake();
    return pending;
  }

 private:
  int id_;
  int steps_;
  int taken_ = 0;
  StepLog* log_;
};

}  // namespace test
}  // namespace pollen
