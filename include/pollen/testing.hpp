// pollen/testing.hpp: a kit for testing your own futures and streams, what
// tokio-test and futures-test are to Rust. It needs no test framework
// (<pollen/testing/gtest.hpp> adds EXPECT_PENDING / EXPECT_READY_EQ for
// GoogleTest users).
//
//   pollen::testing::TestTask<MyFuture> t(MyFuture(...));   // or test_task(f)
//   assert(t.poll().is_pending());     // polls once, with a counting waker
//   ... make progress happen (send on a channel, advance a virtual clock) ...
//   assert(t.is_woken());              // woken since that poll began
//   assert(t.poll().is_ready());
//
// What is here:
// * TestTask<F> / test_task(f): drives a future (poll()) or a stream
//   (poll_next()) by hand, one poll at a time, with a waker that counts its
//   wakes: is_woken(), wake_count(), polls(); poll_with(w) polls with
//   another waker (a future must wake the waker of its newest poll).
// * CountingWaker: a waker that counts its wakes, from any thread.
// * panic_waker(what): a waker that aborts the program with a message when
//   it is woken (a test that must not wake, as a death test); noop_waker():
//   a waker that does nothing.
// * pending_once(f): Pending once (waking itself), then f. interleave_pending
//   (f or a stream): a spurious Pending, with a self-wake, before every real
//   poll. A future that stays correct under them tolerates being polled when
//   it has nothing to do, and being polled again after a wake.
// * DropCounter: counts the values (track(v)) and futures (wrap(f)) it made
//   that are destroyed, and the polls of those futures: "destroyed exactly
//   once", "destroyed before the poll returned", "polled twice".
// * VirtualTimeLoop: an EventLoop on a virtual clock that jumps to the next
//   timer when every task waits, so a one-hour timeout completes in
//   microseconds, the same way every run.
//
// Ground rules
// * Everything here is single-threaded but the wakers: CountingWaker and
//   the TestTask's waker may be cloned, moved and woken on any thread, and
//   DropCounter's counts are atomic.
// * A TestTask owns its future (or stream) and polls it where you say; the
//   future's state is whatever its polls made it. Polling a future after
//   Ready is the future's own business (pollen's futures: a ContractError).
// * A DropCounter must outlive what it made.
#pragma once

#include <pollen/config.hpp>
#include <pollen/core/arc_wake.hpp>
#include <pollen/core/context.hpp>
#include <pollen/core/describe.hpp>
#include <pollen/core/future.hpp>
#include <pollen/core/option.hpp>
#include <pollen/core/waker.hpp>
#include <pollen/runtime/event_loop.hpp>
#include <pollen/stream/stream.hpp>
#include <pollen/time/clock.hpp>
#include <pollen/time/timer_driver.hpp>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <type_traits>
#include <utility>

POLLEN_NAMESPACE_BEGIN
namespace testing {

// ---------------------------------------------------------------- wakers

namespace detail {

// The shared, reference-counted half of a CountingWaker (a template only so
// that its vtable is not emitted as a weak one in every TU).
template <class Tag = void>
class CountingWakeT final : public ArcWake {
 public:
  void on_wake() noexcept override { wakes_.fetch_add(1, std::memory_order_relaxed); }
  std::size_t wakes() const noexcept { return wakes_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::size_t> wakes_{0};
};

// panic_waker()'s table: the data is the label, a string with static
// storage; nothing to count or release.
template <class Tag = void>
struct PanicWakerTable {
  static RawWaker clone(const void* data) { return RawWaker{data, &vtable}; }
  [[noreturn]] static void wake(const void* data) {
    std::fprintf(stderr,
                 "pollen::testing::panic_waker (%s) was woken: the code under test woke a waker "
                 "that must never be woken\n",
                 static_cast<const char*>(data));
    std::fflush(stderr);
    std::abort();
  }
  static void drop(const void*) {}
  static const WakerVTable vtable;
};
template <class Tag>
const WakerVTable PanicWakerTable<Tag>::vtable = {&PanicWakerTable<Tag>::clone,
                                                  &PanicWakerTable<Tag>::wake,
                                                  &PanicWakerTable<Tag>::wake,
                                                  &PanicWakerTable<Tag>::drop};

}  // namespace detail

// A waker that counts how often it (or any clone of it) was woken.
class CountingWaker {
 public:
  CountingWaker() : wake_(make_arc<detail::CountingWakeT<>>()), waker_(wake_->waker()) {}
  const Waker& waker() const noexcept { return waker_; }
  std::size_t wakes() const noexcept { return wake_->wakes(); }
  // References held on the waker's data: 1 (ours) + 1 (waker()) + the
  // clones alive. A future that keeps no waker after it finished leaves 2.
  std::size_t ref_count() const noexcept { return wake_->ref_count(); }

