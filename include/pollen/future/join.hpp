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
// output is kept. The state lives in the spare values of the first wake
// flag (future/machine.hpp): a Join has no byte of its own for it.
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
#include <pollen/core/describe.hpp>
#include <pollen/core/future.hpp>
#include <pollen/core/future_ext.hpp>
#include <pollen/core/type_traits.hpp>
#include <pollen/future/machine.hpp>
#include <pollen/future/maybe_done.hpp>
#include <pollen/future/wake_list.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>

POLLEN_NAMESPACE_BEGIN

namespace detail {
enum class JoinState : unsigned char { Running, Poisoned, Done };

constexpr std::size_t round_up(std::size_t n, std::size_t align) { return (n + align - 1) / align * align; }

// Join's Running payload: a MaybeDone per child, their wakers, and which
// children must be polled.
template <class... Fs>
struct JoinArms {
  static constexpr std::size_t N = sizeof...(Fs);
  using Children = std::tuple<MaybeDone<Fs>...>;
  using Index = typename std::conditional<(N < 256), unsigned char, std::size_t>::type;

  explicit JoinArms(Fs&&... fs) : children(std::move(fs)...) {
    for (bool& w : woken) w = true;  // the first poll polls every child
  }
  JoinArms(JoinArms&&) = default;

  // woken[0] holds 0 or 1: its other values are a niche (core/layout.hpp).
  // Its offset follows from the members' order (each member of a struct
  // starts at the first suitably aligned offset after the one before).
  static constexpr std::size_t kWokenOffset =
      round_up(sizeof(Children), alignof(JoinWakers)) + sizeof(JoinWakers);
  using pollen_niche = Niche<kWokenOffset, 2, 254>;
  using pollen_relocatable = all_of<is_relocatable<MaybeDone<Fs>>::value...>;

  Children children;
  JoinWakers wakers;  // the shared block, once a child cloned its waker
  bool woken[N];      // child i must be polled
  Index resume = 0;   // the child the next poll starts with (0 unless the
                      // last poll ran out of budget); < N

  // One walk over the woken children, in index order from `resume`,
  // wrapping around; each is polled with a waker that marks it woken. The
  // walk stops after a child that left the budget spent (the next poll
  // resumes after it), or after a child whose output `stop(child)` rejects
  // (called on each child that became Done). The woken children after the
  // stop are left woken; returns true when there were any.
  template <class Stop>
  bool poll_woken(Context& cx, Stop& stop) {
    Walk walk;
    const std::size_t first = resume;
    resume = 0;  // unless the budget runs out on the way
    poll_woken(cx, stop, walk, first, std::index_sequence_for<Fs...>());
    return walk.skipped;
  }
  // How many children hold their output.
  std::size_t done_count() const noexcept { return done_count(std::index_sequence_for<Fs...>()); }
  void describe_children(Describer& d) const { describe_children(d, std::index_sequence_for<Fs...>()); }

 private:
  struct Walk {
    bool stop = false;
    bool skipped = false;
  };
  template <std::size_t I, class Stop>
  void poll_child(Context& cx, Stop& stop, Walk& walk) {
    if (!woken[I]) return;
    if (walk.stop) {
      walk.skipped = true;
      return;
    }
    woken[I] = false;
    auto& child = std::get<I>(children);
    if (child.state() != std::tuple_element<I, Children>::type::State::Future) return;
    JoinWakers::Borrowed b{&wakers, woken, &cx.waker(), static_cast<std::uint32_t>(N),
                           static_cast<std::uint32_t>(I)};
    Waker w(JoinWakers::borrowed_raw(&b));
    Context child_cx(w, cx);
    if (child.poll_step(child_cx) && stop(child)) {
      walk.stop = true;  // the rest are not polled
      return;
    }
    if (cx.budget_spent()) {
      walk.stop = true;
      resume = static_cast<Index>(I + 1 == N ? 0 : I + 1);
    }
  }
  template <class Stop, std::size_t... Is>
  void poll_woken(Context& cx, Stop& stop, Walk& walk, std::size_t first, std::index_sequence<Is...>) {
    // Left to right: index order, from `first` to the end, then the rest.
    int from_first[] = {0, (Is >= first ? poll_child<Is>(cx, stop, walk) : void(), 0)...};
    int wrapped[] = {0, (Is < first ? poll_child<Is>(cx, stop, walk) : void(), 0)...};
    (void)from_first;
    (void)wrapped;
  }
  template <std::size_t... Is>
  std::size_t done_count(std::index_sequence<Is...>) const noexcept {
    std::size_t n = 0;
    int each[] = {0, (n += std::get<Is>(children).state() ==
                               std::tuple_element<Is, Children>::type::State::Done
                           ? std::size_t{1}
                           : std::size_t{0},
                      0)...};
    (void)each;
    return n;
  }
  template <std::size_t... Is>
  void describe_children(Describer& d, std::index_sequence<Is...>) const {
    int each[] = {0, (d.child(std::get<Is>(children)), 0)...};
    (void)each;
  }
};

}  // namespace detail

