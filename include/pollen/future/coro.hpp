// pollen/future/coro.hpp: Coro<T>, a C++20 coroutine that is a pollen future,
// and `co_await` on any pollen future inside it.
//
// Example:
//
//   pollen::Coro<std::size_t> some_task(Io& io) {
//     std::string text = co_await io.read_file("notes.txt");  // any pollen future
//     co_await pollen::sleep(std::chrono::milliseconds(10));
//     co_return text.size();
//   }
//   std::size_t n = loop.block_on(some_task(io));   // a Coro is a future
//
// Compiled only where the compiler implements coroutines and the library has
// <coroutine> (`__cpp_impl_coroutine`: g++ 11 and clang++ 14 or later with
// -std=c++20). Elsewhere this header declares nothing and
// POLLEN_HAS_COROUTINES is 0; the rest of pollen is unchanged either way (it
// is not included by <pollen/pollen.hpp>: include it yourself).
//
// How it maps onto the poll protocol
// * Calling a Coro function allocates the coroutine frame (one heap
//   allocation: the compiler's; nothing else in this header allocates) and
//   runs nothing: the body starts at the first poll, as every pollen future
//   does nothing until polled.
// * Coro::poll(cx) resumes the body with cx. `co_await f` polls f at once
//   with that same cx (so f keeps cx's waker, budget and observer, exactly
//   as a hand-written parent passes its Context to a child): Ready goes on
//   without suspending; Pending suspends the coroutine, and Coro::poll
//   returns Pending. Whoever wakes cx's waker makes the task poll the Coro
//   again; it then polls the awaited future first, and resumes the body only
//   when that future is Ready. A Coro never resumes itself or is resumed by
//   anyone else: the body runs only inside Coro::poll.
// * The awaited future lives in the coroutine frame (an rvalue is moved in;
//   an lvalue is borrowed, polled where it is) until its co_await finishes.
//
// States:   Created --first poll--> Running --co_await'ed future Pending--> Awaiting
//           Awaiting --poll: the awaited future still Pending--> Awaiting
//           Awaiting --poll: it is Ready--> Running --> ...
//           Running --co_return v--> Done (Ready: v)
//           Running --an exception escaped the body--> Poisoned (poll rethrows it)
//
//   Created, Running and Awaiting hold the frame; Done and Poisoned have
//   destroyed it (its locals gone at once, as Then drops its first future).
//
// Output: T (Unit for Coro<void>, which ends with `co_return;`).
// Cancellation: destroying a Coro destroys its frame: the future it awaits
//   and every local alive at that co_await are destroyed, in reverse order of
//   construction, as C++ destroys a scope. Nothing else runs (no code after
//   the co_await). This is the same rule as every pollen future: cancel =
//   destroy.
// Exceptions: an exception thrown by the awaited future's poll comes out of
//   the `co_await` expression, inside the body, where try/catch can handle
//   it. One that escapes the body is rethrown by the poll that would have
//   been Ready; the Coro is then Poisoned.
// Contract errors: polling it after Ready, after its poll threw, or when
//   moved from. `co_await` of something that is not a pollen future is a
//   compile error (a static_assert that says so): a foreign awaitable would
//   suspend without registering a waker, and the task would never be polled
//   again.
// Polling order: one child at a time, the one awaited now.
// Lifetimes (as for every C++ coroutine): reference parameters and a
//   lambda's captures are NOT copied into the frame; a Coro made from a
//   temporary lambda or from references to temporaries dangles. Take
//   parameters by value.
#pragma once

#include <pollen/config.hpp>

#ifndef POLLEN_HAS_COROUTINES
#  if defined(__cpp_impl_coroutine) && defined(__has_include)
#    if __has_include(<coroutine>)
#      define POLLEN_HAS_COROUTINES 1
#    endif
#  endif
#endif
#ifndef POLLEN_HAS_COROUTINES
#  define POLLEN_HAS_COROUTINES 0
#endif

#if POLLEN_HAS_COROUTINES

#include <pollen/core/context.hpp>
#include <pollen/core/contract.hpp>
#include <pollen/core/describe.hpp>
#include <pollen/core/future.hpp>
#include <pollen/core/future_ext.hpp>  // detail::always_false
#include <pollen/core/option.hpp>
#include <pollen/core/poll.hpp>
#include <pollen/core/type_traits.hpp>
#include <pollen/core/unit.hpp>
#include <pollen/future/future_ext.hpp>

#include <coroutine>
#include <exception>
#include <type_traits>
#include <utility>

POLLEN_NAMESPACE_BEGIN

template <class T>
class Coro;

