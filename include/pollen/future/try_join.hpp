// pollen/future/try_join.hpp: try_join(f1, ..., fn), wait for all of them
// or for the first error. Each fi is a future of Result<Ti, E> (one E for
// all); the output is Result<std::tuple<T1, ..., Tn>, E>.
//
// States:
//
//     Running --every child Ready with a value--> Done
//        |  |                                         ^
//        |  +--a child Ready with an error------------+
//        |     (every other child destroyed at once)
//        |
//        | a child's poll threw (every child destroyed)
//        v
//     Poisoned
//
//   State::Running   holds one MaybeDone per child (a child future, or its
//                    output once it was Ready), one wake flag per child and
//                    the shared wake block (the payload of join, join.hpp)
//   State::Poisoned  holds nothing (a poll threw; polling again is an error)
//   State::Done      holds nothing (the output was returned)
//
// This is futures-rs's TryJoin. It polls exactly as join does (join.hpp):
// every child on the first poll, then only the children whose own waker
// fired, in index order, each at most once per poll, stopping where the
// cooperative budget runs out and resuming after that child next time.
//
// The first error ends it: as soon as a child is Ready with an error, the
// error moves out, every other child (still running, or holding its value)
// is destroyed there and then, in the same poll, and the try_join is Ready
// with that error. The children after it in this poll's walk are not
// polled. "First" means the first in polling order.
//
// Output: Result<std::tuple<T1, ..., Tn>, E>: the values in argument order,
// or the first error.
// Cancellation: destroying it while Running destroys every child still
// running and every value already produced. It is cancel-safe when every
// child is (nothing is lost that a new try_join of new children would not
// produce again).
// Contract errors: polling it after Ready ("TryJoin polled after it returned
// Ready"); polling it again after a poll threw.
// Polling order: as join: woken children in index order (all of them on the
// first poll); after a poll that ran out of budget at child i, from child
// i + 1 on, wrapping around.
// Example:
//   auto both = pollen::try_join(fetch_user(id), fetch_orders(id));  // Result<User>, Result<Orders>
//   pollen::Result<std::tuple<User, Orders>> r = pollen::block_on(std::move(both));
#pragma once

#include <pollen/config.hpp>
#include <pollen/core/cancel_safe.hpp>
#include <pollen/core/describe.hpp>
#include <pollen/core/future.hpp>
#include <pollen/core/future_ext.hpp>
#include <pollen/core/option.hpp>
#include <pollen/core/result.hpp>
#include <pollen/core/type_traits.hpp>
#include <pollen/future/join.hpp>
#include <pollen/future/machine.hpp>
#include <pollen/future/maybe_done.hpp>
#include <pollen/future/result_traits.hpp>
#include <pollen/future/wake_list.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>

POLLEN_NAMESPACE_BEGIN

namespace detail {
enum class TryJoinState : unsigned char { Running, Poisoned, Done };

template <class F, class... Fs>
struct first_future {
  using type = F;
};
}  // namespace detail

