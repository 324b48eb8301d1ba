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
  template <std::size_t I>
  using Child = MaybeDone<typename std::tuple_element<I, std::tuple<Fs...>>::type>;

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
    return this->state() == State::Running ? count(Seq()) : 0;
  }

  void describe(Describer& d) const {
    switch (this->state()) {
      case State::Running:
        d.node("TryJoin", std::to_string(ready_count()) + " of " + std::to_string(N) + " ok");
        describe_children(d, Seq());
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

  // One walk over the children, as join's, that also stops at an error.
  struct Walk {
    bool stop = false;
    bool skipped = false;
    Option<Error> error;  // the first error, moved out of its child
  };

  // Called in Running: polls the woken children. At an error, every child
  // is destroyed (Running's payload) before the error is returned. When
  // every child has its value, the values move into the result here, before
  // the machine enters Done (a move that throws leaves it Poisoned).
  Poll<Output> resume(Context& cx) {
    arms().wakers.begin_poll(cx.waker(), arms().woken);
    Walk walk;
    poll_woken(cx, walk, Seq());
    if (walk.error.has_value()) {
      this->leave(State::Poisoned);  // every child destroyed, now; Done once returned
      return Poll<Output>(in_place, Err<Error>{std::move(walk.error).value()});
    }
    if (count(Seq()) != N) return pending;
    return Poll<Output>(in_place, Ok<std::tuple<detail::ok_t<Fs>...>>{take_values(Seq())});
  }

  template <std::size_t I>
  void poll_child(Context& cx, Walk& walk) {
    Arms& a = arms();
    if (!a.woken[I]) return;
    if (walk.stop) {
      walk.skipped = true;
      return;
    }
    a.woken[I] = false;
    Child<I>& child = std::get<I>(a.children);
    if (child.state() != Child<I>::State::Future) return;
    detail::JoinWakers::Borrowed b{&a.wakers, a.woken, &cx.waker(), static_cast<std::uint32_t>(N),
                                   static_cast<std::uint32_t>(I)};
    Waker w(detail::JoinWakers::borrowed_raw(&b));
    Context child_cx(w, cx);
    if (child.poll_step(child_cx) && child.output().is_err()) {
      walk.error.emplace(std::move(child.output()).error());
      walk.stop = true;  // the rest are destroyed, not polled
      return;
    }
    if (cx.budget_spent()) {
      walk.stop = true;
      a.resume = static_cast<typename Arms::Index>(I + 1 == N ? 0 : I + 1);
    }
  }
  template <std::size_t... Is>
  void poll_woken(Context& cx, Walk& walk, std::index_sequence<Is...>) {
    const std::size_t first = arms().resume;
    arms().resume = 0;  // unless the budget runs out on the way
    int from_first[] = {0, (Is >= first ? poll_child<Is>(cx, walk) : void(), 0)...};
    int wrapped[] = {0, (Is < first ? poll_child<Is>(cx, walk) : void(), 0)...};
    (void)from_first;
    (void)wrapped;
    // The children left woken need another poll (not after an error: then
    // there is no next poll).
    if (walk.skipped && !walk.error.has_value()) cx.waker().wake();
  }
  template <std::size_t... Is>
  std::size_t count(std::index_sequence<Is...>) const noexcept {
    std::size_t n = 0;
    int each[] = {0, (n += std::get<Is>(arms().children).state() == Child<Is>::State::Done ? std::size_t{1} : std::size_t{0}, 0)...};
    (void)each;
    return n;
  }
  template <std::size_t... Is>
  std::tuple<detail::ok_t<Fs>...> take_values(std::index_sequence<Is...>) {
    return std::tuple<detail::ok_t<Fs>...>(std::get<Is>(arms().children).take_output().value()...);
  }
  template <std::size_t... Is>
  void describe_children(Describer& d, std::index_sequence<Is...>) const {
    int each[] = {0, (d.child(std::get<Is>(arms().children)), 0)...};
    (void)each;
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