namespace detail {

// The co_await in progress, seen without the awaited future's type: what
// Coro::poll and Coro::describe need of it.
struct CoroAwaiting {
  void* awaiter = nullptr;  // the CoroAwait in the frame; null: not suspended
  // Polls the awaited future; true when it is Ready (its output, or the
  // exception its poll threw, is stored for the resumed co_await).
  bool (*poll)(void* awaiter, Context& cx) = nullptr;
  void (*describe)(const void* awaiter, Describer& d) = nullptr;
};

class CoroPromiseBase;

// The awaiter of `co_await f` inside a Coro. F is the future's type for an
// rvalue (moved into the frame) and a reference for an lvalue (borrowed).
template <class F>
class CoroAwait {
  using Fut = remove_cvref_t<F>;
  using Out = output_t<Fut>;

 public:
  CoroAwait(F&& f, CoroPromiseBase& promise) : fut_(std::forward<F>(f)), promise_(&promise) {}
  CoroAwait(const CoroAwait&) = delete;
  CoroAwait& operator=(const CoroAwait&) = delete;

  // The first poll, in the body, with the Context of the Coro's poll: a
  // Ready future does not suspend.
  bool await_ready();
  // Pending: registers this co_await with the Coro, which polls the future
  // from now on.
  void await_suspend(std::coroutine_handle<>) noexcept;
  Out await_resume() {
#if POLLEN_HAS_EXCEPTIONS
    if (error_) std::rethrow_exception(error_);
#endif
    return std::move(out_).value();
  }

 private:
  bool poll_once(Context& cx) {
    Poll<Out> p = fut_.poll(cx);
    if (p.is_pending()) return false;
    out_.emplace(std::move(p).value());
    return true;
  }
  // Coro::poll's call: an exception goes to the body, at the co_await.
  static bool poll_erased(void* self, Context& cx) {
    CoroAwait* a = static_cast<CoroAwait*>(self);
#if POLLEN_HAS_EXCEPTIONS
    try {
      return a->poll_once(cx);
    } catch (...) {
      a->error_ = std::current_exception();
      return true;
    }
#else
    return a->poll_once(cx);
#endif
  }
  static void describe_erased(const void* self, Describer& d) {
    d.child(static_cast<const CoroAwait*>(self)->fut_);
  }

  F fut_;                     // the awaited future (or a reference to it)
  Option<Out> out_;           // its output, once Ready
  CoroPromiseBase* promise_;  // the Coro's promise: its Context and registration
#if POLLEN_HAS_EXCEPTIONS
  std::exception_ptr error_;  // what its poll threw, rethrown by await_resume
#endif
};

// The check of `co_await f`: f must be a pollen future, and not const.
template <class F, bool = is_future<remove_cvref_t<F>>::value,
          bool = std::is_const<std::remove_reference_t<F>>::value>
struct coro_await_check {
  using type = CoroAwait<F>;
};
template <class F, bool IsConst>
struct coro_await_check<F, false, IsConst> {
  static_assert(always_false<F>::value,
                "pollen: co_await inside a pollen::Coro takes a pollen future (a type with "
                "Output and poll(Context&)); a foreign awaitable would suspend without "
                "registering a waker, and the task would never be polled again");
  using type = void;
};
template <class F>
struct coro_await_check<F, true, true> {
  static_assert(always_false<F>::value,
                "pollen: co_await of a const future: polling changes it; co_await the future "
                "itself (or std::move it in)");
  using type = void;
};

// What every Coro's promise holds, whatever T is.
class CoroPromiseBase {
 public:
  std::suspend_always initial_suspend() const noexcept { return {}; }  // start at the first poll
  std::suspend_always final_suspend() const noexcept { return {}; }    // Coro reads the result
#if POLLEN_HAS_EXCEPTIONS
  void unhandled_exception() noexcept { error = std::current_exception(); }
#else
  // Unreachable: nothing throws without exceptions.
  [[noreturn]] void unhandled_exception() noexcept { std::terminate(); }
#endif

  // The check is in the return type, so that its message is the first error.
  template <class F>
  typename coro_await_check<F>::type await_transform(F&& f) {
    return CoroAwait<F>(std::forward<F>(f), *this);
  }

  Context* cx = nullptr;   // the Context of the Coro's poll, while it runs the body
  CoroAwaiting awaiting;   // the co_await the body is suspended at
#if POLLEN_HAS_EXCEPTIONS
  std::exception_ptr error;  // escaped the body; rethrown by Coro::poll
#endif
};

template <class F>
bool CoroAwait<F>::await_ready() {
  return poll_once(*promise_->cx);
}

template <class F>
void CoroAwait<F>::await_suspend(std::coroutine_handle<>) noexcept {
  promise_->awaiting.awaiter = this;
  promise_->awaiting.poll = &CoroAwait::poll_erased;
  promise_->awaiting.describe = &CoroAwait::describe_erased;
}

template <class T>
class CoroPromise : public CoroPromiseBase {
 public:
  Coro<T> get_return_object() noexcept;
  template <class U = T>
  void return_value(U&& v) {
    result.emplace(std::forward<U>(v));
  }
  Option<T> result;  // set by co_return
};

template <>
class CoroPromise<void> : public CoroPromiseBase {
 public:
  Coro<void> get_return_object() noexcept;
  void return_void() noexcept { result.emplace(Unit{}); }
  Option<Unit> result;  // set by co_return; (or the end of the body)
};

}  // namespace detail

