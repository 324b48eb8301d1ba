// pollen/future/machine.hpp: Machine, the base every combinator is built on.
//
// A combinator is an enum-state machine: an `enum class State`, what each
// state holds, and the transitions between them. Everything else it needs is
// the same for every combinator and lives here, once:
//
//   * tagged storage keyed by the State enum: each state's payload (or
//     nothing) in one buffer, so that the machine is as big as its largest
//     state plus a tag, never the sum of its states;
//   * the tag in a niche when it can (core/layout.hpp): when the payload of
//     one state has spare values in one of its bytes (Option's engaged byte,
//     another machine's state byte), the other states are written there and
//     the machine has no byte of its own, the way Rust lays out its enums;
//   * the poll prologue: report the poll to an observer (when
//     POLLEN_OBSERVE_POLLS is on), and the ContractErrors for polling a
//     machine again after it returned Ready or after its poll threw;
//   * the unwind guard: a poll that throws (a child's poll or a user
//     function) leaves the machine Poisoned, with every payload destroyed;
//   * moves: a machine moved from is left in its final state, as if it had
//     returned Ready (polling it is the usual ContractError).
//
// A combinator derives from Machine<Self, State, Payload...> (one payload
// type per enumerator of State, in order; NoPayload for a state that holds
// nothing) and provides
//
//   static const char* name();            // "Map": for the ContractErrors
//   static constexpr State kInitial;      // where Machine(initial, args...) starts
//   static constexpr State kPoisoned;     // where a throw leaves it
//   static constexpr State kFinal;        // after Ready, and when moved from
//   static constexpr bool kFinalIsError;  // polling in kFinal is a ContractError
//   Poll<Output> resume(Context& cx);     // the transitions, from state()
//
// Machine::poll() runs the prologue, calls resume() under the unwind guard,
// and enters kFinal when resume() returns Ready. Inside resume() the machine
// changes state with enter<S>(args...) (from a state that holds nothing) and
// leave(S) (destroys the current payload, enters a state that holds
// nothing); get<S>() is the payload of the current state S.
//
// Invariant: the tag always names the state whose payload is alive (or one
// that holds nothing). Every transition keeps it: leave() destroys first and
// then writes the tag; enter() constructs and then writes the tag, and puts
// the old tag back if the constructor throws.
#pragma once

#include <pollen/config.hpp>
#include <pollen/core/contract.hpp>
#include <pollen/core/context.hpp>
#include <pollen/core/future.hpp>
#include <pollen/core/future_ext.hpp>
#include <pollen/core/layout.hpp>
#include <pollen/core/type_traits.hpp>

#include <cstddef>
#include <cstring>
#include <new>
#include <type_traits>
#include <utility>

POLLEN_NAMESPACE_BEGIN
namespace detail {

// The payload of a state that holds nothing.
struct NoPayload {};

// Machine(initial, args...): start in D::kInitial with a payload made of args.
struct Initial {
  constexpr explicit Initial(int) noexcept {}
};
constexpr Initial initial{0};

template <class P>
struct payload_size : std::integral_constant<std::size_t, sizeof(P)> {};
template <>
struct payload_size<NoPayload> : std::integral_constant<std::size_t, 0> {};

constexpr std::size_t max_size() { return 0; }
template <class... Rest>
constexpr std::size_t max_size(std::size_t a, Rest... rest) {
  return a > max_size(rest...) ? a : max_size(rest...);
}

// Where a machine keeps its tag: in the niche of payload `holder`, or (holder
// == -1) in a byte of its own after the payloads. A payload can hold the tag
// when its niche has a spare value for every other state and every other
// payload fits in the bytes before the niche byte (so it never overwrites
// the tag while alive).
template <std::size_t N>
constexpr bool can_hold_tag(std::size_t i, const std::size_t (&sizes)[N],
                            const std::size_t (&offsets)[N], const unsigned (&counts)[N]) {
  if (sizes[i] == 0 || counts[i] < N - 1) return false;
  for (std::size_t j = 0; j < N; ++j) {
    if (j != i && sizes[j] > offsets[i]) return false;
  }
  return true;
}
template <std::size_t N>
constexpr int pick_tag_holder(const std::size_t (&sizes)[N], const std::size_t (&offsets)[N],
                              const unsigned (&counts)[N]) {
  for (std::size_t i = 0; i < N; ++i) {
    if (can_hold_tag(i, sizes, offsets, counts)) return static_cast<int>(i);
  }
  return -1;
}

template <class... Ps>
struct TagPlan {
  static constexpr std::size_t N = sizeof...(Ps);
  static constexpr std::size_t sizes[N] = {payload_size<Ps>::value...};
  static constexpr std::size_t offsets[N] = {niche_t<Ps>::offset...};
  static constexpr unsigned counts[N] = {niche_t<Ps>::count...};
  static constexpr unsigned firsts[N] = {niche_t<Ps>::first...};

