// pollen/sync/channel.hpp: channel<T>(capacity), a bounded multi-producer,
// single-consumer channel with backpressure.
//
// Example:
//
//   auto ch = pollen::channel<int>(16);
//   pollen::Sender<int> tx = ch.first;          // senders are copyable
//   pollen::Receiver<int> rx = std::move(ch.second);
//   pollen::SendResult<int> r = pollen::block_on(tx.send(1));  // waits for room
//   pollen::Option<int> v = pollen::block_on(rx.recv());       // some(1)
//
// At most `capacity` messages are buffered, counting the slots reserved by
// permits and granted to waiting sends. send() is a future that waits for room; waiting
// senders are served first come, first served. try_send() never waits.
// reserve() waits for room without giving up a value and returns a Permit
// that sends without waiting: the cancel-safe way to send from a select().
//
// Senders may be copied and moved to other threads; a send from another
// thread wakes the receiving task (see chan_shared.hpp for the ground rules).
// The receiver is Receiver<T> (receiver.hpp), a Stream that ends when every
// sender (and every pending send and permit) is gone and the buffer is
// drained.
//
// Closing and buffered messages: see receiver.hpp. Every value sent before
// the receiver is closed is received; every send after it (including a send
// that was waiting for room) hands its value back in a Closed SendResult.
//
// Element requirements: T must be move-constructible, and its destructor
// must not throw. Its move constructor may throw: the buffer never moves a
// message it holds (growing it links in a new block), so a throwing move
// only ever fails the one send or receive that makes it, which then leaves
// the channel as it was (see "Throwing moves" in chan_shared.hpp): try_send()
// and Permit::send() throw with nothing sent (a Permit keeps its slot); a
// Send future throws, gives the slot it held to the next waiter and is
// Poisoned; a receive throws and the message stays first in the channel.
//
// closed() is a future that is Ready once the receiver is closed or
// destroyed (sender_closed.hpp): a producer can select on it to stop work
// nobody will receive.
//
// Contract errors: capacity 0 (use a oneshot, or capacity 1); using a
// default-constructed or moved-from handle; polling a future after Ready or
// after its poll threw; sending twice through one Permit.
#pragma once

#include <pollen/config.hpp>
#include <pollen/core/contract.hpp>
#include <pollen/core/describe.hpp>
#include <pollen/core/future.hpp>
#include <pollen/future/future_ext.hpp>
#include <pollen/core/option.hpp>
#include <pollen/sync/chan_shared.hpp>
#include <pollen/sync/receiver.hpp>
#include <pollen/sync/result.hpp>
#include <pollen/sync/sender_closed.hpp>

#include <cstddef>
#include <string>
#include <type_traits>
#include <utility>

POLLEN_NAMESPACE_BEGIN

template <class T>
class Send;
template <class T>
class Reserve;
template <class T>
class Permit;

namespace detail {
[[noreturn]] inline void no_channel(const char* what) {
  contract_violation(std::string(what) +
                     " on a handle of no channel (default-constructed or moved from)");
}
}  // namespace detail

// The sending half of a bounded channel. Copy it to get another sender.
template <class T>
class Sender {
 public:
  // A sender of no channel; using it is a ContractError.
  Sender() noexcept = default;
  explicit Sender(detail::SharedRef<detail::ChanShared<T>> s) noexcept : shared_(std::move(s)) {}
  Sender(const Sender& o) noexcept : shared_(o.shared_) {
    if (shared_) shared_->add_sender();
  }
  Sender(Sender&& o) noexcept = default;
  Sender& operator=(const Sender& o) noexcept {
    Sender copy(o);
    shared_.swap(copy.shared_);
    return *this;
  }
  Sender& operator=(Sender&& o) noexcept {
    if (this != &o) {
      if (shared_) release();
      shared_ = std::move(o.shared_);
    }
    return *this;
  }
  // The moved-from test inline, the release out of line.
  POLLEN_SYNC_INLINE ~Sender() {
    if (shared_) release();
  }

  // A future that sends `value` once there is room: Sent, or Closed with the
  // value handed back. Not cancel safe (see Send).
  POLLEN_NODISCARD Send<T> send(T value) const {
    check("Sender::send()");
    return Send<T>(*this, std::move(value));
  }

  // Sends without waiting: Sent, Full or Closed (the value handed back).
  SendResult<T> try_send(T value) const {
    check("Sender::try_send()");
    return shared_->try_send(value);
  }

