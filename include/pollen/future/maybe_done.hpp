// pollen/future/maybe_done.hpp: MaybeDone<F>, a future or its output. The
// building block of join: each child of a join lives in one, so that a
// finished child is destroyed at once and only its output is kept.
//
// States:
//
//     Future --f Ready--> Done --take_output()--> Gone
//        |
//        | f.poll threw, or moving its output in threw
//        v
//     Poisoned
//
//   State::Future    holds f
//   State::Done      holds f's output (f is destroyed)
//   State::Gone      holds nothing (the output was taken, or the MaybeDone
//                    was moved from)
//   State::Poisoned  holds nothing (poll_step threw: f and the output it was
//                    storing are destroyed)
//
// What it does: poll_step() polls f and, when f is Ready, destroys f and
// keeps its output; true means "has its output". It is futures-rs's
// MaybeDone, used as a building block rather than as a future of its own.
//
// Output: take_output() moves the output out (only in State::Done). The
// state changes only once the output has moved: if its move throws, the
// MaybeDone is still Done with its output.
// Cancellation: destroying it destroys f (in Future) or the output (in Done).
// Contract errors: take_output() when not Done is a ContractError; so is
// poll_step() again after it threw.
// Polling order: one child.
// Example: see join.hpp.
#pragma once

#include <pollen/config.hpp>
#include <pollen/core/contract.hpp>
#include <pollen/core/describe.hpp>
#include <pollen/core/future.hpp>
#include <pollen/future/state_helpers.hpp>

#include <new>
#include <type_traits>
#include <utility>

POLLEN_NAMESPACE_BEGIN

template <class F>
class MaybeDone {
  POLLEN_REQUIRE_FUTURE(F);

 public:
  using Output = output_t<F>;
  enum class State : unsigned char { Future, Done, Gone, Poisoned };

  explicit MaybeDone(F f) : state_(State::Future) {
    ::new (static_cast<void*>(&u_.future)) F(std::move(f));
  }
  MaybeDone(MaybeDone&& o) noexcept(std::is_nothrow_move_constructible<F>::value &&
                                    std::is_nothrow_move_constructible<Output>::value)
      : state_(o.state_) {
    if (state_ == State::Future) {
      ::new (static_cast<void*>(&u_.future)) F(std::move(o.u_.future));
    } else if (state_ == State::Done) {
      ::new (static_cast<void*>(&u_.output)) Output(std::move(o.u_.output));
    }
    o.leave(State::Gone);
  }
  MaybeDone& operator=(MaybeDone&&) = delete;
  ~MaybeDone() { leave(State::Gone); }

  // Polls f if it is still running. True when the output is here (Done).
  // An exception from f.poll, or from moving its output in, propagates and
  // leaves the MaybeDone Poisoned (f destroyed at once).
  bool poll_step(Context& cx) {
    if (state_ == State::Poisoned) detail::polled_after_throw("MaybeDone");
    if (state_ != State::Future) return state_ == State::Done;
    detail::observe_poll(cx, this);
    detail::UnwindGuard<MaybeDone> guard(this);
    Poll<Output> p = u_.future.poll(cx);
    if (p.is_pending()) {
      guard.dismiss();
      return false;
    }
    leave(State::Poisoned);  // f destroyed before the output is stored
    ::new (static_cast<void*>(&u_.output)) Output(std::move(p).value());
    guard.dismiss();
    state_ = State::Done;
    return true;
  }

  Output take_output() {
    POLLEN_REQUIRE(state_ == State::Done,
                   "MaybeDone::take_output() called when it holds no output; check state() first");
    Output out(std::move(u_.output));  // if this throws, still Done
    leave(State::Gone);
    return out;  // the only return: built in the caller's slot, no move after Gone
  }

  State state() const noexcept { return state_; }

  void describe(Describer& d) const {
    switch (state_) {
      case State::Future:
        d.describe_here(u_.future);
        return;
      case State::Done:
        d.node("MaybeDone", "state: Done, output waiting");
        return;
      case State::Gone:
        d.node("MaybeDone", "state: Gone");
        return;
      case State::Poisoned:
        d.node("MaybeDone", "state: Poisoned");
        return;
    }
  }

 private:
  friend class detail::UnwindGuard<MaybeDone>;

  void leave(State next) noexcept {
    if (state_ == State::Future) {
      u_.future.~F();
    } else if (state_ == State::Done) {
      u_.output.~Output();
    }
    state_ = next;
  }
  void poison() noexcept { leave(State::Poisoned); }

  union U {
    U() noexcept : none() {}
    ~U() {}
    char none;  // valid when no other member is (no state holds anything)
    F future;       // valid in State::Future
    Output output;  // valid in State::Done
  } u_;
  State state_;
};

POLLEN_NAMESPACE_END