// A C++20 coroutine that is a pollen future (see the top of this header).
template <class T>
class POLLEN_NODISCARD_TYPE Coro : public FutureExt<Coro<T>> {
 public:
  using promise_type = detail::CoroPromise<T>;
  using Output = typename std::conditional<std::is_void<T>::value, Unit, T>::type;
  enum class State { Created, Running, Awaiting, Done, Poisoned };

  Coro(Coro&& o) noexcept : frame_(o.frame_), state_(o.state_) {
    o.frame_ = nullptr;
    o.state_ = State::Done;
  }
  Coro& operator=(Coro&& o) noexcept {
    if (this != &o) {
      destroy_frame();
      frame_ = o.frame_;
      state_ = o.state_;
      o.frame_ = nullptr;
      o.state_ = State::Done;
    }
    return *this;
  }
  // Cancellation: the frame goes, with the awaited future and the locals.
  ~Coro() { destroy_frame(); }

  Poll<Output> poll(Context& cx) {
    detail::observe_poll(cx, this);
    if (state_ == State::Done) detail::polled_after_ready("Coro");
    if (state_ == State::Poisoned) detail::polled_after_throw("Coro");
    POLLEN_REQUIRE(state_ != State::Running,
                   "Coro polled from inside its own body (its future was polled by something "
                   "the coroutine awaits): a coroutine cannot await itself");
    promise_type& p = frame_.promise();
    if (state_ == State::Awaiting) {
      // Suspended at a co_await: resume only once the awaited future is Ready.
      if (!p.awaiting.poll(p.awaiting.awaiter, cx)) return pending;
      p.awaiting = detail::CoroAwaiting();
    }
    state_ = State::Running;
    p.cx = &cx;
    frame_.resume();  // runs the body up to a Pending co_await or its end
    p.cx = nullptr;
    if (!frame_.done()) {
      POLLEN_ASSERT(p.awaiting.awaiter != nullptr, "a Coro suspended outside a co_await");
      state_ = State::Awaiting;
      return pending;
    }
    return finish();
  }

  State state() const noexcept { return state_; }

  // "Coro [state: Awaiting, frame on the heap]" with the awaited future as
  // its child; "[state: Created, frame on the heap]", "[state: Done]",
  // "[state: Poisoned]". The frame's size is the compiler's secret: the
  // size shown is the handle's.
  void describe(Describer& d) const {
    switch (state_) {
      case State::Created:
        d.node("Coro", "state: Created, frame on the heap");
        return;
      case State::Running:
        d.node("Coro", "state: Running");
        return;
      case State::Awaiting: {
        d.node("Coro", "state: Awaiting, frame on the heap");
        const detail::CoroAwaiting& a = frame_.promise().awaiting;
        a.describe(a.awaiter, d);
        return;
      }
      case State::Done:
        d.node("Coro", "state: Done");
        return;
      case State::Poisoned:
        d.node("Coro", "state: Poisoned");
        return;
    }
  }

 private:
  friend class detail::CoroPromise<T>;
  using Handle = std::coroutine_handle<promise_type>;
  explicit Coro(Handle h) noexcept : frame_(h) {}

  // The body ended: its result (or exception) out, the frame destroyed.
  Poll<Output> finish() {
    promise_type& p = frame_.promise();
#if POLLEN_HAS_EXCEPTIONS
    if (p.error) {
      std::exception_ptr e = std::move(p.error);
      destroy_frame();
      state_ = State::Poisoned;
      std::rethrow_exception(e);
    }
#endif
    POLLEN_ASSERT(p.result.has_value(), "a Coro ended without a result");
    Output out = std::move(p.result).value();
    destroy_frame();
    state_ = State::Done;
    return out;
  }

  void destroy_frame() noexcept {
    if (frame_) {
      frame_.destroy();
      frame_ = nullptr;
    }
  }

  Handle frame_;  // valid in Created, Running, Awaiting
  State state_ = State::Created;
};

namespace detail {
template <class T>
Coro<T> CoroPromise<T>::get_return_object() noexcept {
  return Coro<T>(std::coroutine_handle<CoroPromise<T>>::from_promise(*this));
}
inline Coro<void> CoroPromise<void>::get_return_object() noexcept {
  return Coro<void>(std::coroutine_handle<CoroPromise<void>>::from_promise(*this));
}
}  // namespace detail

POLLEN_NAMESPACE_END

#endif  // POLLEN_HAS_COROUTINES