  // A future of a Permit: one slot reserved for a later send. Cancel safe.
  POLLEN_NODISCARD Reserve<T> reserve() const {
    check("Sender::reserve()");
    return Reserve<T>(*this);
  }

  // A Permit now if there is room; none when the channel is full or closed
  // (is_closed() tells which).
  Option<Permit<T>> try_reserve() const {
    check("Sender::try_reserve()");
    if (shared_->try_reserve() != detail::Admit::Room) return none;
    return Option<Permit<T>>(Permit<T>(*this));
  }

  // True once the receiver is closed or gone: every send hands its value back.
  bool is_closed() const {
    check("Sender::is_closed()");
    return shared_->is_closed();
  }

  // A future that is Ready once the receiver is closed or destroyed (see
  // sender_closed.hpp). Cancel safe; not itself a sender.
  POLLEN_NODISCARD SenderClosed<T> closed() const {
    check("Sender::closed()");
    return SenderClosed<T>(shared_);
  }

  std::size_t capacity() const {
    check("Sender::capacity()");
    return shared_->capacity;
  }

  bool is_valid() const noexcept { return static_cast<bool>(shared_); }

  // "Sender [open, 1 buffered of 2]" or "Sender [closed, ...]".
  void describe(Describer& d) const {
    if (!shared_) {
      d.node("Sender", "no channel");
      return;
    }
    std::string state = shared_->is_closed() ? "closed, " : "open, ";
    d.node("Sender", state + std::to_string(shared_->size()) + " buffered of " +
                         std::to_string(shared_->capacity));
  }

  // For Send, Reserve and Permit.
  detail::ChanShared<T>& shared() const noexcept { return *shared_; }

 private:
  void check(const char* what) const {
    if (!shared_) detail::no_channel(what);
  }
  // When the receiver is gone already (the last reference), there is no
  // one to tell that the senders are gone.
  POLLEN_SYNC_NOINLINE void release() noexcept {
    if (!shared_->unique()) shared_->drop_sender();
    shared_.reset();
  }

  detail::SharedRef<detail::ChanShared<T>> shared_;  // empty: default or moved from
};

// One reserved slot of a bounded channel: send() fills it without waiting.
// Dropping an unused Permit gives the slot back (to the first waiting
// sender). A Permit counts as a sender: the receiver does not end while it
// lives.
template <class T>
class Permit {
 public:
  // Adopts a slot already reserved through `tx`.
  explicit Permit(Sender<T> tx) noexcept : tx_(std::move(tx)) {}
  Permit(Permit&&) noexcept = default;
  Permit& operator=(Permit&& o) noexcept {
    if (this != &o) {
      if (tx_.is_valid()) release();
      tx_ = std::move(o.tx_);
    }
    return *this;
  }
  Permit(const Permit&) = delete;
  Permit& operator=(const Permit&) = delete;
  // The spent or moved-from test inline, giving the slot back out of line.
  POLLEN_SYNC_INLINE ~Permit() {
    if (tx_.is_valid()) release();
  }

  // Fills the slot: Sent, or Closed with the value handed back when the
  // receiver was closed or destroyed meanwhile. Spends the permit. If moving
  // the value into the channel throws, the exception propagates, nothing
  // was sent and the permit keeps its slot.
  SendResult<T> send(T value) {
    if (!tx_.is_valid()) {
      detail::contract_violation(
          "Permit::send() on a spent permit: a permit reserves one slot and sends once; reserve() "
          "again for another");
    }
    return send_from(value);
  }

  bool is_valid() const noexcept { return tx_.is_valid(); }

  // "Permit [one slot reserved]" or "Permit [spent]".
  void describe(Describer& d) const {
    d.node("Permit", tx_.is_valid() ? "one slot reserved" : "spent");
  }

 private:
  friend class Send<T>;

  // send(), moving `value` once (into the channel; or into the Closed
  // result). The permit is spent unless the move throws.
  SendResult<T> send_from(T& value) {
    SendResult<T> r = tx_.shared().send_reserved(value);
    tx_ = Sender<T>();
    return r;
  }

  POLLEN_SYNC_NOINLINE void release() noexcept {
    tx_.shared().release_reserved();
    tx_ = Sender<T>();
  }

  Sender<T> tx_;  // valid until the permit is spent
};

