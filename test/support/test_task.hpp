// test/support/test_task.hpp: drive a future by hand, one poll at a time.
//
//   auto t = pollen::test::TestTask<F>(make_future());
//   EXPECT_PENDING(t);          // polls once, expects Pending
//   EXPECT_TRUE(t.is_woken());  // the future woke its waker since that poll
//   EXPECT_READY_EQ(t, 42);     // polls once, expects Ready(42)
//
// The task polls with a counting waker and records polls and wakes. With
// t.watch(&observer) its polls are also recorded by a PollObserver (the task
// tells it the wake count before each poll), and t.describe_stats() shows
// them. Also
// here: CountingWaker (a waker that counts its wakes) and panic_waker() (a
// waker that fails the test if it is ever woken).
#pragma once

#include <pollen/core/arc_wake.hpp>
#include <pollen/core/context.hpp>
#include <pollen/core/describe.hpp>
#include <pollen/core/future.hpp>
#include <pollen/core/poll_observer.hpp>
#include <pollen/core/waker.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <cstddef>
#include <string>
#include <utility>

namespace pollen {
namespace test {

// A waker that counts how often it was woken, from any thread.
class CountingWake final : public ArcWake {
 public:
  void on_wake() noexcept override { wakes_.fetch_add(1, std::memory_order_relaxed); }
  std::size_t wakes() const noexcept { return wakes_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::size_t> wakes_{0};
};

class CountingWaker {
 public:
  CountingWaker() : wake_(make_arc<CountingWake>()), waker_(wake_->waker()) {}
  const Waker& waker() const noexcept { return waker_; }
  std::size_t wakes() const noexcept { return wake_->wakes(); }
  // References held on the waker's data: 1 (ours) + 1 (waker_) + clones alive.
  std::size_t ref_count() const noexcept { return wake_->ref_count(); }

 private:
  ArcPtr<CountingWake> wake_;
  Waker waker_;
};

// A waker that fails the current test when woken.
class PanicWake final : public ArcWake {
 public:
  void on_wake() noexcept override { ADD_FAILURE() << "a PanicWaker was woken"; }
};
inline Waker panic_waker() {
  ArcPtr<PanicWake> w = make_arc<PanicWake>();
  return w->waker();
}

template <class F>
class TestTask {
  POLLEN_REQUIRE_FUTURE(F);

 public:
  using Output = output_t<F>;

  explicit TestTask(F f) : f_(std::move(f)) {}

  // Polls the future once with this task's counting waker.
  Poll<Output> poll() { return poll_with(waker_.waker()); }
  // Polls with another waker (to test that futures follow the newest one).
  Poll<Output> poll_with(const Waker& w) {
    ++polls_;
    wakes_at_last_poll_ = waker_.wakes();
    if (observer_ != nullptr) observer_->begin_task_poll(waker_.wakes());
    Context cx(w, nullptr, observer_);
    return f_.poll(cx);
  }

  // Records the following polls in `observer` (nullptr: stop recording).
  void watch(PollObserver* observer) noexcept { observer_ = observer; }

  std::size_t polls() const noexcept { return polls_; }
  std::size_t wake_count() const noexcept { return waker_.wakes(); }
  // True when the task's waker was woken since the last poll began.
  bool is_woken() const noexcept { return waker_.wakes() > wakes_at_last_poll_; }
  const Waker& waker() const noexcept { return waker_.waker(); }

  F& future() noexcept { return f_; }
  const F& future() const noexcept { return f_; }
  // The state tree without sizes or counts (pollen::describe_states): what
  // state-machine tests compare, independent of the ABI.
  std::string describe() const { return pollen::describe_states(f_); }
  // The full tree: sizes, and the counts of the watching observer if any.
  std::string describe_stats() const {
    return observer_ != nullptr ? pollen::describe(f_, *observer_) : pollen::describe(f_);
  }

 private:
  F f_;
  CountingWaker waker_;
  std::size_t polls_ = 0;
  std::size_t wakes_at_last_poll_ = 0;
  PollObserver* observer_ = nullptr;  // see watch()
};

template <class F>
TestTask<F> test_task(F f) {
  return TestTask<F>(std::move(f));
}

}  // namespace test
}  // namespace pollen

// Polls the task once and expects Pending.
#define EXPECT_PENDING(task) \
  EXPECT_TRUE((task).poll().is_pending()) << "expected " #task " to be Pending"

// Polls the task once and expects Ready with a value equal to `expected`.
#define EXPECT_READY_EQ(task, expected)                                   \
  do {                                                                    \
    auto pollen_p_ = (task).poll();                                       \
    if (pollen_p_.is_ready()) {                                           \
      EXPECT_EQ(std::move(pollen_p_).value(), (expected));                \
    } else {                                                              \
      ADD_FAILURE() << "expected " #task " to be Ready, it was Pending";  \
    }                                                                     \
  } while (0)