 private:
  ArcPtr<detail::CountingWakeT<>> wake_;
  Waker waker_;
};

// A waker that prints "pollen::testing::panic_waker (<what>) was woken" and
// aborts when woken: poll with it where nothing may wake the task (check it
// with a death test). `what` must outlive every clone (a string literal).
inline Waker panic_waker(const char* what = "no wake expected") noexcept {
  return Waker(RawWaker{what, &detail::PanicWakerTable<>::vtable});
}

// The waker that does nothing (pollen's default Waker).
inline Waker noop_waker() noexcept { return Waker(); }

// ------------------------------------------------------------- TestTask

// Drives a future or a stream by hand. See the top of this header.
template <class F>
class TestTask {
  static_assert(is_future<F>::value || is_stream<F>::value,
                "pollen::testing::TestTask<F>: F must be a future (Output + poll(Context&)) or a "
                "stream (Item + poll_next(Context&))");

 public:
  explicit TestTask(F f) : f_(std::move(f)) {}

  // Polls the future once with this task's counting waker.
  template <class G = F, typename std::enable_if<is_future<G>::value, int>::type = 0>
  Poll<output_t<G>> poll() {
    return poll_with(counter_.waker());
  }
  // Polls the future once with `w` (to test that it wakes the waker of its
  // newest poll, or with panic_waker()).
  template <class G = F, typename std::enable_if<is_future<G>::value, int>::type = 0>
  Poll<output_t<G>> poll_with(const Waker& w) {
    begin_poll();
    Context cx(w);
    return f_.poll(cx);
  }
  // The same for a stream: Ready(some(item)), Ready(none) at its end, or
  // Pending.
  template <class G = F, typename std::enable_if<is_stream<G>::value, int>::type = 0>
  Poll<Option<item_t<G>>> poll_next() {
    return poll_next_with(counter_.waker());
  }
  template <class G = F, typename std::enable_if<is_stream<G>::value, int>::type = 0>
  Poll<Option<item_t<G>>> poll_next_with(const Waker& w) {
    begin_poll();
    Context cx(w);
    return f_.poll_next(cx);
  }

  // Polls so far.
  std::size_t polls() const noexcept { return polls_; }
  // Wakes of this task's waker (and its clones) so far.
  std::size_t wake_count() const noexcept { return counter_.wakes(); }
  // True when the task's waker was woken since the last poll began (the
  // question an executor asks: must it poll again?).
  bool is_woken() const noexcept { return counter_.wakes() > wakes_at_last_poll_; }
  const Waker& waker() const noexcept { return counter_.waker(); }
  // References held on the task's waker: 2 + the clones the future keeps.
  std::size_t waker_ref_count() const noexcept { return counter_.ref_count(); }

  F& get() noexcept { return f_; }
  const F& get() const noexcept { return f_; }
  // The state tree (pollen::describe_states), for a future or stream that
  // describes itself.
  std::string describe() const { return pollen::describe_states(f_); }

 private:
  void begin_poll() noexcept {
    ++polls_;
    wakes_at_last_poll_ = counter_.wakes();
  }

  F f_;
  CountingWaker counter_;
  std::size_t polls_ = 0;
  std::size_t wakes_at_last_poll_ = 0;
};

template <class F>
TestTask<F> test_task(F f) {
  return TestTask<F>(std::move(f));
}

// ------------------------------------------------ spurious Pending adapters

// pending_once(f): the first poll wakes the task and returns Pending; the
// following polls are f's. Output: f's.
template <class F>
class PendingOnce {
 public:
  using Output = output_t<F>;
  explicit PendingOnce(F f) : f_(std::move(f)) {}
  Poll<Output> poll(Context& cx) {
    if (!yielded_) {
      yielded_ = true;
      cx.waker().wake();
      return pending;
    }
    return f_.poll(cx);
  }
  void describe(Describer& d) const {
    d.node("PendingOnce", yielded_ ? "yielded" : "will yield");
    d.child(f_);
  }