  static constexpr int holder = pick_tag_holder(sizes, offsets, counts);
  static constexpr std::size_t h = holder >= 0 ? static_cast<std::size_t>(holder) : 0;
  static constexpr std::size_t storage = max_size(payload_size<Ps>::value...);
  static constexpr std::size_t payload_bytes = storage == 0 ? 1 : storage;
  // The tag byte's offset, and (holder >= 0) the payload's first spare value.
  static constexpr std::size_t tag_offset = holder >= 0 ? offsets[h] : payload_bytes;
  static constexpr unsigned first = holder >= 0 ? firsts[h] : 0;
  // The niche the machine offers to its own parent.
  static constexpr unsigned niche_first =
      holder >= 0 ? first + static_cast<unsigned>(N - 1) : static_cast<unsigned>(N);
  static constexpr unsigned niche_count =
      holder >= 0 ? counts[h] - static_cast<unsigned>(N - 1) : 256u - static_cast<unsigned>(N);
  using niche = Niche<tag_offset, niche_first, niche_count>;
};
template <class... Ps>
constexpr std::size_t TagPlan<Ps...>::sizes[];
template <class... Ps>
constexpr std::size_t TagPlan<Ps...>::offsets[];
template <class... Ps>
constexpr unsigned TagPlan<Ps...>::counts[];
template <class... Ps>
constexpr unsigned TagPlan<Ps...>::firsts[];

template <class T>
struct type_is {
  using type = T;
};
template <std::size_t I, class... Ps>
struct nth_type;
template <class P, class... Ps>
struct nth_type<0, P, Ps...> : type_is<P> {};
template <std::size_t I, class P, class... Ps>
struct nth_type<I, P, Ps...> : nth_type<I - 1, Ps...> {};

// The bytes of a machine: its payloads, one at a time, and its tag when it
// has a byte of its own for it (else the tag is in a payload's niche). No
// member is initialised here: an initialised dummy byte would be written with
// a 1-byte store and read back with wider loads, which stalls the CPU (the
// store cannot be forwarded).
template <std::size_t Size, std::size_t Align, bool OwnTag>
struct MachineBytes {
  alignas(Align) unsigned char payload[Size];
  unsigned char tag;
};
template <std::size_t Size, std::size_t Align>
struct MachineBytes<Size, Align, false> {
  alignas(Align) unsigned char payload[Size];
};

template <class D, class E, class... Ps>
class Machine : public FutureExt<D> {
  using Plan = TagPlan<Ps...>;
  static constexpr std::size_t N = sizeof...(Ps);
  static constexpr int kHolder = Plan::holder;
  static constexpr std::size_t kAlign = max_size(alignof(Ps)...);

  template <E S>
  using payload = typename nth_type<static_cast<std::size_t>(S), Ps...>::type;
  template <std::size_t I>
  using Index = std::integral_constant<std::size_t, I>;

 public:
  using State = E;
  // The niche this machine offers to a machine that holds it.
  using pollen_niche = typename Plan::niche;
  // Whether the payloads are all relocatable / trivially destroyed
  // (core/layout.hpp). A combinator that adds no members of its own declares
  //   using pollen_relocatable = typename Base::payloads_relocatable;
  //   using pollen_trivially_destroyed = typename Base::payloads_trivially_destroyed;
  // one with members of its own decides for itself (the default is no).
  using payloads_relocatable = all_of<is_relocatable<Ps>::value...>;
  using payloads_trivially_destroyed = all_of<is_trivially_destroyed<Ps>::value...>;

  State state() const noexcept { return static_cast<State>(index()); }

