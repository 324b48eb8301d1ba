// pollen/future/select.hpp: select(f1, ..., fn), wait for the first of them;
// Ready with a OneOf holding the index and the value of the first child that
// is Ready. select_biased(f1, ..., fn) is the same, without the rotation.
//
// States:
//
//     Running --a child Ready (every child destroyed)--> Done
//        |
//        | a child's poll threw (every child destroyed)
//        v
//     Poisoned
//
//   State::Running   holds every child
//   State::Poisoned  holds nothing (a poll threw; polling again is an error)
//   State::Done      holds nothing (the OneOf was returned)
//
// What it does: each poll polls the children one after the other until one
// is Ready; that child's value becomes the output and every child (the
// losers and the finished winner) is destroyed before poll returns.
//
// Polling order: select is fair: the child polled first rotates, driven by
// a counter per thread (not per select), so that a select built afresh in
// every iteration of a loop rotates too, and an always-ready child cannot
// starve another. select_biased polls in argument order, always.
//
// Output: OneOf<output of f1, ..., output of fn> (one_of.hpp), whose
// index() says which child won; Either<A, B> for two children.
// Cancellation: the moment a child is Ready is the cancellation point of the
// others: they are destroyed then, inside that poll, not returned. Dropping
// a child that is not cancel safe (core/cancel_safe.hpp) after it was polled
// loses what it was doing: in builds without NDEBUG select prints a warning
// naming it; with POLLEN_STRICT_CANCEL_SAFETY such a child does not compile.
// Destroying the select while Running destroys every child.
// Contract errors: polling it after Ready ("Select polled after it returned
// Ready"); polling it again after a poll threw.
// Example:
//   auto first = pollen::select(read_line(), pollen::sleep(1s));
//   auto r = loop.block_on(std::move(first));  // sleep needs a loop
//   if (r.index() == 0) use(pollen::get<0>(std::move(r)));
#pragma once

#include <pollen/config.hpp>
#include <pollen/core/cancel_safe.hpp>
#include <pollen/core/describe.hpp>
#include <pollen/core/future.hpp>
#include <pollen/core/future_ext.hpp>
#include <pollen/core/type_traits.hpp>
#include <pollen/future/machine.hpp>
#include <pollen/future/one_of.hpp>

#include <cstddef>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>

POLLEN_NAMESPACE_BEGIN

namespace detail {
// The rotation of every fair select on this thread: each poll of a select
// starts at (counter++ % number of children).
inline unsigned& select_rotation() noexcept {
  static thread_local unsigned counter = 0;
  return counter;
}

template <class F>
void warn_if_cancel_unsafe(const char* combinator, std::size_t arm, bool started, std::false_type) {
  if (started) warn_cancel_unsafe_drop(combinator, arm, type_name<F>().c_str());
}
template <class F>
void warn_if_cancel_unsafe(const char*, std::size_t, bool, std::true_type) noexcept {}

// Select's Running payload: every child, side by side, and whether a poll
// has returned Pending yet (0 or 1: the byte's other values are a niche,
// where the machine keeps its state).
template <class... Fs>
struct SelectArms {
  explicit SelectArms(Fs&&... fs) : arms(std::move(fs)...), polled(0) {}
  SelectArms(SelectArms&&) = default;
  using pollen_niche = Niche<sizeof(std::tuple<Fs...>), 2, 254>;
  using pollen_relocatable = all_of<is_relocatable<Fs>::value...>;
  using pollen_trivially_destroyed = all_of<is_trivially_destroyed<Fs>::value...>;
  std::tuple<Fs...> arms;
  unsigned char polled;  // 0 until a poll returned Pending (then every child was polled)
};

enum class SelectState : unsigned char { Running, Poisoned, Done };
}  // namespace detail