 private:
  F f_;
  bool yielded_ = false;
};

template <class F>
PendingOnce<F> pending_once(F f) {
  POLLEN_REQUIRE_FUTURE(F);
  return PendingOnce<F>(std::move(f));
}

// interleave_pending(f): every other poll wakes the task and returns
// Pending without polling f, starting with the first. Output: f's.
template <class F>
class InterleavePending {
 public:
  using Output = output_t<F>;
  explicit InterleavePending(F f) : f_(std::move(f)) {}
  Poll<Output> poll(Context& cx) {
    yield_next_ = !yield_next_;
    if (yield_next_) {
      cx.waker().wake();
      return pending;
    }
    return f_.poll(cx);
  }
  void describe(Describer& d) const {
    d.node("InterleavePending");
    d.child(f_);
  }

 private:
  F f_;
  bool yield_next_ = false;  // true: the last poll yielded, the next one is real
};

// interleave_pending(s) on a stream: the same before every real poll_next.
template <class S>
class InterleavePendingStream {
 public:
  using Item = item_t<S>;
  explicit InterleavePendingStream(S s) : s_(std::move(s)) {}
  Poll<Option<Item>> poll_next(Context& cx) {
    yield_next_ = !yield_next_;
    if (yield_next_) {
      cx.waker().wake();
      return pending;
    }
    return s_.poll_next(cx);
  }
  void describe(Describer& d) const {
    d.node("InterleavePending");
    d.child(s_);
  }

 private:
  S s_;
  bool yield_next_ = false;
};

template <class F, typename std::enable_if<is_future<F>::value, int>::type = 0>
InterleavePending<F> interleave_pending(F f) {
  return InterleavePending<F>(std::move(f));
}
template <class S,
          typename std::enable_if<is_stream<S>::value && !is_future<S>::value, int>::type = 0>
InterleavePendingStream<S> interleave_pending(S s) {
  return InterleavePendingStream<S>(std::move(s));
}

// ----------------------------------------------------------- DropCounter

// Counts what happens to the values and futures it made:
//
//   pollen::testing::DropCounter drops;
//   auto f = my_combinator(drops.wrap(child_future), drops.track(std::string("x")));
//   ... poll ...
//   assert(drops.dropped() == 2 && drops.alive() == 0 && drops.polls() == 1);
//
// Moving a tracked value or wrapped future moves the "live" instance:
// only the destruction of an instance that was not moved from counts as a
// drop, so "dropped() == made()" means "each destroyed exactly once".
class DropCounter {
 public:
  DropCounter() noexcept = default;
  DropCounter(const DropCounter&) = delete;
  DropCounter& operator=(const DropCounter&) = delete;

  template <class T>
  class Tracked;
  template <class F>
  class Wrapped;

  // A value whose destruction is counted (T must be movable).
  template <class T>
  Tracked<typename std::decay<T>::type> track(T&& value) {
    return Tracked<typename std::decay<T>::type>(*this, std::forward<T>(value));
  }
  // A future that forwards to f, counts its polls, and whose destruction
  // (f's) is counted.
  template <class F>
  Wrapped<F> wrap(F f) {
    POLLEN_REQUIRE_FUTURE(F);
    return Wrapped<F>(*this, std::move(f));
  }

  // Values and futures made (live instances: moves do not count).
  std::size_t made() const noexcept { return made_.load(std::memory_order_relaxed); }
  // Of those, destroyed.
  std::size_t dropped() const noexcept { return dropped_.load(std::memory_order_relaxed); }
  std::size_t alive() const noexcept { return made() - dropped(); }
  // Polls of the wrapped futures.
  std::size_t polls() const noexcept { return polls_.load(std::memory_order_relaxed); }