// tx.reserve(): waits for room and returns a Permit for it.
//
// States:   Start --room-------------> Done (some(Permit))
//             |   --closed/gone------> Done (none)
//             +--full--> Waiting --granted--> Done (some(Permit))
//                          |  ^ --closed--> Done (none)
//                          +--+ Pending
//           Start/Waiting --the poll threw (out of memory)--> Poisoned
//
//   State::Start     holds the Sender; not queued
//   State::Waiting   holds the Sender and a WaitSlot (queued, or granted)
//   State::Done      holds nothing (the Sender went into the Permit)
//   State::Poisoned  holds the Sender; no WaitSlot
//
// Output: Option<Permit<T>>: a permit, or none when the receiver is closed
//   or gone.
// Cancellation: cancel safe: it carries no value. Dropping it gives up its
//   place in the queue (a slot it was granted passes to the next waiter).
// Exceptions: if memory runs out while it queues up, poll() propagates
//   std::bad_alloc with nothing queued, and the Reserve is Poisoned.
// Contract errors: polling it after Ready, or again after its poll threw.
// Polling order: no children.
template <class T>
class POLLEN_NODISCARD_TYPE Reserve : public FutureExt<Reserve<T>> {
 public:
  using Output = Option<Permit<T>>;
  static constexpr bool is_cancel_safe = true;
  enum class State { Start, Waiting, Done, Poisoned };

  explicit Reserve(Sender<T> tx) noexcept : tx_(std::move(tx)) {}
  Reserve(Reserve&& o) noexcept : tx_(std::move(o.tx_)), slot_(o.slot_), state_(o.state_) {
    o.slot_ = detail::kNoSlot;
    o.state_ = State::Done;
  }
  // Queued (slot_ set) only while Waiting: the test inline.
  POLLEN_SYNC_INLINE ~Reserve() {
    if (slot_ != detail::kNoSlot) leave_queue();
  }

  Poll<Output> poll(Context& cx) {
    detail::observe_poll(cx, this);
    if (state_ == State::Done) detail::polled_after_ready("Reserve");
    if (state_ == State::Poisoned) detail::polled_after_throw("Reserve");
    return poll_step(cx);
  }

  State state() const noexcept { return state_; }
  void describe(Describer& d) const {
    d.node("Reserve", state_ == State::Start     ? "state: Start"
                      : state_ == State::Waiting ? "state: Waiting (channel full)"
                      : state_ == State::Done    ? "state: Done"
                                                 : "state: Poisoned");
  }

 private:
  friend class Send<T>;

  // One step in Start or Waiting (also Send's, which waits through its
  // Reserve).
  Poll<Output> poll_step(Context& cx) {
    state_ = State::Poisoned;  // until the step returns: a throw leaves it so
    switch (tx_.shared().admit(slot_, cx.waker())) {
      case detail::Admit::Room:
        state_ = State::Done;
        return Output(Permit<T>(std::move(tx_)));
      case detail::Admit::Closed:
        state_ = State::Done;
        tx_ = Sender<T>();
        return Output();
      case detail::Admit::Full:
      case detail::Admit::Waiting:
        break;
    }
    state_ = State::Waiting;
    return pending;
  }

  POLLEN_SYNC_NOINLINE void leave_queue() noexcept { tx_.shared().cancel_wait(slot_); }

  // Send is done with its Reserve: leave the queue, drop the Sender.
  void finish() noexcept {
    if (slot_ != detail::kNoSlot) leave_queue();
    slot_ = detail::kNoSlot;
    tx_ = Sender<T>();
    state_ = State::Done;
  }

  Sender<T> tx_;                        // valid in Start, Waiting and Poisoned
  std::size_t slot_ = detail::kNoSlot;  // our WaitSlot in State::Waiting; else kNoSlot
  State state_ = State::Start;
};