template <bool Biased, class... Fs>
class POLLEN_NODISCARD_TYPE Select
    : public detail::Machine<Select<Biased, Fs...>, detail::SelectState, detail::SelectArms<Fs...>,
                             detail::NoPayload, detail::NoPayload> {
  using Base = detail::Machine<Select<Biased, Fs...>, detail::SelectState, detail::SelectArms<Fs...>,
                               detail::NoPayload, detail::NoPayload>;
  friend Base;
#ifdef POLLEN_STRICT_CANCEL_SAFETY
  static_assert(detail::all_of<::pollen::is_cancel_safe<Fs>::value...>::value,
                "pollen: select() of a future that is not cancel safe (POLLEN_STRICT_CANCEL_SAFETY)");
#endif

  static constexpr std::size_t N = sizeof...(Fs);
  using Tuple = std::tuple<Fs...>;
  using Seq = std::make_index_sequence<N>;

 public:
  using Output = OneOf<output_t<Fs>...>;
  using State = detail::SelectState;
  using pollen_relocatable = typename Base::payloads_relocatable;
  using pollen_trivially_destroyed = typename Base::payloads_trivially_destroyed;
  // select itself loses nothing when dropped only if every child is safe.
  static constexpr bool is_cancel_safe =
      detail::all_of<::pollen::is_cancel_safe<Fs>::value...>::value;

  explicit Select(Fs... fs) : Base(detail::initial, std::move(fs)...) {}
  Select(Select&&) = default;  // the moved-from Select is Done

  void describe(Describer& d) const {
    switch (this->state()) {
      case State::Running:
        d.node(name(), Biased ? "state: Running, polls in argument order"
                              : "state: Running, fair rotation");
        describe_arms(d, Seq());
        return;
      case State::Poisoned:
        d.node(name(), "state: Poisoned");
        return;
      case State::Done:
        d.node(name(), "state: Done");
        return;
    }
  }

 private:
  static const char* name() noexcept { return Biased ? "SelectBiased" : "Select"; }
  static constexpr State kInitial = State::Running;
  static constexpr State kPoisoned = State::Poisoned;
  static constexpr State kFinal = State::Done;
  static constexpr bool kFinalIsError = true;

  Tuple& arms() noexcept { return this->template get<State::Running>().arms; }
  const Tuple& arms() const noexcept { return this->template get<State::Running>().arms; }
  unsigned char& polled() noexcept { return this->template get<State::Running>().polled; }

  // Called in Running: the children in turn until one is Ready. Returning
  // Ready is the cancellation point of the others: the machine destroys
  // every child (the losers and the finished winner) before poll returns.
  Poll<Output> resume(Context& cx) {
    const std::size_t start = Biased ? 0 : detail::select_rotation()++ % N;
    for (std::size_t k = 0; k < N; ++k) {
      const std::size_t i = start + k < N ? start + k : start + k - N;
      Poll<Output> p = poll_arm(i, cx, Seq());
      if (p.is_ready()) {
        warn_dropped(i, start, Seq());
        return p;
      }
    }
    polled() = 1;  // every child has been polled now
    return pending;
  }

  template <std::size_t I>
  Poll<Output> poll_one(Context& cx) {
    Poll<output_t<typename std::tuple_element<I, Tuple>::type>> p = std::get<I>(arms()).poll(cx);
    if (p.is_pending()) return pending;
    return Poll<Output>(in_place, in_place_index<I>, std::move(p).value());
  }
  template <std::size_t... Is>
  Poll<Output> poll_arm(std::size_t i, Context& cx, std::index_sequence<Is...>) {
    // A compare chain the compiler turns into a jump: no indirect call.
    Poll<Output> out = pending;
    bool done = false;
    int each[] = {0, (!done && i == Is ? (out = poll_one<Is>(cx), done = true, 0) : 0)...};
    (void)each;
    return out;
  }

  // Warns about each loser that was polled and is not cancel safe.
  template <std::size_t... Is>
  void warn_dropped(std::size_t winner, std::size_t start, std::index_sequence<Is...>) {
#ifndef NDEBUG
    // A loser was started if an earlier poll polled it, or this poll polled
    // it before the winner.
    auto started = [&](std::size_t i) {
      if (polled() != 0) return true;
      std::size_t pos_i = (i + N - start) % N, pos_w = (winner + N - start) % N;
      return pos_i < pos_w;
    };
    int each[] = {0, (Is != winner ? (detail::warn_if_cancel_unsafe<Fs>(
                                          name(), Is, started(Is),
                                          std::integral_constant<bool, ::pollen::is_cancel_safe<Fs>::value>()),
                                      0)
                                   : 0)...};
    (void)each;
#else
    (void)winner;
    (void)start;
#endif
  }
  template <std::size_t... Is>
  void describe_arms(Describer& d, std::index_sequence<Is...>) const {
    int each[] = {0, (d.child(std::get<Is>(arms())), 0)...};
    (void)each;
  }
};

namespace detail {
// The one check of select(f...) and select_biased(f...): every argument must
// be a future. A failed check is the first error the compiler prints, at the
// call (Rejected, core/future.hpp).
template <bool Biased, class... Fs>
struct select_check {
  static constexpr bool some = sizeof...(Fs) >= 1;
  static constexpr bool all_futures = all_of<is_future<Fs>::value...>::value;
  struct errors {
    static_assert(some, "pollen: select() needs at least one future");
    static_assert(all_futures,
                  "pollen: this type is not a future: every argument of select() must be a future");
  };
  using type = typename std::conditional<some && all_futures, Select<Biased, Fs...>,
                                         Rejected<errors>>::type;
};
}  // namespace detail

// select(f1, ..., fn): the first child to be Ready, fairly rotated. See the
// top of this file.
template <class... Fs>
POLLEN_NODISCARD typename detail::select_check<false, Fs...>::type select(Fs... fs) {
  return detail::build<typename detail::select_check<false, Fs...>::type>(std::move(fs)...);
}

// select_biased(f1, ..., fn): the first child to be Ready, polled in argument
// order.
template <class... Fs>
POLLEN_NODISCARD typename detail::select_check<true, Fs...>::type select_biased(Fs... fs) {
  return detail::build<typename detail::select_check<true, Fs...>::type>(std::move(fs)...);
}

POLLEN_NAMESPACE_END