 private:
  // The live-instance bookkeeping Tracked and Wrapped share.
  class Token {
   public:
    explicit Token(DropCounter& c) noexcept : counter_(&c) {
      counter_->made_.fetch_add(1, std::memory_order_relaxed);
    }
    Token(const Token& o) noexcept : counter_(o.counter_) {
      counter_->made_.fetch_add(1, std::memory_order_relaxed);
    }
    Token(Token&& o) noexcept : counter_(o.counter_), live_(o.live_) { o.live_ = false; }
    Token& operator=(const Token&) = delete;
    Token& operator=(Token&&) = delete;
    ~Token() {
      if (live_) counter_->dropped_.fetch_add(1, std::memory_order_relaxed);
    }
    bool live() const noexcept { return live_; }
    void count_poll() noexcept { counter_->polls_.fetch_add(1, std::memory_order_relaxed); }

   private:
    DropCounter* counter_;
    bool live_ = true;
  };

  std::atomic<std::size_t> made_{0};
  std::atomic<std::size_t> dropped_{0};
  std::atomic<std::size_t> polls_{0};
};

// A T whose destruction is counted by its DropCounter. A copy counts as one
// more value made.
template <class T>
class DropCounter::Tracked {
 public:
  Tracked(DropCounter& counter, T value) : token_(counter), value_(std::move(value)) {}

  const T& value() const noexcept { return value_; }
  T& value() noexcept { return value_; }
  // False once moved from.
  bool live() const noexcept { return token_.live(); }

  friend bool operator==(const Tracked& a, const Tracked& b) { return a.value_ == b.value_; }
  friend bool operator!=(const Tracked& a, const Tracked& b) { return !(a == b); }

 private:
  Token token_;
  T value_;
};

// A future forwarding to F whose polls and destruction are counted. Output:
// F's.
template <class F>
class DropCounter::Wrapped {
 public:
  using Output = output_t<F>;
  Wrapped(DropCounter& counter, F f) : token_(counter), f_(std::move(f)) {}

  Poll<Output> poll(Context& cx) {
    token_.count_poll();
    return f_.poll(cx);
  }
  void describe(Describer& d) const { d.describe_here(f_); }

  F& get() noexcept { return f_; }

 private:
  Token token_;
  F f_;
};

// ------------------------------------------------------ VirtualTimeLoop

// An EventLoop on a virtual clock with auto-advance on: when every task
// waits, the clock jumps to the next timer's deadline. So a test of a
// one-hour timeout runs in microseconds and the same way every run. The
// clock starts at the real clock's time of construction; elapsed() is the
// virtual time passed since.
//
// Example:
//
//   pollen::testing::VirtualTimeLoop vt;
//   auto r = vt.block_on(pollen::timeout(never<int>(), std::chrono::hours(1)));
//   // r == none, vt.elapsed() == 1 h
class VirtualTimeLoop {
 public:
  VirtualTimeLoop() : loop_(ClockKind::Virtual), start_(loop_.now()) {
    loop_.set_auto_advance(true);
  }
  VirtualTimeLoop(const VirtualTimeLoop&) = delete;
  VirtualTimeLoop& operator=(const VirtualTimeLoop&) = delete;

  // Drives f and every task until f is Ready (EventLoop::block_on).
  template <class F>
  auto block_on(F f) -> decltype(std::declval<EventLoop&>().block_on(std::move(f))) {
    return loop_.block_on(std::move(f));
  }
  // Moves the clock forward by d and wakes the tasks whose timers are due
  // (polled at the next turn: run_until_stalled()). Returns timers fired.
  template <class Rep, class Period>
  std::size_t advance(std::chrono::duration<Rep, Period> d) {
    return loop_.advance(d);
  }
  // Polls the ready tasks until none is ready, without moving the clock;
  // returns the next timer's deadline, if any.
  Option<TimePoint> run_until_stalled() { return loop_.run_until_stalled(); }

  TimePoint now() const noexcept { return loop_.now(); }
  // Virtual time since construction.
  Duration elapsed() const noexcept { return loop_.now() - start_; }

  EventLoop& loop() noexcept { return loop_; }
  TimerDriver& driver() noexcept { return loop_.timer_driver(); }

 private:
  EventLoop loop_;
  TimePoint start_;
};

}  // namespace testing
POLLEN_NAMESPACE_END
