// pollen/future/join.hpp: join(f1, ..., fn), wait for all of them; Ready
// with a std::tuple of their outputs.
//
// States:
//
//     Running --every child Ready--> Done
//        |
//        | a child's poll threw (every child destroyed)
//        v
//     Poisoned
//
//   State::Running   holds one MaybeDone per child (a child future, or its
//                    output once it was Ready) and one wake flag per child
//   State::Poisoned  holds nothing (a poll threw; polling again is an error)
//   State::Done      holds nothing (the tuple was returned)
//
// This is futures-rs's Join: each child sits in a MaybeDone
// (maybe_done.hpp), so a finished child is destroyed at once and only its
// output is kept.
//
// What it does: the first poll polls every child. After that, a child is
// polled again only when its own waker fired: the join gives each child a
// waker of its own that sets that child's flag and wakes the join's task
// (wake_list.hpp). Children woken since the last poll are polled in index
// order, each at most once per poll.
//
// The cooperative budget (core/context.hpp): when a child's poll leaves the
// budget spent, the join stops there (the children it did not reach stay
// woken, and the task is woken again), and its next poll starts with the
// child after that one, wrapping around. So a child that spends the whole
// budget on every poll cannot starve its siblings: each woken sibling is
// polled before that child is polled again.
//
// Cost of the per-child wakers: while polling child i the join builds, on
// the stack, a borrowed waker (no allocation, no reference counting). Only
// when some child clones its waker (to keep it beyond its poll, as a timer
// or a channel does) does the join allocate one shared block for all its
// children (a reference count, a mutex, a ready list, one 16-byte slot per
// child). After that, each poll of the join takes the block's lock once, and
// each first wake of a child takes it once. A join of children that never
// keep their waker allocates nothing.
//
// Output: std::tuple<output of f1, ..., output of fn>, in argument order.
// Cancellation: destroying it while Running destroys every child still
// running and every output not yet returned. A child is destroyed as soon as
// it is Ready (its output is kept).
// Contract errors: polling it after Ready ("Join polled after it returned
// Ready"); polling it again after a poll threw.
// Polling order: woken children in index order (all of them on the first
// poll); after a poll that ran out of budget at child i, from child i + 1 on,
// wrapping around.
// Example:
//   auto both = pollen::join(fetch_user(id), fetch_orders(id));
//   std::tuple<User, Orders> r = pollen::block_on(std::move(both));
#pragma once

#include <pollen/config.hpp>
#include <pollen/core/cancel_safe.hpp>
#include <pollen/core/contract.hpp>
#include <pollen/core/describe.hpp>
#include <pollen/core/future.hpp>
#include <pollen/future/future_ext.hpp>
#include <pollen/future/maybe_done.hpp>
#include <pollen/future/state_helpers.hpp>
#include <pollen/future/wake_list.hpp>

#include <cstddef>
#include <cstdint>
#include <new>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>

POLLEN_NAMESPACE_BEGIN

namespace detail {
template <bool... Bs>
struct all_true : std::true_type {};
template <bool B, bool... Bs>
struct all_true<B, Bs...> : std::integral_constant<bool, B && all_true<Bs...>::value> {};

template <std::size_t... Is>
struct index_seq {};
template <std::size_t N, std::size_t... Is>
struct make_index_seq_impl : make_index_seq_impl<N - 1, N - 1, Is...> {};
template <std::size_t... Is>
struct make_index_seq_impl<0, Is...> {
  using type = index_seq<Is...>;
};
template <std::size_t N>
using make_index_seq = typename make_index_seq_impl<N>::type;
}  // namespace detail

template <class... Fs>
class POLLEN_NODISCARD_TYPE Join : public FutureExt<Join<Fs...>> {
  static_assert(sizeof...(Fs) >= 1, "pollen: join() needs at least one future");
  static_assert(detail::all_true<is_future<Fs>::value...>::value,
                "pollen: this type is not a future: every argument of join() must be a future");

  static constexpr std::size_t N = sizeof...(Fs);
  using Children = std::tuple<MaybeDone<Fs>...>;
  using Seq = detail::make_index_seq<N>;

 public:
  using Output = std::tuple<output_t<Fs>...>;
  enum class State : unsigned char { Running, Poisoned, Done };
  static constexpr bool is_cancel_safe =
      detail::all_true<::pollen::is_cancel_safe<Fs>::value...>::value;

  explicit Join(Fs... fs) : state_(State::Running) {
    ::new (static_cast<void*>(&u_.children)) Children(MaybeDone<Fs>(std::move(fs))...);
    for (bool& w : woken_) w = true;  // the first poll polls every child
  }
  // Moving takes the state: the moved-from Join is Done.
  Join(Join&& o) noexcept(detail::all_true<std::is_nothrow_move_constructible<Fs>::value...>::value)
      : wakers_(std::move(o.wakers_)), resume_(o.resume_), state_(o.state_) {
    for (std::size_t i = 0; i < N; ++i) woken_[i] = o.woken_[i];
    if (state_ == State::Running) {
      ::new (static_cast<void*>(&u_.children)) Children(std::move(o.u_.children));
    }
    o.leave(State::Done);
  }
  Join& operator=(Join&&) = delete;
  ~Join() { leave(State::Done); }

  Poll<Output> poll(Context& cx) {
    detail::observe_poll(cx, this);
    switch (state_) {
      case State::Running:
        break;
      case State::Poisoned:
        detail::polled_after_throw("Join");
      case State::Done:
        detail::polled_after_ready("Join");
    }
    wakers_.begin_poll(cx.waker(), woken_);
    {
      detail::UnwindGuard<Join> guard(this);
      poll_woken(cx, Seq());
      guard.dismiss();
    }
    if (ready_count() != N) return pending;
    return finish();
  }

