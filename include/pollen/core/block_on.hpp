// pollen/core/block_on.hpp: block_on(f), the smallest executor: it runs one
// future to completion on the calling thread.
//
// Example:
//
//   int v = pollen::block_on(std::move(f));
//
// It polls f; while f is Pending it parks the thread until f's waker fires,
// then polls again. The waker may be woken from any thread. A wake that
// arrives between a poll and the park is remembered, so it is never lost;
// several wakes before the next poll cause one poll.
//
// Ground rules
// * Only f is driven: futures that need an event loop (spawned tasks,
//   timers) need EventLoop::block_on instead. A timer of a TimerDriver
//   polled here with its deadline ahead is a ContractError: nothing would
//   fire it, and the thread would park forever.
// * Calling block_on from inside a poll of block_on on the same thread is a
//   ContractError: the inner call would park the thread that drives the
//   outer future. Return the future to be awaited instead.
// * An exception thrown by f.poll() propagates out of block_on; f is then
//   destroyed normally.
#pragma once

#include <pollen/config.hpp>
#include <pollen/core/arc_wake.hpp>
#include <pollen/core/context.hpp>
#include <pollen/core/future.hpp>
#include <pollen/core/type_traits.hpp>
#include <pollen/core/waker.hpp>

#include <atomic>
#include <cstdint>
#include <type_traits>
#include <utility>

POLLEN_NAMESPACE_BEGIN

namespace detail {

// Parks and unparks one thread. Reference counted, so a waker that outlives
// block_on stays safe to call. Made by make() in the library, which keeps its
// mutex and condition variable out of this header.
class ThreadParker : public ArcWake {
 public:
  static ArcPtr<ThreadParker> make();
  // Blocks until woken since the last park() returned; returns at once if a
  // wake already arrived.
  void park();

 protected:
  ThreadParker() = default;
  // Defined in the library, which then holds the one copy of the vtable.
  ~ThreadParker() override;
};

// Marks the current thread as driving an executor for the lifetime of the
// guard. Entering while already inside one raises ContractError naming both.
//
// `what` names the call ("pollen::block_on", "EventLoop::run"); `loop_id` is
// the number of the event loop it drives (0: not an event loop), so that the
// message can name both loops and say whether they are the same one.
class EnterGuard {
 public:
  explicit EnterGuard(const char* what, std::uint64_t loop_id = 0);
  ~EnterGuard();
  EnterGuard(const EnterGuard&) = delete;
  EnterGuard& operator=(const EnterGuard&) = delete;

  // Raises the ContractError that entering `what` here would raise, without
  // entering.
  static void check(const char* what, std::uint64_t loop_id = 0);

  // The executor this thread is currently driving, or nullptr.
  static const char* current() noexcept;
  // The event loop this thread is currently driving, or 0.
  static std::uint64_t current_loop_id() noexcept;

 private:
  const char* previous_;
  std::uint64_t previous_loop_id_;
};

}  // namespace detail

namespace detail {
// The check of block_on(f): f must be a future. A failed check is the first
// error the compiler prints, at the call, and block_on then yields a
// NotAFuture, which keeps quiet (Rejected, core/future.hpp). A function
// given instead of a future is named as such.
template <class F>
struct block_on_check {
  static constexpr bool future = is_future<F>::value;
  static constexpr bool function = !future && is_invocable<F&>::value;
  struct errors {
    static_assert(!function,
                  "pollen: this type is not a future but a function: block_on() runs a future. "
                  "Call the function and pass the future it returns, or make it one: "
                  "pollen::lazy(fn) (calls fn on the first poll) or pollen::poll_fn(fn) (fn is "
                  "the poll)");
    static_assert(future || function,
                  "pollen: this type is not a future: a future is a movable type with `using "
                  "Output = T;` and `pollen::Poll<T> poll(pollen::Context&)`");
  };
  using type = typename std::conditional<future, output_t<F>, Rejected<errors>>::type;
};

template <class F>
output_t<F> block_on_impl(F& f, std::true_type) {
  EnterGuard guard("pollen::block_on");
  ArcPtr<ThreadParker> parker = ThreadParker::make();
  Waker waker = parker->waker();
  Context cx(waker);
  for (;;) {
    Poll<output_t<F>> p = f.poll(cx);
    if (p.is_ready()) return std::move(p).value();
    parker->park();
  }
}
// Not a future: block_on_check's static_assert is the only error shown.
template <class F>
typename block_on_check<F>::type block_on_impl(F&, std::false_type) {
  return {};
}

// The waker of block_on(f, observer): counts its wakes, then unparks.
class CountingParker final : public ArcWake {
 public:
  CountingParker() : parker_(ThreadParker::make()), unpark_(parker_->waker()) {}
  // Defined in the library, which then holds the one copy of the vtable.
  void on_wake() noexcept override;
  void park() { parker_->park(); }
  std::uint64_t wakes() const noexcept { return wakes_.load(std::memory_order_relaxed); }

 private:
  ArcPtr<ThreadParker> parker_;
  Waker unpark_;
  std::atomic<std::uint64_t> wakes_{0};
};

template <class F>
output_t<F> block_on_observed(F& f, PollObserver& observer, std::true_type) {
  EnterGuard guard("pollen::block_on");
  ArcPtr<CountingParker> parker(new CountingParker());
  Waker waker = parker->waker();
  Context cx(waker, observer);
  for (;;) {
    observer.begin_task_poll(parker->wakes());
    Poll<output_t<F>> p = f.poll(cx);
    if (p.is_ready()) return std::move(p).value();
    parker->park();
  }
}
template <class F>
typename block_on_check<F>::type block_on_observed(F&, PollObserver&, std::false_type) {
  return {};
}
}  // namespace detail

// Runs `f` to completion on this thread and returns its output.
template <class F>
typename detail::block_on_check<F>::type block_on(F f) {
  return detail::block_on_impl(f, is_future<F>());
}

// The same, recording every poll of f's tree in `observer`: block_on tells
// it the wake count of f's waker before each poll, so spurious polls are
// counted (block_on itself never makes any). f is consumed; to describe it
// with its counts afterwards, pass a future that outlives the call (a
// reference wrapper of your own) or look at observer.total_polls().
template <class F>
typename detail::block_on_check<F>::type block_on(F f, PollObserver& observer) {
  return detail::block_on_observed(f, observer, is_future<F>());
}

POLLEN_NAMESPACE_END