template <class... Fs>
class POLLEN_NODISCARD_TYPE Join
    : public detail::Machine<Join<Fs...>, detail::JoinState, detail::JoinArms<Fs...>,
                             detail::NoPayload, detail::NoPayload> {
  using Base = detail::Machine<Join<Fs...>, detail::JoinState, detail::JoinArms<Fs...>,
                               detail::NoPayload, detail::NoPayload>;
  friend Base;

  static constexpr std::size_t N = sizeof...(Fs);
  using Arms = detail::JoinArms<Fs...>;
  using Seq = std::index_sequence_for<Fs...>;

 public:
  using Output = std::tuple<output_t<Fs>...>;
  using State = detail::JoinState;
  using pollen_relocatable = typename Base::payloads_relocatable;
  using pollen_trivially_destroyed = typename Base::payloads_trivially_destroyed;
  static constexpr bool is_cancel_safe = detail::all_of<::pollen::is_cancel_safe<Fs>::value...>::value;

  // The children by rvalue reference: each moves once, into its MaybeDone.
  explicit Join(Fs&&... fs) : Base(detail::initial, std::move(fs)...) {}
  Join(Join&&) = default;  // the moved-from Join is Done

  // How many children have their output (0 unless Running).
  std::size_t ready_count() const noexcept {
    return this->state() == State::Running ? arms().done_count() : 0;
  }

  void describe(Describer& d) const {
    switch (this->state()) {
      case State::Running:
        d.node("Join", std::to_string(ready_count()) + " of " + std::to_string(N) + " ready");
        arms().describe_children(d);
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
  static const char* name() noexcept { return "Join"; }
  static constexpr State kInitial = State::Running;
  static constexpr State kPoisoned = State::Poisoned;
  static constexpr State kFinal = State::Done;
  static constexpr bool kFinalIsError = true;

  Arms& arms() noexcept { return this->template get<State::Running>(); }
  const Arms& arms() const noexcept { return this->template get<State::Running>(); }

  // Called in Running: polls the woken children. When every child has its
  // output, the outputs move into the result here, before the machine
  // enters Done: a move that throws leaves the Join Poisoned (the outputs
  // not moved yet are destroyed with the children).
  Poll<Output> resume(Context& cx) {
    arms().wakers.begin_poll(cx.waker(), arms().woken);
    detail::KeepEveryOutput keep;
    if (arms().poll_woken(cx, keep)) cx.waker().wake();  // the children left woken need another poll
    if (arms().done_count() != N) return pending;
    return Poll<Output>(in_place, take_outputs(Seq()));
  }

  template <std::size_t... Is>
  Output take_outputs(std::index_sequence<Is...>) {
    return Output(std::get<Is>(arms().children).take_output()...);
  }
};

namespace detail {
// The one check of join(f...): every argument must be a future. A failed
// check is the first error the compiler prints, at the call, and the call
// then yields a NotAFuture, which keeps quiet (Rejected, core/future.hpp).
template <class... Fs>
struct join_check {
  static constexpr bool some = sizeof...(Fs) >= 1;
  static constexpr bool all_futures = all_of<is_future<Fs>::value...>::value;
  struct errors {
    static_assert(some, "pollen: join() needs at least one future");
    static_assert(all_futures,
                  "pollen: this type is not a future: every argument of join() must be a future");
  };
  using type = typename std::conditional<some && all_futures, Join<Fs...>, Rejected<errors>>::type;
};
}  // namespace detail

// join(f1, ..., fn): Ready with the tuple of all outputs. See the top of this
// file.
template <class... Fs>
POLLEN_NODISCARD typename detail::join_check<Fs...>::type join(Fs... fs) {
  return detail::build<typename detail::join_check<Fs...>::type>(std::move(fs)...);
}

POLLEN_NAMESPACE_END
