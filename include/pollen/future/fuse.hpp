// pollen/future/fuse.hpp: fuse(f), a future that may be polled after it
// returned Ready: from then on it is Pending, forever.
//
// States:
//
//     Running --f Ready (f destroyed)--> Terminated --poll--> Terminated (Pending)
//        |
//        | f.poll threw (f destroyed)
//        v
//     Poisoned
//
//   State::Running     holds f
//   State::Terminated  holds nothing; every poll is Pending (no waker is kept)
//   State::Poisoned    holds nothing (a poll threw; polling again is an error)
//
// Size: a Fuse is exactly as big as f when f has a spare value in one of its
// bytes (every library future does): the state lives there
// (future/machine.hpp).
//
// What it does: forwards polls to f until f is Ready; destroys f then;
// is_terminated() says whether that happened. Useful where a future sits in
// a loop that polls it again after it finished (a select over a future that
// already won). It is futures-rs's Fuse.
//
// Output: the output of f.
// Cancellation: destroying it while Running destroys f.
// Contract errors: polling it again after a poll threw. Polling after Ready
// is allowed: that is the point.
// Polling order: one child, f.
// Example:
//   auto f = pollen::fuse(pollen::ready(1));
//   f.poll(cx);  // Ready(1)
//   f.poll(cx);  // Pending, and f.is_terminated()
#pragma once

#include <pollen/config.hpp>
#include <pollen/core/cancel_safe.hpp>
#include <pollen/core/describe.hpp>
#include <pollen/core/future.hpp>
#include <pollen/core/future_ext.hpp>
#include <pollen/future/machine.hpp>

#include <type_traits>
#include <utility>

POLLEN_NAMESPACE_BEGIN

namespace detail {
enum class FuseState : unsigned char { Running, Terminated, Poisoned };
}

template <class F>
class POLLEN_NODISCARD_TYPE Fuse
    : public detail::Machine<Fuse<F>, detail::FuseState, F, detail::NoPayload, detail::NoPayload> {
  using Base = detail::Machine<Fuse<F>, detail::FuseState, F, detail::NoPayload, detail::NoPayload>;
  friend Base;

 public:
  using Output = output_t<F>;
  using State = detail::FuseState;
  using pollen_relocatable = typename Base::payloads_relocatable;
  using pollen_trivially_destroyed = typename Base::payloads_trivially_destroyed;
  static constexpr bool is_cancel_safe = ::pollen::is_cancel_safe<F>::value;

  // f by rvalue reference: f moves once, into its place.
  explicit Fuse(F&& f) : Base(detail::initial, std::move(f)) {}
  Fuse(Fuse&&) = default;  // the moved-from Fuse is Terminated

  // True once f was Ready (or this Fuse was moved from).
  bool is_terminated() const noexcept { return this->state() == State::Terminated; }

  void describe(Describer& d) const {
    switch (this->state()) {
      case State::Running:
        d.node("Fuse", "state: Running");
        d.child(this->template get<State::Running>());
        return;
      case State::Terminated:
        d.node("Fuse", "state: Terminated");
        return;
      case State::Poisoned:
        d.node("Fuse", "state: Poisoned");
        return;
    }
  }

 private:
  static const char* name() noexcept { return "Fuse"; }
  static constexpr State kInitial = State::Running;
  static constexpr State kPoisoned = State::Poisoned;
  static constexpr State kFinal = State::Terminated;
  static constexpr bool kFinalIsError = false;  // Pending forever instead

  // Called in Running or Terminated (the machine handles Poisoned). f's
  // Ready is returned as it is; the machine then enters Terminated.
  Poll<Output> resume(Context& cx) {
    if (this->state() == State::Terminated) return pending;
    return this->template get<State::Running>().poll(cx);
  }
};

namespace detail {
// The one check of fuse(f) and f.fuse(): f must be a future. A failed check
// is the first error the compiler prints, at the call, and the call then
// yields a NotAFuture, which keeps quiet (Rejected, core/future.hpp).
template <class F>
struct fuse_check {
  static constexpr bool future = is_future<F>::value;
  struct errors {
    static_assert(future,
                  "pollen: this type is not a future: a future is a movable type with `using "
                  "Output = T;` and `pollen::Poll<T> poll(pollen::Context&)`");
  };
  using type = typename std::conditional<future, Fuse<F>, Rejected<errors>>::type;
};
}  // namespace detail

// fuse(f): f, safe to poll after Ready. See the top of this file.
template <class F>
POLLEN_NODISCARD typename detail::fuse_check<F>::type fuse(F f) {
  return detail::build<typename detail::fuse_check<F>::type>(std::move(f));
}

POLLEN_NAMESPACE_END