  // The prologue, resume() under the unwind guard, kFinal after Ready.
  template <class Self = D>
  Poll<typename Self::Output> poll(Context& cx) {
    begin_poll(cx);
    PoisonOnUnwind guard(this);
    Poll<typename Self::Output> p = self().resume(cx);
    guard.dismiss();
    if (p.is_ready()) leave(D::kFinal);
    return p;
  }

  // The stream entry point (stream/stream.hpp), for a machine that is a
  // stream: instead of resume() and kFinalIsError, D provides
  //
  //   using Item = T;
  //   Poll<Option<T>> resume_next(Context& cx);  // the transitions
  //   static constexpr bool kPoisonsOnThrow;     // see below
  //
  // and its kFinal is the state "the stream has ended". poll_next() reports
  // the poll to the observer; in kFinal it returns Ready(none) without
  // calling resume_next(): library streams are fused, the end is the end
  // forever (and a moved-from stream has ended). Otherwise it calls
  // resume_next(), and enters kFinal when that returns Ready(none).
  //
  // kPoisonsOnThrow says what an exception out of resume_next() does. When
  // true (D then has a kPoisoned state), the stream is left Poisoned with
  // every payload destroyed, and polling it again is the ContractError
  // "polled again after its poll threw", as for a future. When false, the
  // exception propagates and the stream stays in the state it was in: a
  // stream combinator whose function threw has lost that one item, and the
  // stream it reads from is still good.
  template <class Self = D>
  Poll<Option<typename Self::Item>> poll_next(Context& cx) {
    observe_poll(cx, &self());
    if (state() == D::kFinal) return Poll<Option<typename Self::Item>>(in_place);
    return resume_stream<Self>(cx, std::integral_constant<bool, Self::kPoisonsOnThrow>());
  }

  // For a machine that is a stream: true once the stream has ended (or was
  // moved from): poll_next returns none from now on and polls nothing.
  // False while it runs, and when it is Poisoned (polling it then is a
  // ContractError, not the end). futures-rs's FusedStream::is_terminated;
  // is_fused_stream<S> (stream/stream.hpp) detects it. A future has no Item
  // and no is_terminated() (fuse(f) has its own).
  template <class Self = D, class = typename Self::Item>
  bool is_terminated() const noexcept {
    return state() == D::kFinal;
  }

 protected:
  // The prologue of every poll: the observer, then the ContractErrors for a
  // machine that is Poisoned, or in kFinal when that is an error.
  void begin_poll(Context& cx) {
    observe_poll(cx, &self());
    const State s = state();
    if (POLLEN_UNLIKELY(s == D::kPoisoned)) polled_after_throw(D::name());
    if (D::kFinalIsError && POLLEN_UNLIKELY(s == D::kFinal)) polled_after_ready(D::name());
  }

  // Leaves the machine Poisoned when the scope is left by an exception.
  class PoisonOnUnwind {
   public:
    explicit PoisonOnUnwind(Machine* m) noexcept : machine_(m) {}
    PoisonOnUnwind(const PoisonOnUnwind&) = delete;
    PoisonOnUnwind& operator=(const PoisonOnUnwind&) = delete;
    ~PoisonOnUnwind() {
      if (machine_ != nullptr) machine_->poison();
    }
    void dismiss() noexcept { machine_ = nullptr; }

   private:
    Machine* machine_;
  };

  // A machine starting in D::kInitial, its payload made from args.
  template <class... Args>
  explicit Machine(Initial, Args&&... args) {
    construct<D::kInitial>(std::forward<Args>(args)...);
    write_tag(D::kInitial);
  }
  // Moving takes the state: the moved-from machine is in kFinal. When every
  // payload is relocatable, that is a copy of the bytes (the source's payload
  // now belongs to this machine: it is not destroyed) and one tag write, in
  // constant time however deep the machine nests.
  Machine(Machine&& o) noexcept(all_of<std::is_nothrow_move_constructible<Ps>::value...>::value) {
    move(o, payloads_relocatable());
  }
  Machine& operator=(Machine&&) = delete;
  ~Machine() { destroy(); }

  template <E S>
  payload<S>& get() noexcept {
    return *reinterpret_cast<payload<S>*>(static_cast<void*>(m_.payload));
  }
  template <E S>
  const payload<S>& get() const noexcept {
    return *reinterpret_cast<const payload<S>*>(static_cast<const void*>(m_.payload));
  }

