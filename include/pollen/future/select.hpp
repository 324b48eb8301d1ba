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
//   auto first = pollen::select(read_line(), pollen::sleep_for(1s));
//   auto r = pollen::block_on(std::move(first));
//   if (r.index() == 0) use(pollen::get<0>(std::move(r)));
#pragma once

#include <pollen/config.hpp>
#include <pollen/core/cancel_safe.hpp>
#include <pollen/core/contract.hpp>
#include <pollen/core/describe.hpp>
#include <pollen/core/future.hpp>
#include <pollen/core/option.hpp>
#include <pollen/future/future_ext.hpp>
#include <pollen/future/join.hpp>  // detail::all_true, detail::index_seq
#include <pollen/future/one_of.hpp>
#include <pollen/future/state_helpers.hpp>

#include <cstddef>
#include <new>
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
}  // namespace detail

template <bool Biased, class... Fs>
class POLLEN_NODISCARD_TYPE Select : public FutureExt<Select<Biased, Fs...>> {
  static_assert(sizeof...(Fs) >= 1, "pollen: select() needs at least one future");
  static_assert(detail::all_true<is_future<Fs>::value...>::value,
                "pollen: this type is not a future: every argument of select() must be a future");
#ifdef POLLEN_STRICT_CANCEL_SAFETY
  static_assert(detail::all_true<::pollen::is_cancel_safe<Fs>::value...>::value,
                "pollen: select() of a future that is not cancel safe (POLLEN_STRICT_CANCEL_SAFETY)");
#endif

  static constexpr std::size_t N = sizeof...(Fs);
  using Arms = std::tuple<Fs...>;
  using Seq = detail::make_index_seq<N>;

 public:
  using Output = OneOf<output_t<Fs>...>;
  enum class State : unsigned char { Running, Poisoned, Done };
  // select itself loses nothing when dropped only if every child is safe.
  static constexpr bool is_cancel_safe =
      detail::all_true<::pollen::is_cancel_safe<Fs>::value...>::value;

  explicit Select(Fs... fs) : state_(State::Running) {
    ::new (static_cast<void*>(&u_.arms)) Arms(std::move(fs)...);
  }
  // Moving takes the state: the moved-from Select is Done.
  Select(Select&& o) noexcept(detail::all_true<std::is_nothrow_move_constructible<Fs>::value...>::value)
      : polled_(o.polled_), state_(o.state_) {
    if (state_ == State::Running) ::new (static_cast<void*>(&u_.arms)) Arms(std::move(o.u_.arms));
    o.leave(State::Done);
  }
  Select& operator=(Select&&) = delete;
  ~Select() { leave(State::Done); }

  Poll<Output> poll(Context& cx) {
    detail::observe_poll(cx, this);
    switch (state_) {
      case State::Running:
        break;
      case State::Poisoned:
        detail::polled_after_throw(name());
      case State::Done:
        detail::polled_after_ready(name());
    }
    std::size_t start = Biased ? 0 : detail::select_rotation()++ % N;
    Option<Output> out;
    std::size_t winner = N;
    {
      detail::UnwindGuard<Select> guard(this);
      for (std::size_t k = 0; k < N && winner == N; ++k) {
        std::size_t i = start + k < N ? start + k : start + k - N;
        if (poll_arm(i, cx, out, Seq())) winner = i;
      }
      guard.dismiss();
    }
    if (winner == N) {
      polled_ = 2;  // every child has been polled now
      return pending;
    }
    return finish(out, winner, start);
  }

  State state() const noexcept { return state_; }

  void describe(Describer& d) const {
    switch (state_) {
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
  friend class detail::UnwindGuard<Select>;
  static const char* name() noexcept { return Biased ? "SelectBiased" : "Select"; }

  // A child won with `out`: moves it into the result, then destroys every
  // child (the cancellation point) and enters Done. A move that throws
  // poisons (state_helpers.hpp).
  Poll<Output> finish(Option<Output>& out, std::size_t winner, std::size_t start) {
    detail::UnwindGuard<Select> guard(this);
    Poll<Output> r(std::move(out).value());
    warn_dropped(winner, start, Seq());
    guard.dismiss();
    leave(State::Done);  // the losers (and the finished winner) go now
    return r;
  }

  template <std::size_t I>
  bool poll_one(Context& cx, Option<Output>& out) {
    Poll<output_t<typename std::tuple_element<I, Arms>::type>> p = std::get<I>(u_.arms).poll(cx);
    if (p.is_pending()) return false;
    out.emplace(in_place_index<I>, std::move(p).value());
    return true;
  }
  template <std::size_t... Is>
  bool poll_arm(std::size_t i, Context& cx, Option<Output>& out, detail::index_seq<Is...>) {
    bool ready = false;
    int each[] = {0, (i == Is ? (ready = poll_one<Is>(cx, out), 0) : 0)...};
    (void)each;
    return ready;
  }

  // Warns about each loser that was polled and is not cancel safe.
  template <std::size_t... Is>
  void warn_dropped(std::size_t winner, std::size_t start, detail::index_seq<Is...>) {
#ifndef NDEBUG
    // A loser was started if an earlier poll polled it, or this poll polled
    // it before the winner.
    auto started = [&](std::size_t i) {
      if (polled_ != 0) return true;
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
  void describe_arms(Describer& d, detail::index_seq<Is...>) const {
    int each[] = {0, (d.child(std::get<Is>(u_.arms)), 0)...};
    (void)each;
  }

  void leave(State next) noexcept {
    if (state_ == State::Running) u_.arms.~Arms();
    state_ = next;
  }
  void poison() noexcept { leave(State::Poisoned); }

  union U {
    U() noexcept : none() {}
    ~U() {}
    char none;  // valid when no other member is (no state holds anything)
    Arms arms;  // valid in State::Running
  } u_;
  unsigned char polled_ = 0;  // 0 until a poll returned Pending (then every child was polled)
  State state_;
};

namespace detail {
template <bool Biased, bool AllFutures, class... Fs>
struct select_type {
  using type = NotAFuture;
};
template <bool Biased, class... Fs>
struct select_type<Biased, true, Fs...> {
  using type = Select<Biased, Fs...>;
};
}  // namespace detail

// select(f1, ..., fn): the first child to be Ready, fairly rotated. See the
// top of this file.
template <class... Fs>
POLLEN_NODISCARD
    typename detail::select_type<false, detail::all_true<is_future<Fs>::value...>::value, Fs...>::type
    select(Fs... fs) {
  static_assert(detail::all_true<is_future<Fs>::value...>::value,
                "pollen: this type is not a future: every argument of select() must be a future");
  using R =
      typename detail::select_type<false, detail::all_true<is_future<Fs>::value...>::value, Fs...>::type;
  return detail::make_join<R>(
      std::integral_constant<bool, detail::all_true<is_future<Fs>::value...>::value>(),
      std::move(fs)...);
}

// select_biased(f1, ..., fn): the first child to be Ready, polled in argument
// order.
template <class... Fs>
POLLEN_NODISCARD
    typename detail::select_type<true, detail::all_true<is_future<Fs>::value...>::value, Fs...>::type
    select_biased(Fs... fs) {
  static_assert(detail::all_true<is_future<Fs>::value...>::value,
                "pollen: this type is not a future: every argument of select_biased() must be a future");
  using R =
      typename detail::select_type<true, detail::all_true<is_future<Fs>::value...>::value, Fs...>::type;
  return detail::make_join<R>(
      std::integral_constant<bool, detail::all_true<is_future<Fs>::value...>::value>(),
      std::move(fs)...);
}

POLLEN_NAMESPACE_END
