// pollen/future/from_callback.hpp: from_callback<T>(start), the way to wrap a
// callback API as a future.
//
// Example:
//
//   pollen::FromCallback<Reply> f = pollen::from_callback<Reply>(
//       [&](pollen::Completer<Reply> done) {
//         client.fetch(url, [done](Reply r) { done(std::move(r)); });
//       });
//   pollen::Option<Reply> r = loop.block_on(std::move(f));
//   // r.has_value(): the callback ran; none: the API dropped the callback
//
// from_callback() calls `start` at once (before it returns, as JavaScript's
// Promise constructor runs its executor) with a Completer<T>: the callback's
// half. Calling the completer, from any thread, completes the future and
// wakes the task polling it. A completer is itself a callable taking a T, so
// where a callback API wants exactly a `void(T)` callback the completer can
// be passed as it is (`client.fetch(url, done)`). It is copyable (a
// std::function needs that): every copy shares one completion, and the
// first call completes.
//
// It is a oneshot channel underneath (sync/oneshot.hpp): the completer holds
// the sender, the future is the receiver. What the oneshot adds is what a
// callback needs: copies, and an outcome for a callback that is never called.
//
// Outcomes (nothing is lost)
// * The completer is called with v: the future is Ready with Option<T>(v).
// * Every copy of the completer is destroyed without a call (the API dropped
//   its callback, or an error path forgot it): the future is Ready with
//   none. It never waits forever for a callback that no longer exists.
// * The future was destroyed first: the call does nothing with the value and
//   hands it back, in the SendResult<T> it returns (is_closed(),
//   take_back()). is_waiting() tells a long operation beforehand that
//   nobody waits for its result any more.
// * A second call (on the same copy or another) is a ContractError: a
//   callback wrapped this way is called once. The first result stands.
//
// Ground rules (the completers' shared state, CompleterState<T>)
// * Owners: every copy of the completer holds one reference (an atomic
//   count); the last one deletes the state and with it the oneshot sender,
//   which, if never used, tells the future "none" and wakes it.
// * `called` and `tx` are guarded by `mu`. `called` is set once, by the
//   first call, and never unset; that call takes `tx` out under the lock and
//   sends after releasing it, so a send (and the wake it makes) never runs
//   under the lock.
// * The future side is a plain OneshotReceiver: see sync/oneshot.hpp for who
//   wakes whom and when values are destroyed.
//
// Threads: a completer (and its copies) may be called, copied and destroyed
// on any thread; the future is polled by one task at a time, as any future.
// A call from another thread wakes the polling task through its waker (the
// event loop takes such wakes in at the start of its next turn).
//
// Allocations: two per from_callback(): the oneshot's state and the
// completers' shared state. Calling, copying and polling allocate nothing.
#pragma once

#include <pollen/config.hpp>
#include <pollen/core/contract.hpp>
#include <pollen/core/describe.hpp>
#include <pollen/core/future.hpp>
#include <pollen/core/option.hpp>
#include <pollen/core/poll.hpp>
#include <pollen/core/type_traits.hpp>
#include <pollen/core/unit.hpp>
#include <pollen/future/future_ext.hpp>
#include <pollen/sync/oneshot.hpp>
#include <pollen/sync/result.hpp>
#include <pollen/sync/shared.hpp>
#include <pollen/sync/spin_lock.hpp>

#include <mutex>  // std::lock_guard
#include <type_traits>
#include <utility>

POLLEN_NAMESPACE_BEGIN

namespace detail {

template <class T>
class CompleterState final : public RefCounted {
 public:
  explicit CompleterState(OneshotSender<T> sender) noexcept
      : RefCounted(1), tx(std::move(sender)) {}

  SpinLock mu;          // guards the two fields below
  bool called = false;  // the first call happened; never unset
  OneshotSender<T> tx;  // valid until the first call takes it
};

[[noreturn]] inline void completer_called_twice() {
  contract_violation(
      "Completer called a second time: the future of from_callback() completes once, and "
      "the first call already completed it (every copy of a completer shares that one "
      "completion). Call it once; to learn whether a call is still wanted, ask "
      "is_waiting() first");
}

inline void require_completer(bool alive) {
  if (!alive) {
    contract_violation(
        "Completer used after it was moved from or default-constructed: it belongs to no "
        "future; use the completer from_callback() gave (or a copy of it)");
  }
}

}  // namespace detail

// The callback's half of from_callback(): call it once with the value.
template <class T>
class Completer {
 public:
  // A completer of no future (for struct members); calling it is a
  // ContractError.
  Completer() noexcept = default;
  explicit Completer(OneshotSender<T> tx)
      : state_(new detail::CompleterState<T>(std::move(tx))) {}

  // Completes the future with `value`. Returns Sent, or Closed with the
  // value handed back (take_back()) when the future was destroyed first.
  // Never waits; wakes the task polling the future. A second call, on any
  // copy, is a ContractError. If moving `value` into the channel throws,
  // the exception propagates and the future resolves to none.
  SendResult<T> operator()(T value) const {
    detail::require_completer(static_cast<bool>(state_));
    OneshotSender<T> tx;
    bool first;
    {
      std::lock_guard<detail::SpinLock> lock(state_->mu);
      first = !state_->called;
      if (first) {
        state_->called = true;
        tx = std::move(state_->tx);
      }
    }
    if (!first) detail::completer_called_twice();
    return tx.send(std::move(value));
  }

  // For a future of Unit: `done()` completes it.
  template <class U = T, class = std::enable_if_t<std::is_same<U, Unit>::value>>
  SendResult<Unit> operator()() const {
    return (*this)(Unit{});
  }