  // From a state that holds nothing: makes S's payload and enters S. If the
  // payload's constructor throws, the machine stays where it was.
  template <E S, class... Args>
  void enter(Args&&... args) {
    enter_with<S>(Construct(), std::forward<Args>(args)...);
  }
  // enter<S>(fn(args...)), with the payload made from fn's result where it
  // lives (no move of the result).
  template <E S, class Fn, class... Args>
  void enter_result(Fn&& fn, Args&&... args) {
    enter_with<S>(Call(), std::forward<Fn>(fn), std::forward<Args>(args)...);
  }
  // Destroys what the current state holds and enters `next` (a state that
  // holds nothing).
  void leave(State next) noexcept {
    destroy();
    write_tag(next);
  }
  void poison() noexcept { leave(D::kPoisoned); }

  D& self() noexcept { return static_cast<D&>(*this); }
  const D& self() const noexcept { return static_cast<const D&>(*this); }

 private:
  // poll_next() after its prologue, in a state other than kFinal.
  template <class Self>
  Poll<Option<typename Self::Item>> resume_stream(Context& cx, std::true_type) {
    if (POLLEN_UNLIKELY(state() == D::kPoisoned)) polled_after_throw(D::name());
    PoisonOnUnwind guard(this);
    Poll<Option<typename Self::Item>> p = self().resume_next(cx);
    guard.dismiss();
    if (p.is_ready() && !p.value().has_value()) leave(D::kFinal);
    return p;
  }
  template <class Self>
  Poll<Option<typename Self::Item>> resume_stream(Context& cx, std::false_type) {
    Poll<Option<typename Self::Item>> p = self().resume_next(cx);
    if (p.is_ready() && !p.value().has_value()) leave(D::kFinal);
    return p;
  }

  std::size_t index() const noexcept { return read_tag(std::integral_constant<bool, (kHolder >= 0)>()); }
  std::size_t read_tag(std::false_type) const noexcept { return m_.tag; }
  std::size_t read_tag(std::true_type) const noexcept {
    const unsigned b = *niche_byte<Niche<Plan::tag_offset, 0, 0>>(m_.payload);
    if (b < Plan::first) return static_cast<std::size_t>(kHolder);
    const std::size_t r = b - Plan::first;
    return r < static_cast<std::size_t>(kHolder) ? r : r + 1;
  }
  void write_tag(State s) noexcept { write_tag(s, std::integral_constant<bool, (kHolder >= 0)>()); }
  void write_tag(State s, std::false_type) noexcept { m_.tag = static_cast<unsigned char>(s); }
  void write_tag(State s, std::true_type) noexcept {
    const std::size_t i = static_cast<std::size_t>(s);
    if (i == static_cast<std::size_t>(kHolder)) return;  // the payload's own byte says so
    const std::size_t r = i < static_cast<std::size_t>(kHolder) ? i : i - 1;
    *niche_byte<Niche<Plan::tag_offset, 0, 0>>(m_.payload) = static_cast<unsigned char>(Plan::first + r);
  }

  template <E S, class... Args>
  void construct(Args&&... args) {
    ::new (static_cast<void*>(m_.payload)) payload<S>(std::forward<Args>(args)...);
  }
  struct Construct {};
  struct Call {};
  template <E S, class... Args>
  void make(Construct, Args&&... args) {
    construct<S>(std::forward<Args>(args)...);
  }
  template <E S, class Fn, class... Args>
  void make(Call, Fn&& fn, Args&&... args) {
    ::new (static_cast<void*>(m_.payload))
        payload<S>(detail::invoke(std::forward<Fn>(fn), std::forward<Args>(args)...));
  }
  template <E S, class How, class... Args>
  void enter_with(How how, Args&&... args) {
    const State before = state();
#if POLLEN_HAS_EXCEPTIONS
    try {
      make<S>(how, std::forward<Args>(args)...);
    } catch (...) {
      write_tag(before);  // the holder's constructor may have written the niche byte
      throw;
    }
#else
    make<S>(how, std::forward<Args>(args)...);
#endif
    (void)before;
    write_tag(S);
  }