// tx.send(value): sends once there is room. It is reserve() followed by
// Permit::send(): a send that finds room sends at once (as try_send() would);
// one that finds the channel full (or senders already waiting) waits in
// its Reserve, and sends through the Permit the Reserve yields.
//
// States:   Start --room--------------------------> Done (Sent)
//             |   --receiver closed/gone-----------> Done (Closed, value back)
//             +--full: reserve--> Waiting --a Permit: Permit::send--> Done (Sent)
//                                   |  ^ --closed (no Permit)--> Done (Closed, value back)
//                                   +--+ still full: Pending
//           Start/Waiting --the poll threw--> Poisoned
//
//   State::Start     holds the value and an unpolled Reserve (the Sender);
//                    not queued
//   State::Waiting   holds the value and a waiting Reserve (a WaitSlot:
//                    queued, or granted a slot it takes on its next poll)
//   State::Done      holds nothing
//   State::Poisoned  holds the value as the throwing move left it (destroyed
//                    with the Send) and a Reserve that holds no WaitSlot
//
// Output: SendResult<T>: Sent, or Closed with the value handed back.
// Cancellation: NOT cancel safe (is_cancel_safe is false): destroying a
//   pending Send destroys the value it carries (docs/design.md), and gives up its
//   place in the queue (a slot it was granted passes to the next waiter). To
//   send from a select() without losing the value, select on reserve() and
//   send through the Permit.
// Exceptions: if moving the value into the channel throws (or memory runs
//   out), poll() propagates the exception: nothing was sent, a slot the
//   Send held passes to the next waiter (its Permit is dropped unused), and
//   the Send is Poisoned.
// Contract errors: polling it after Ready, or again after its poll threw.
// Polling order: no children shown; it polls its own Reserve. It holds a
//   Sender, so the receiver does not end while it is pending.
// Example: see the top of this header.
template <class T>
class POLLEN_NODISCARD_TYPE Send : public FutureExt<Send<T>> {
 public:
  using Output = SendResult<T>;
  static constexpr bool is_cancel_safe = false;
  enum class State { Start, Waiting, Done, Poisoned };

  Send(Sender<T> tx, T value) : value_(std::move(value)), reserve_(std::move(tx)) {}
  // The value moves first (value_ is declared first): if its move throws,
  // nothing else has moved and `o` is left whole.
  Send(Send&& o) noexcept(std::is_nothrow_move_constructible<T>::value)
      : value_(std::move(o.value_)), reserve_(std::move(o.reserve_)), state_(o.state_) {
    o.value_.reset();
    o.state_ = State::Done;
  }

  Poll<Output> poll(Context& cx) {
    detail::observe_poll(cx, this);
    if (state_ == State::Done) detail::polled_after_ready("Send");
    if (state_ == State::Poisoned) detail::polled_after_throw("Send");
    const bool start = state_ == State::Start;
    state_ = State::Poisoned;  // until the poll returns: a throw leaves it so
    if (start) {
      switch (reserve_.tx_.shared().push_if_room(*value_)) {
        case SendStatus::Sent:
          finish();
          return Output::sent();
        case SendStatus::Closed:
          return closed();
        case SendStatus::Full:
          break;  // wait for room: the Reserve queues up
      }
    }
    Poll<Option<Permit<T>>> p = reserve_.poll_step(cx);
    if (p.is_pending()) {
      state_ = State::Waiting;
      return pending;
    }
    if (!p.value().has_value()) return closed();
    return send_through(*p.value());
  }

  State state() const noexcept { return state_; }
  void describe(Describer& d) const {
    d.node("Send", state_ == State::Start     ? "state: Start"
                   : state_ == State::Waiting ? "state: Waiting (channel full)"
                   : state_ == State::Done    ? "state: Done"
                                              : "state: Poisoned");
  }

 private:
  // The Reserve gave a Permit: send through it. If the value's move throws,
  // the Permit (unused) gives its slot to the next waiter as it goes.
  Poll<Output> send_through(Permit<T>& permit) {
    Poll<Output> r(permit.send_from(*value_));
    finish();
    return r;
  }
  // Closed: the value goes back in the result.
  Poll<Output> closed() {
    Poll<Output> r(Output::closed(std::move(*value_)));
    finish();
    return r;
  }
  void finish() noexcept {
    state_ = State::Done;
    value_.reset();
    reserve_.finish();
  }

  Option<T> value_;    // engaged in Start, Waiting and Poisoned
  Reserve<T> reserve_;  // holds the Sender (and the WaitSlot) until Done
  State state_ = State::Start;
};

// A new bounded channel holding at most `capacity` messages (capacity >= 1;
// 0 is a ContractError).
template <class T>
POLLEN_NODISCARD std::pair<Sender<T>, Receiver<T>> channel(std::size_t capacity) {
  POLLEN_REQUIRE(capacity != 0,
                 "channel(0): a bounded channel needs a capacity of at least 1 (pollen has no "
                 "rendezvous channel; use oneshot() for a single hand-off, or channel(1))");
  POLLEN_REQUIRE(capacity != detail::kUnbounded,
                 "channel(SIZE_MAX): use unbounded_channel() for a channel without a bound");
  detail::ChanShared<T>* s = new detail::ChanShared<T>(capacity);  // two references
  using Ref = detail::SharedRef<detail::ChanShared<T>>;
  return std::pair<Sender<T>, Receiver<T>>(Sender<T>(Ref(s)), Receiver<T>(Ref(s)));
}

POLLEN_NAMESPACE_END