  // True while no copy has been called and the future still waits for the
  // value (it was not destroyed). False for a completer of no future.
  bool is_waiting() const {
    if (!state_) return false;
    std::lock_guard<detail::SpinLock> lock(state_->mu);
    return !state_->called && !state_->tx.is_closed();
  }

  // "Completer [future waiting]", "[future gone]", "[called]" or "[empty]".
  void describe(Describer& d) const {
    if (!state_) {
      d.node("Completer", "empty");
      return;
    }
    bool called;
    bool closed;
    {
      std::lock_guard<detail::SpinLock> lock(state_->mu);
      called = state_->called;
      closed = !called && state_->tx.is_closed();
    }
    d.node("Completer", called ? "called" : closed ? "future gone" : "future waiting");
  }

 private:
  detail::SharedRef<detail::CompleterState<T>> state_;  // empty: moved from or default
};

// The future of from_callback<T>(start).
//
// States:   Waiting --the completer was called with v--> Done   (Ready: v)
//              |  ^  --every completer gone, no call-----> Done   (Ready: none)
//              +--+ no call yet: keeps the waker, Pending
//           Waiting --its poll threw (T's move)---------> Poisoned
//
//   Every state holds the oneshot receiver; in Done the result was
//   delivered. In Poisoned the value is still in the channel.
//
// Output: Option<T>: the value the completer was called with, or none when
//   every copy of the completer was destroyed without a call.
// Cancellation: destroying the future closes the channel: a value that
//   arrived and was not polled yet is destroyed at once, and a later call of
//   the completer hands its value back (SendResult<T>::is_closed()). Not
//   cancel safe for that reason (a value that already arrived goes with it).
// Exceptions: if moving the value out throws, poll() propagates it and the
//   future is Poisoned.
// Contract errors: polling it after Ready, after its poll threw, or when
//   moved from.
// Polling order: no children. A ready result spends one unit of the
//   cooperative budget, as a oneshot receive does.
// Example: see the top of this header.
template <class T>
class POLLEN_NODISCARD_TYPE FromCallback : public FutureExt<FromCallback<T>> {
 public:
  using Output = Option<T>;
  static constexpr bool is_cancel_safe = false;
  enum class State { Waiting, Done, Poisoned };

  explicit FromCallback(OneshotReceiver<T> rx) noexcept : rx_(std::move(rx)) {}
  FromCallback(FromCallback&& o) noexcept : rx_(std::move(o.rx_)), state_(o.state_) {
    o.state_ = State::Done;
  }
  FromCallback& operator=(FromCallback&& o) noexcept {
    if (this != &o) {
      rx_ = std::move(o.rx_);
      state_ = o.state_;
      o.state_ = State::Done;
    }
    return *this;
  }

  Poll<Output> poll(Context& cx) {
    detail::observe_poll(cx, this);
    if (state_ == State::Done) detail::polled_after_ready("FromCallback");
    if (state_ == State::Poisoned) detail::polled_after_throw("FromCallback");
    state_ = State::Poisoned;  // until the poll returns: a throw leaves it so
    Poll<RecvResult<T>> p = rx_.poll(cx);
    if (p.is_pending()) {
      state_ = State::Waiting;
      return pending;
    }
    state_ = State::Done;
    RecvResult<T> r = std::move(p).value();
    if (!r.is_received()) return Output();  // every completer gone without a call
    return Output(std::move(r).value());
  }

  State state() const noexcept { return state_; }

  // "FromCallback [state: Waiting, callback not called yet]", "[state:
  // Waiting, value arrived]", "[state: Waiting, completer dropped]",
  // "[state: Done]" or "[state: Poisoned]".
  void describe(Describer& d) const {
    if (state_ == State::Done) {
      d.node("FromCallback", "state: Done");
      return;
    }
    if (state_ == State::Poisoned) {
      d.node("FromCallback", "state: Poisoned");
      return;
    }
    d.node("FromCallback", !rx_.is_empty()  ? "state: Waiting, value arrived"
                           : rx_.is_closed() ? "state: Waiting, completer dropped"
                                             : "state: Waiting, callback not called yet");
  }

 private:
  OneshotReceiver<T> rx_;  // valid unless moved from (then state_ is Done)
  State state_ = State::Waiting;
};

namespace detail {
template <class Start, class T, class = void>
struct starts_with_completer : std::false_type {};
template <class Start, class T>
struct starts_with_completer<Start, T,
                             void_t<decltype(std::declval<Start&&>()(std::declval<Completer<T>>()))>>
    : std::true_type {};
}  // namespace detail

// Calls start(completer) now and returns the future the completer completes.
// `start` typically begins a callback-based operation, capturing the
// completer (or a copy) in the callback. If start throws, the exception
// propagates (the completers it made are destroyed with it) and no future is
// returned.
template <class T, class Start>
POLLEN_NODISCARD FromCallback<T> from_callback(Start&& start) {
  static_assert(detail::starts_with_completer<Start, T>::value,
                "pollen::from_callback<T>(start): start must be callable with a "
                "pollen::Completer<T> (e.g. [&](pollen::Completer<T> done) { api.begin(..., "
                "[done](T v) { done(std::move(v)); }); })");
  std::pair<OneshotSender<T>, OneshotReceiver<T>> ch = oneshot<T>();
  FromCallback<T> future(std::move(ch.second));
  std::forward<Start>(start)(Completer<T>(std::move(ch.first)));
  return future;
}

POLLEN_NAMESPACE_END