template <class... Fs>
class POLLEN_NODISCARD_TYPE TryJoin
    : public detail::Machine<TryJoin<Fs...>, detail::TryJoinState, detail::JoinArms<Fs...>,
                             detail::NoPayload, detail::NoPayload> {
  using Base = detail::Machine<TryJoin<Fs...>, detail::TryJoinState, detail::JoinArms<Fs...>,
                               detail::NoPayload, detail::NoPayload>;
  friend Base;

  static constexpr std::size_t N = sizeof...(Fs);
  using Arms = detail::JoinArms<Fs...>;
  using Seq = std::index_sequence_for<Fs...>;

 public:
  using Error = detail::err_t<typename detail::first_future<Fs...>::type>;
  using Output = Result<std::tuple<detail::ok_t<Fs>...>, Error>;
  using State = detail::TryJoinState;
  using pollen_relocatable = typename Base::payloads_relocatable;
  using pollen_trivially_destroyed = typename Base::payloads_trivially_destroyed;
  static constexpr bool is_cancel_safe = detail::all_of<::pollen::is_cancel_safe<Fs>::value...>::value;

  // The children by rvalue reference: each moves once, into its MaybeDone.
  explicit TryJoin(Fs&&... fs) : Base(detail::initial, std::move(fs)...) {}
  TryJoin(TryJoin&&) = default;  // the moved-from TryJoin is Done

  // How many children have their value (0 unless Running).
  std::size_t ready_count() const noexcept {
    return this->state() == State::Running ? arms().done_count() : 0;
  }

  void describe(Describer& d) const {
    switch (this->state()) {
      case State::Running:
        d.node("TryJoin", std::to_string(ready_count()) + " of " + std::to_string(N) + " ok");
        arms().describe_children(d);
        return;
      case State::Poisoned:
        d.node("TryJoin", "state: Poisoned");
        return;
      case State::Done:
        d.node("TryJoin", "state: Done");
        return;
    }
  }

 private:
  static const char* name() noexcept { return "TryJoin"; }
  static constexpr State kInitial = State::Running;
  static constexpr State kPoisoned = State::Poisoned;
  static constexpr State kFinal = State::Done;
  static constexpr bool kFinalIsError = true;

  Arms& arms() noexcept { return this->template get<State::Running>(); }
  const Arms& arms() const noexcept { return this->template get<State::Running>(); }

  // Called in Running: polls the woken children (join's walk, which here
  // also stops at a child whose output is an error). At an error, every
  // child is destroyed (Running's payload) before the error is returned.
  // When every child has its value, the values move into the result here,
  // before the machine enters Done (a move that throws leaves it Poisoned).
  Poll<Output> resume(Context& cx) {
    arms().wakers.begin_poll(cx.waker(), arms().woken);
    Option<Error> error;  // the first error, moved out of its child
    auto stop_at_error = [&error](auto& child) {
      if (!child.output().is_err()) return false;
      error.emplace(std::move(child.output()).error());
      return true;
    };
    const bool skipped = arms().poll_woken(cx, stop_at_error);
    if (error.has_value()) {
      this->leave(State::Poisoned);  // every child destroyed, now; Done once returned
      return Poll<Output>(in_place, Err<Error>{std::move(error).value()});
    }
    if (skipped) cx.waker().wake();  // the children left woken need another poll
    if (arms().done_count() != N) return pending;
    return Poll<Output>(in_place, Ok<std::tuple<detail::ok_t<Fs>...>>{take_values(Seq())});
  }

  template <std::size_t... Is>
  std::tuple<detail::ok_t<Fs>...> take_values(std::index_sequence<Is...>) {
    return std::tuple<detail::ok_t<Fs>...>(std::get<Is>(arms().children).take_output().value()...);
  }
};

namespace detail {
// Whether every future of a list (of futures of Results) has the error type
// of the first.
template <bool AllResults, class... Fs>
struct same_errors : std::true_type {};
template <class F0, class... Rest>
struct same_errors<true, F0, Rest...>
    : all_of<outputs_same_error<Rest, err_t<F0>>::value...> {};

// The one check of try_join(f...): every argument a future of a Result, all
// with one error type. A failed check is the first error the compiler
// prints, at the call (Rejected, core/future.hpp).
template <class... Fs>
struct try_join_check {
  static constexpr bool some = sizeof...(Fs) >= 1;
  static constexpr bool all_futures = all_of<is_future<Fs>::value...>::value;
  static constexpr bool all_results = all_of<outputs_result<Fs>::value...>::value;
  static constexpr bool one_error = same_errors<some && all_results, Fs...>::value;
  struct errors {
    static_assert(some, "pollen: try_join() needs at least one future");
    static_assert(all_futures,
                  "pollen: this type is not a future: every argument of try_join() must be a "
                  "future");
    static_assert(!all_futures || all_results,
                  "pollen: every future given to try_join() must have a pollen::Result output "
                  "(use join() for futures that cannot fail)");
    static_assert(one_error,
                  "pollen: the futures given to try_join() must share one error type (convert "
                  "the others with .map_err())");
  };
  using type = typename std::conditional<some && all_futures && all_results && one_error,
                                         TryJoin<Fs...>, Rejected<errors>>::type;
};
}  // namespace detail

// try_join(f1, ..., fn): Ready with every value, or with the first error.
// See the top of this file.
template <class... Fs>
POLLEN_NODISCARD typename detail::try_join_check<Fs...>::type try_join(Fs... fs) {
  return detail::build<typename detail::try_join_check<Fs...>::type>(std::move(fs)...);
}

POLLEN_NAMESPACE_END
