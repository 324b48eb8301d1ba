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
// Size: f or its output, whichever is larger, and the state in f's spare
// values when f has some and the output fits before them
// (future/machine.hpp): a MaybeDone<Ready<u64>> is 16 bytes, as Ready<u64>.
//
// What it does: poll_step() polls f and, when f is Ready, destroys f and
// keeps its output; true means "has its output". It is futures-rs's
// MaybeDone, used as a building block rather than as a future of its own
// (it has no poll()).
//
// Output: take_output() moves the output out (only in State::Done);
// output() is a reference to it, where it is kept. The
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
#include <pollen/future/machine.hpp>

#include <type_traits>
#include <utility>

POLLEN_NAMESPACE_BEGIN

namespace detail {
enum class MaybeDoneState : unsigned char { Future, Done, Gone, Poisoned };
}

template <class F>
class MaybeDone : public detail::Machine<MaybeDone<F>, detail::MaybeDoneState, F, output_t<F>,
                                         detail::NoPayload, detail::NoPayload> {
  POLLEN_REQUIRE_FUTURE(F);
  using Base = detail::Machine<MaybeDone<F>, detail::MaybeDoneState, F, output_t<F>,
                               detail::NoPayload, detail::NoPayload>;
  friend Base;
  using Base::poll;  // not a future: poll_step() is its poll

 public:
  using Output = output_t<F>;
  using State = detail::MaybeDoneState;
  using pollen_relocatable = typename Base::payloads_relocatable;
  using pollen_trivially_destroyed = typename Base::payloads_trivially_destroyed;

  // f by rvalue reference: f moves once, into its place.
  explicit MaybeDone(F&& f) : Base(detail::initial, std::move(f)) {}
  MaybeDone(MaybeDone&&) = default;  // the moved-from MaybeDone is Gone

  // Polls f if it is still running. True when the output is here (Done).
  // An exception from f.poll, or from moving its output in, propagates and
  // leaves the MaybeDone Poisoned (f destroyed at once).
  bool poll_step(Context& cx) {
    const State s = this->state();
    if (POLLEN_UNLIKELY(s == State::Poisoned)) detail::polled_after_throw(name());
    if (s != State::Future) return s == State::Done;
    detail::observe_poll(cx, this);
    typename Base::PoisonOnUnwind guard(this);
    Poll<Output> p = this->template get<State::Future>().poll(cx);
    if (p.is_pending()) {
      guard.dismiss();
      return false;
    }
    this->leave(State::Poisoned);  // f destroyed before the output is stored
    this->template enter<State::Done>(std::move(p.value()));
    guard.dismiss();
    return true;
  }

  Output take_output() {
    POLLEN_REQUIRE(this->state() == State::Done,
                   "MaybeDone::take_output() called when it holds no output; check state() first");
    Output out(std::move(this->template get<State::Done>()));  // if this throws, still Done
    this->leave(State::Gone);
    return out;  // the only return: built in the caller's slot, no move after Gone
  }

  // The output, where it is kept (only in State::Done): a try-combinator
  // looks at it to see whether it is an error, without taking it.
  Output& output() {
    POLLEN_REQUIRE(this->state() == State::Done,
                   "MaybeDone::output() called when it holds no output; check state() first");
    return this->template get<State::Done>();
  }

  void describe(Describer& d) const {
    switch (this->state()) {
      case State::Future:
        d.describe_here(this->template get<State::Future>());
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
  static const char* name() noexcept { return "MaybeDone"; }
  static constexpr State kInitial = State::Future;
  static constexpr State kPoisoned = State::Poisoned;
  static constexpr State kFinal = State::Gone;
};

namespace detail {
// The `stop` of join's and join_all's walks over their MaybeDone children
// (try_join's stops at an error instead): every output is kept.
struct KeepEveryOutput {
  template <class Child>
  bool operator()(Child&) const noexcept {
    return false;
  }
};
}  // namespace detail

POLLEN_NAMESPACE_END