  State state() const noexcept { return state_; }
  // How many children have their output (0 unless Running).
  std::size_t ready_count() const noexcept { return state_ == State::Running ? count(Seq()) : 0; }

  void describe(Describer& d) const {
    switch (state_) {
      case State::Running:
        d.node("Join", std::to_string(ready_count()) + " of " + std::to_string(N) + " ready");
        describe_children(d, Seq());
        return;
      case State::Poisoned:
        d.node("Join", "state: Poisoned");
        return;
      case State::Done:
        d.node("Join", "state: Done");
        return;
    }
  }

 private:
  friend class detail::UnwindGuard<Join>;

  // One walk over the children, in index order from resume_, wrapping
  // around. `stop` is set once a child left the budget spent; the woken
  // children after it are skipped (left woken) for the next poll.
  struct Walk {
    bool stop = false;
    bool skipped = false;
  };
  template <std::size_t I>
  void poll_child(Context& cx, Walk& walk) {
    if (!woken_[I]) return;
    if (walk.stop) {
      walk.skipped = true;
      return;
    }
    woken_[I] = false;
    auto& child = std::get<I>(u_.children);
    if (child.state() != MaybeDone<typename std::tuple_element<I, std::tuple<Fs...>>::type>::State::Future) {
      return;
    }
    detail::JoinWakers::Borrowed b{&wakers_, woken_, &cx.waker(), static_cast<std::uint32_t>(N),
                                   static_cast<std::uint32_t>(I)};
    Waker w(detail::JoinWakers::borrowed_raw(&b));
    Context child_cx(w, cx);
    (void)child.poll_step(child_cx);
    if (cx.budget_spent()) {
      walk.stop = true;
      resume_ = static_cast<Index>(I + 1 == N ? 0 : I + 1);
    }
  }
  template <std::size_t... Is>
  void poll_woken(Context& cx, detail::index_seq<Is...>) {
    const std::size_t first = resume_;
    resume_ = 0;  // unless the budget runs out on the way
    Walk walk;
    // Left to right: index order, from `first` to the end, then the rest.
    int from_first[] = {0, (Is >= first ? poll_child<Is>(cx, walk) : void(), 0)...};
    int wrapped[] = {0, (Is < first ? poll_child<Is>(cx, walk) : void(), 0)...};
    (void)from_first;
    (void)wrapped;
    if (walk.skipped) cx.waker().wake();  // the children left woken need another poll
  }
  template <std::size_t... Is>
  std::size_t count(detail::index_seq<Is...>) const noexcept {
    std::size_t n = 0;
    int each[] = {0, (n += std::get<Is>(u_.children).state() ==
                               MaybeDone<typename std::tuple_element<Is, std::tuple<Fs...>>::type>::State::Done
                           ? 1
                           : 0,
                      0)...};
    (void)each;
    return n;
  }
  // Every child is Done: moves the outputs into the result, then enters
  // Done. A move that throws poisons (the outputs not moved yet are
  // destroyed with the children). See state_helpers.hpp.
  Poll<Output> finish() {
    detail::UnwindGuard<Join> guard(this);
    Poll<Output> out(take_outputs(Seq()));
    guard.dismiss();
    leave(State::Done);
    return out;
  }
  template <std::size_t... Is>
  Output take_outputs(detail::index_seq<Is...>) {
    return Output(std::get<Is>(u_.children).take_output()...);
  }
  template <std::size_t... Is>
  void describe_children(Describer& d, detail::index_seq<Is...>) const {
    int each[] = {0, (d.child(std::get<Is>(u_.children)), 0)...};
    (void)each;
  }

  void leave(State next) noexcept {
    if (state_ == State::Running) u_.children.~Children();
    wakers_.close();
    state_ = next;
  }
  void poison() noexcept { leave(State::Poisoned); }

  union U {
    U() noexcept : none() {}
    ~U() {}
    char none;  // valid when no other member is (no state holds anything)
    Children children;  // valid in State::Running
  } u_;
  using Index = typename std::conditional<(N < 256), unsigned char, std::size_t>::type;

  detail::JoinWakers wakers_;  // the shared block, once a child cloned its waker
  bool woken_[N];              // child i must be polled; meaningful in State::Running
  Index resume_ = 0;           // the child the next poll starts with (0 unless the
                               // last poll ran out of budget); < N
  State state_;
};

namespace detail {
template <bool AllFutures, class... Fs>
struct join_type {
  using type = NotAFuture;
};
template <class... Fs>
struct join_type<true, Fs...> {
  using type = Join<Fs...>;
};
template <class R, class... Fs>
R make_join(std::true_type, Fs&&... fs) {
  return R(std::move(fs)...);
}
template <class R, class... Fs>
R make_join(std::false_type, Fs&&...) {
  return R{};
}
}  // namespace detail

// join(f1, ..., fn): Ready with the tuple of all outputs. See the top of this
// file.
template <class... Fs>
POLLEN_NODISCARD typename detail::join_type<detail::all_true<is_future<Fs>::value...>::value,
                                            Fs...>::type
join(Fs... fs) {
  static_assert(detail::all_true<is_future<Fs>::value...>::value,
                "pollen: this type is not a future: every argument of join() must be a future");
  using R = typename detail::join_type<detail::all_true<is_future<Fs>::value...>::value, Fs...>::type;
  return detail::make_join<R>(
      std::integral_constant<bool, detail::all_true<is_future<Fs>::value...>::value>(),
      std::move(fs)...);
}

POLLEN_NAMESPACE_END