  // The payload of the current state, found by a chain of compares (a jump
  // table once compiled); payloads that need no destructor cost nothing.
  // The tag is read once, before anything is destroyed: once the payload
  // that holds it in its niche is destroyed, that byte is not the tag any
  // more (its lifetime ended with the payload's) until the next write_tag().
  void destroy() noexcept { destroy(index(), Index<0>()); }
  template <std::size_t I>
  void destroy(std::size_t current, Index<I>) noexcept {
    using P = typename nth_type<I, Ps...>::type;
    if (!is_trivially_destroyed<P>::value && current == I) {
      reinterpret_cast<P*>(static_cast<void*>(m_.payload))->~P();
      return;
    }
    destroy(current, Index<I + 1>());
  }
  void destroy(std::size_t, Index<N>) noexcept {}

  template <std::size_t I>
  void move_from(Machine& o, Index<I>) {
    using P = typename nth_type<I, Ps...>::type;
    // The last state is not tested: the source is in one of them (and the
    // compiler then sees that every path writes this machine's tag).
    if (I + 1 < N && o.index() != I) return move_from(o, Index<I + 1>());
    if (payload_size<P>::value != 0) {
      ::new (static_cast<void*>(m_.payload)) P(std::move(*reinterpret_cast<P*>(static_cast<void*>(o.m_.payload))));
    }
    write_tag(static_cast<State>(I));
  }
  void move_from(Machine&, Index<N>) noexcept {}
  void move(Machine& o, std::true_type) noexcept {
    std::memcpy(static_cast<void*>(&m_), static_cast<const void*>(&o.m_), sizeof m_);
    o.write_tag(D::kFinal);
  }
  void move(Machine& o, std::false_type) {
    move_from(o, Index<0>());
    o.leave(D::kFinal);
  }

  MachineBytes<Plan::payload_bytes, kAlign, (kHolder < 0)> m_;
};

// The payload of a state that holds a child future and the function to
// apply to its output. The future comes first, so its niche is the
// payload's. A function object that is empty and trivially copyable (a
// lambda without captures, a plain function object) takes no bytes at all:
// fn() makes a fresh copy when it is needed; it has no state that a copy
// could lose.
template <class Fn>
struct is_stateless_fn
    : std::integral_constant<bool, std::is_class<Fn>::value && std::is_empty<Fn>::value &&
                                       std::is_trivially_copyable<Fn>::value> {};

template <class Fn>
Fn make_stateless() noexcept {
  // An empty, trivially copyable class has no bytes to copy: copying "from"
  // any suitably aligned address reads nothing.
  static const unsigned char nothing = 0;
  return *reinterpret_cast<const Fn*>(&nothing);
}

template <class F, class Fn, bool = is_stateless_fn<Fn>::value>
struct WithFn {
  using pollen_niche = niche_t<F>;
  using pollen_relocatable = all_of<is_relocatable<F>::value, is_relocatable<Fn>::value>;
  using pollen_trivially_destroyed =
      all_of<is_trivially_destroyed<F>::value, is_trivially_destroyed<Fn>::value>;
  WithFn(F&& f, Fn&& g) : future(std::move(f)), fn_(std::move(g)) {}
  WithFn(WithFn&&) = default;
  Fn take_fn() { return std::move(fn_); }
  const Fn& fn() const noexcept { return fn_; }
  F future;

 private:
  Fn fn_;
};
template <class F, class Fn>
struct WithFn<F, Fn, true> {
  using pollen_niche = niche_t<F>;
  using pollen_relocatable = is_relocatable<F>;
  using pollen_trivially_destroyed = is_trivially_destroyed<F>;
  WithFn(F&& f, Fn&&) : future(std::move(f)) {}
  WithFn(WithFn&&) = default;
  Fn take_fn() const noexcept { return make_stateless<Fn>(); }
  F future;
};

// A function a combinator keeps beside its payloads, for as long as it lives
// (a stream combinator's function, a fold's): derive from FnSlot<Fn> and
// call this->fn(). A stateless function (is_stateless_fn above) takes no
// bytes: fn() returns a fresh copy each time.
template <class Fn, bool = is_stateless_fn<Fn>::value>
class FnSlot {
 public:
  explicit FnSlot(Fn&& fn) : fn_(std::move(fn)) {}
  Fn& fn() noexcept { return fn_; }

 private:
  Fn fn_;
};
template <class Fn>
class FnSlot<Fn, true> {
 public:
  explicit FnSlot(Fn&&) noexcept {}
  Fn fn() const noexcept { return make_stateless<Fn>(); }
};

}  // namespace detail
POLLEN_NAMESPACE_END
