// pollen/sync/broadcast.hpp: broadcast<T>(capacity), a channel whose every
// receiver sees every message, kept in a bounded ring that senders never
// wait for.
//
//   auto ch = pollen::broadcast<Event>(16);
//   pollen::BroadcastReceiver<Event> rx2 = ch.first.subscribe();
//   ch.first.send(Event{...});                  // never waits
//   // a task:
//   pollen::BroadcastResult<Event> r = <await ch.second.recv()>;
//   if (r.is_received()) handle(r.value());
//   else if (r.is_lagged()) note(r.missed());   // and keep receiving
//   else /* Closed */ return;
//
// * The channel keeps the last `capacity` messages sent. A receiver reads
//   them in order, each receive copying the message (T is copyable): every
//   receiver sees every message.
// * A send never waits: when the ring is full it drops the oldest message.
//   A receiver that fell so far behind that its next message was dropped
//   gets Lagged(n) once, n the exact number of messages it missed, and then
//   continues from the oldest message still kept.
// * subscribe() (on a sender) and resubscribe() (on a receiver) make a
//   receiver that starts at the next message sent.
// * Senders are copyable. When the last one is gone the channel is closed:
//   receivers drain what is left, then get Closed. A send with no receiver
//   left hands its value back (SendResult Closed).
// * recv() is a future of BroadcastResult<T> (Received, Lagged or Closed);
//   try_recv() the same without waiting (Empty when nothing is there yet).
//
// Threads. A broadcast channel is thread-safe: senders and receivers may
// live on different threads (each handle used by one thread at a time); a
// send wakes the waiting tasks through their (thread-safe) wakers. The
// state is one reference-counted block guarded by a ParkingLock
// (parking_lock.hpp), like the mpsc channels.
//
// Ground rules (the shared state, BroadcastShared<T>)
// * Owners: every sender and every receiver hold one reference each (an
//   atomic count); the last one deletes the state (and the messages in it).
// * Every field is guarded by `mu`. Messages are numbered from 0 in the
//   order they were sent; `tail` is the number of the next one, `head` the
//   oldest still kept: the ring holds messages head..tail-1, message p in
//   slot p % capacity, and tail - head <= capacity. Both only grow.
// * A receiver's `next_` is the number of the message it reads next (a
//   plain field: one thread at a time). next_ < head: it lagged, and
//   missed head - next_ messages; next_ == tail: nothing for it yet.
// * A message stays in its slot until a send that needs the slot drops it
//   (moved out under `mu`, destroyed after `mu` is released) or the state
//   is deleted: at most `capacity` messages are alive in the ring.
// * Wakers are woken and dropped, and messages destroyed, only after `mu`
//   is released. Waiters are the pending recv() futures' nodes in
//   `waiters`; a send (or the last sender's end) moves them all to a list
//   on its own stack and wakes them in batches of 32; a future destroyed
//   meanwhile unlinks itself under `mu`. A recv() future decides what it
//   reports from the ring alone at each poll: a wake only asks it to look.
//
// Element requirements: T is copy-constructible (each receiver gets its own
// copy) and move-constructible, with a destructor that does not throw. A
// copy that throws in a receive leaves the message unread (the receive
// throws; the receiver reads it next time). A move that throws in a send:
// the send throws, nothing was sent (if the ring was full, the oldest
// message was already dropped: receivers behind count it as missed).
//
// Contract errors: broadcast(0); using a moved-from handle; destroying or
// moving a receiver while one of its recv() futures is alive; polling a
// recv() future after Ready, after its poll threw, or a moved-from one;
// missed() on a result that is not Lagged, value() on one that holds no value.
#pragma once

#include <pollen/config.hpp>
#include <pollen/core/contract.hpp>
#include <pollen/core/describe.hpp>
#include <pollen/core/future.hpp>
#include <pollen/core/option.hpp>
#include <pollen/core/waker.hpp>
#include <pollen/future/future_ext.hpp>
#include <pollen/sync/parking_lock.hpp>
#include <pollen/sync/result.hpp>
#include <pollen/sync/shared.hpp>
#include <pollen/sync/waiter_list.hpp>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>  // std::lock_guard
#include <string>
#include <type_traits>
#include <utility>

POLLEN_NAMESPACE_BEGIN

enum class BroadcastStatus {
  Received,  // here is the next message
  Lagged,    // messages were dropped before this receiver read them: missed() says how many
  Empty,     // try_recv only: nothing now, but more may come
  Closed,    // every sender is gone and every message was read
};

inline const char* to_string(BroadcastStatus s) noexcept {
  return s == BroadcastStatus::Received ? "Received"
         : s == BroadcastStatus::Lagged ? "Lagged"
         : s == BroadcastStatus::Empty  ? "Empty"
                                        : "Closed";
}

// The outcome of a broadcast receive. Holds a value exactly when Received;
// a missed count exactly when Lagged.
template <class T>
class BroadcastResult {
 public:
  static BroadcastResult lagged(std::uint64_t n) {
    return BroadcastResult(BroadcastStatus::Lagged, Option<T>(), n);
  }
  static BroadcastResult empty() { return BroadcastResult(BroadcastStatus::Empty, Option<T>(), 0); }
  static BroadcastResult closed() {
    return BroadcastResult(BroadcastStatus::Closed, Option<T>(), 0);
  }
  // Received, with a copy of `v` built in place.
  explicit BroadcastResult(const T& v) : status_(BroadcastStatus::Received), value_(v) {}

  BroadcastStatus status() const noexcept { return status_; }
  bool is_received() const noexcept { return status_ == BroadcastStatus::Received; }
  bool is_lagged() const noexcept { return status_ == BroadcastStatus::Lagged; }
  bool is_empty() const noexcept { return status_ == BroadcastStatus::Empty; }
  bool is_closed() const noexcept { return status_ == BroadcastStatus::Closed; }
  explicit operator bool() const noexcept { return is_received(); }

  // The received message. ContractError when there is none.
  T& value() & {
    check();
    return *value_;
  }
  const T& value() const& {
    check();
    return *value_;
  }
  T value() && {
    check();
    return std::move(*value_);
  }
  // How many messages the receiver missed. ContractError unless Lagged.
  std::uint64_t missed() const {
    POLLEN_REQUIRE(is_lagged(),
                   "BroadcastResult::missed() on a result that is not Lagged; check is_lagged() "
                   "first");
    return missed_;
  }

  friend bool operator==(const BroadcastResult& a, const BroadcastResult& b) {
    return a.status_ == b.status_ && a.value_ == b.value_ && a.missed_ == b.missed_;
  }
  friend bool operator!=(const BroadcastResult& a, const BroadcastResult& b) { return !(a == b); }

 private:
  BroadcastResult(BroadcastStatus s, Option<T> v, std::uint64_t missed)
      : status_(s), value_(std::move(v)), missed_(missed) {}
  void check() const {
    POLLEN_REQUIRE(value_.has_value(),
                   "BroadcastResult::value() on a result without a value (Lagged, Empty or "
                   "Closed); check is_received() first");
  }

  BroadcastStatus status_;
  Option<T> value_;           // engaged exactly when Received
  std::uint64_t missed_ = 0;  // the count when Lagged, else 0
};

namespace detail {

struct BroadcastWaiter : WaiterLink {
  Waker waker;  // the pending recv() future's task; taken by a send or the close
};

template <class T>
class BroadcastShared final : public RefCounted {
  static_assert(std::is_copy_constructible<T>::value && std::is_move_constructible<T>::value,
                "a broadcast message must be copy-constructible (every receiver gets its own "
                "copy) and move-constructible");
  static_assert(std::is_nothrow_destructible<T>::value,
                "a broadcast message must have a destructor that does not throw");

 public:
  explicit BroadcastShared(std::size_t cap)
      : RefCounted(2), capacity(cap), slots(new Option<T>[cap]) {}
  ~BroadcastShared() = default;

  Option<T>& slot(std::uint64_t p) noexcept { return slots[static_cast<std::size_t>(p % capacity)]; }

  // With mu held: what the receiver at `next` gets now, or none (Pending:
  // nothing for it yet). A throwing copy leaves `next` as it was.
  Option<BroadcastResult<T>> receive_locked(std::uint64_t& next) {
    Option<BroadcastResult<T>> out;
    if (next < head) {
      out.emplace(BroadcastResult<T>::lagged(head - next));
      next = head;
    } else if (next < tail) {
      out.emplace(*slot(next));
      ++next;
    } else if (senders == 0) {
      out.emplace(BroadcastResult<T>::closed());
    }
    return out;
  }

  // Wakes every waiter of `woken` (called unlocked).
  void wake_waiters(WaiterList& woken) noexcept {
    wake_list_in_batches(woken, mu, [](WaiterLink* l) -> Waker& {
      return static_cast<BroadcastWaiter*>(l)->waker;
    });
  }

  mutable ParkingLock mu;
  const std::size_t capacity;           // >= 1, fixed
  std::unique_ptr<Option<T>[]> slots;   // guarded by mu: message p in slot p % capacity
  std::uint64_t head = 0;               // guarded by mu: the oldest message kept
  std::uint64_t tail = 0;               // guarded by mu: the number of the next message
  std::size_t senders = 1;              // guarded by mu: live senders
  std::size_t receivers = 1;            // guarded by mu: live receivers
  WaiterList waiters;                   // guarded by mu: pending recv() futures
};

inline void require_broadcast_handle(bool alive, const char* what) {
  if (!alive) {
    contract_violation(std::string(what) +
                       " on a moved-from broadcast handle: it belongs to no channel; use the "
                       "handle it was moved into");
  }
}

}  // namespace detail

template <class T>
class BroadcastReceiver;
template <class T>
class BroadcastRecv;

// A sending half. Copyable: the channel closes when the last copy goes.
template <class T>
class BroadcastSender {
 public:
  explicit BroadcastSender(detail::SharedRef<detail::BroadcastShared<T>> s) noexcept
      : shared_(std::move(s)) {}
  BroadcastSender(const BroadcastSender& o) : shared_(o.shared_) {
    if (!shared_) return;
    std::lock_guard<detail::ParkingLock> lock(shared_->mu);
    ++shared_->senders;
  }
  BroadcastSender(BroadcastSender&&) noexcept = default;
  BroadcastSender& operator=(BroadcastSender o) noexcept {
    shared_.swap(o.shared_);
    return *this;
  }
  ~BroadcastSender() {
    if (shared_) release();
  }

  // Puts the message in the ring (dropping the oldest when it is full) and
  // wakes every waiting recv(): Sent; or Closed with the value handed back
  // when no receiver is left. Never waits.
  SendResult<T> send(T value) {
    require("BroadcastSender::send()");
    detail::WaiterList woken;  // declared before the lock: emptied after it
    Option<T> dropped;         // the oldest message, when the ring is full: destroyed unlocked
    {
      std::lock_guard<detail::ParkingLock> lock(shared_->mu);
      detail::BroadcastShared<T>& s = *shared_;
      if (s.receivers == 0) return SendResult<T>::closed(std::move(value));
      if (s.tail - s.head == s.capacity) {
        dropped.emplace(std::move(*s.slot(s.head)));  // a throw: nothing changed
        s.slot(s.head).reset();
        ++s.head;
      }
      s.slot(s.tail).emplace(std::move(value));  // a throw: nothing sent
      ++s.tail;
      s.waiters.splice_all_into(woken);
    }
    shared_->wake_waiters(woken);
    return SendResult<T>::sent();
  }

  // A new receiver that starts at the next message sent.
  BroadcastReceiver<T> subscribe() const;

  // How many receivers are alive.
  std::size_t receiver_count() const {
    require("BroadcastSender::receiver_count()");
    std::lock_guard<detail::ParkingLock> lock(shared_->mu);
    return shared_->receivers;
  }
  std::size_t capacity() const {
    require("BroadcastSender::capacity()");
    return shared_->capacity;
  }

  // "BroadcastSender [3 of 16 kept, 2 receivers]" or "[moved from]".
  void describe(Describer& d) const {
    if (!shared_) {
      d.node("BroadcastSender", "moved from");
      return;
    }
    std::uint64_t kept;
    std::size_t n;
    {
      std::lock_guard<detail::ParkingLock> lock(shared_->mu);
      kept = shared_->tail - shared_->head;
      n = shared_->receivers;
    }
    d.node("BroadcastSender", std::to_string(kept) + " of " + std::to_string(shared_->capacity) +
                                  " kept, " + std::to_string(n) +
                                  (n == 1 ? " receiver" : " receivers"));
  }

 private:
  void require(const char* what) const {
    detail::require_broadcast_handle(static_cast<bool>(shared_), what);
  }

  // This sender goes; the last one closes the channel and wakes every waiter.
  void release() noexcept {
    detail::WaiterList woken;
    {
      std::lock_guard<detail::ParkingLock> lock(shared_->mu);
      if (--shared_->senders == 0) shared_->waiters.splice_all_into(woken);
    }
    shared_->wake_waiters(woken);
    shared_.reset();
  }

  detail::SharedRef<detail::BroadcastShared<T>> shared_;  // empty: moved from
};

// A receiving half: reads every message from where it started. Move-only
// (resubscribe() makes another receiver, starting at the next message). A
// receiver and its recv() futures belong to one thread at a time.
template <class T>
class BroadcastReceiver {
 public:
  BroadcastReceiver(detail::SharedRef<detail::BroadcastShared<T>> s, std::uint64_t next) noexcept
      : shared_(std::move(s)), next_(next) {}
  BroadcastReceiver(BroadcastReceiver&& o) : next_(o.next_) {
    o.require_no_futures("moving a BroadcastReceiver");
    shared_ = std::move(o.shared_);
  }
  BroadcastReceiver& operator=(BroadcastReceiver&& o) {
    require_no_futures("assigning to a BroadcastReceiver");
    BroadcastReceiver moved(std::move(o));
    shared_.swap(moved.shared_);
    std::swap(next_, moved.next_);
    return *this;
  }
  BroadcastReceiver(const BroadcastReceiver&) = delete;
  BroadcastReceiver& operator=(const BroadcastReceiver&) = delete;
  ~BroadcastReceiver() {
    if (!shared_) return;
    require_no_futures("destroying a BroadcastReceiver");
    std::lock_guard<detail::ParkingLock> lock(shared_->mu);
    --shared_->receivers;
  }

  // A future of the next result: Received (the next message), Lagged, or
  // Closed. The receiver must outlive it and must not move while it is alive.
  POLLEN_NODISCARD BroadcastRecv<T> recv() {
    require("BroadcastReceiver::recv()");
    return BroadcastRecv<T>(*this);
  }

  // The next result without waiting: Received, Lagged, Empty (nothing yet)
  // or Closed.
  BroadcastResult<T> try_recv() {
    require("BroadcastReceiver::try_recv()");
    Option<BroadcastResult<T>> r;
    {
      std::lock_guard<detail::ParkingLock> lock(shared_->mu);
      r = shared_->receive_locked(next_);
    }
    if (!r.has_value()) return BroadcastResult<T>::empty();
    return std::move(*r);
  }

  // A new receiver of the same channel that starts at the next message sent.
  BroadcastReceiver resubscribe() const {
    require("BroadcastReceiver::resubscribe()");
    std::uint64_t tail;
    {
      std::lock_guard<detail::ParkingLock> lock(shared_->mu);
      ++shared_->receivers;
      tail = shared_->tail;
    }
    return BroadcastReceiver(shared_, tail);
  }

  // How many messages this receiver has not read yet (those still kept).
  std::size_t len() const {
    require("BroadcastReceiver::len()");
    std::lock_guard<detail::ParkingLock> lock(shared_->mu);
    std::uint64_t from = next_ < shared_->head ? shared_->head : next_;
    return static_cast<std::size_t>(shared_->tail - from);
  }
  // True once every sender is gone (messages may still be left to read).
  bool is_closed() const {
    require("BroadcastReceiver::is_closed()");
    std::lock_guard<detail::ParkingLock> lock(shared_->mu);
    return shared_->senders == 0;
  }

  // "BroadcastReceiver [2 unread]", "[lagged 6]", ", senders gone" when closed.
  void describe(Describer& d) const {
    if (!shared_) {
      d.node("BroadcastReceiver", "moved from");
      return;
    }
    std::string text;
    {
      std::lock_guard<detail::ParkingLock> lock(shared_->mu);
      const detail::BroadcastShared<T>& s = *shared_;
      text = next_ < s.head ? "lagged " + std::to_string(s.head - next_)
                            : std::to_string(s.tail - next_) + " unread";
      if (s.senders == 0) text += ", senders gone";
    }
    d.node("BroadcastReceiver", text);
  }

 private:
  friend class BroadcastRecv<T>;

  void require(const char* what) const {
    detail::require_broadcast_handle(static_cast<bool>(shared_), what);
  }
  void require_no_futures(const char* what) const {
    if (futures_ != 0) {
      detail::contract_violation(std::string(what) +
                                 " while a recv() future of it is alive: the future points to "
                                 "this receiver; drop or finish the future first");
    }
  }

  detail::SharedRef<detail::BroadcastShared<T>> shared_;  // empty: moved from
  std::uint64_t next_;                                    // the message it reads next
  std::size_t futures_ = 0;                               // live recv() futures of this receiver
};

template <class T>
BroadcastReceiver<T> BroadcastSender<T>::subscribe() const {
  require("BroadcastSender::subscribe()");
  std::uint64_t tail;
  {
    std::lock_guard<detail::ParkingLock> lock(shared_->mu);
    ++shared_->receivers;
    tail = shared_->tail;
  }
  return BroadcastReceiver<T>(shared_, tail);
}

// rx.recv(): the receiver's next result.
//
// States:   Init --a message, a lag or the close is there--> Done
//             +--nothing yet: join the waiters--> Waiting
//           Waiting --a send or the last sender's end, then a poll--> Done
//             |  ^
//             +--+ nothing yet: keep the newest waker, Pending
//           Init / Waiting --the poll threw (T's copy)--> Poisoned
//
//   State::Init      holds the receiver; not a waiter (it joins at its first poll)
//   State::Waiting   holds the receiver and its node (in the waiters, or
//                    unlinked by a send: woken, not yet polled)
//   State::Done      holds nothing that matters (also a moved-from future)
//   State::Poisoned  its poll threw; the message stays unread in the channel
//
// Output: BroadcastResult<T>: Received with a copy of the next message,
//   Lagged(n) (the receiver then continues from the oldest kept message), or
//   Closed once every sender is gone and every message was read.
// Cancellation: cancel safe. A message is read only in the poll that
//   returns it; dropping a pending future unlinks its node and drops its
//   waker at once.
// Contract errors: polling it after Ready, after its poll threw, or a
//   moved-from one; destroying or moving its receiver while it is alive.
// Polling order: no children. A Ready poll spends one unit of the
//   cooperative budget; with the budget spent it returns Pending (woken)
//   without reading anything.
template <class T>
class POLLEN_NODISCARD_TYPE BroadcastRecv : public FutureExt<BroadcastRecv<T>> {
 public:
  using Output = BroadcastResult<T>;
  static constexpr bool is_cancel_safe = true;
  enum class State { Init, Waiting, Done, Poisoned };

  explicit BroadcastRecv(BroadcastReceiver<T>& rx) noexcept : rx_(&rx) { ++rx_->futures_; }
  // Moving a Waiting future moves its place among the waiters.
  BroadcastRecv(BroadcastRecv&& o) noexcept : rx_(o.rx_), state_(o.state_) {
    if (node_linkable()) {
      std::lock_guard<detail::ParkingLock> lock(rx_->shared_->mu);
      node_.replace(o.node_);
      node_.waker = std::move(o.node_.waker);
    }
    o.rx_ = nullptr;
    o.state_ = State::Done;
  }
  BroadcastRecv& operator=(BroadcastRecv&&) = delete;
  ~BroadcastRecv() {
    if (rx_ == nullptr) return;
    if (node_linkable()) leave();
    --rx_->futures_;
  }

  Poll<Output> poll(Context& cx) {
    detail::observe_poll(cx, this);
    if (state_ == State::Done) finished();
    if (state_ == State::Poisoned) detail::polled_after_throw("BroadcastRecv");
    if (detail::out_of_budget(cx)) return pending;
    detail::BroadcastShared<T>& s = *rx_->shared_;
    Waker to_drop;  // a replaced or spent waker, dropped after the lock is released
    Option<Output> r;
    state_ = State::Poisoned;  // until the receive returns: a throwing copy leaves it so
    {
      std::lock_guard<detail::ParkingLock> lock(s.mu);
      r = s.receive_locked(rx_->next_);
      if (!r.has_value()) {
        if (node_.is_linked()) {
          detail::replace_waker(node_.waker, cx.waker(), to_drop);
        } else {
          to_drop = std::move(node_.waker);
          node_.waker = cx.waker();
          s.waiters.push_back(node_);
        }
        state_ = State::Waiting;
        return pending;
      }
      node_.unlink();  // still in a send's list if its batch is not out yet
      if (!node_.waker.is_noop()) to_drop = std::move(node_.waker);
      state_ = State::Done;
    }
    detail::spend_budget(cx);
    return std::move(*r);
  }

  State state() const noexcept { return state_; }

  void describe(Describer& d) const {
    d.node("BroadcastRecv", state_ == State::Init      ? "state: Init"
                            : state_ == State::Waiting ? "state: Waiting"
                            : state_ == State::Done    ? "state: Done"
                                                       : "state: Poisoned");
  }

 private:
  [[noreturn]] void finished() const {
    if (rx_ == nullptr) {
      detail::contract_violation(
          "BroadcastRecv polled after it was moved from: poll the future it was moved into");
    }
    detail::polled_after_ready("BroadcastRecv");
  }

  // Whether the node may be linked (a Poisoned future's node may still be
  // in the waiters from an earlier Pending poll).
  bool node_linkable() const noexcept {
    return state_ == State::Waiting || state_ == State::Poisoned;
  }

  // Leaves the waiters for good (the future is going).
  void leave() noexcept {
    Waker to_drop;
    std::lock_guard<detail::ParkingLock> lock(rx_->shared_->mu);
    node_.unlink();
    to_drop = std::move(node_.waker);
  }

  BroadcastReceiver<T>* rx_;      // borrowed; null once moved from
  detail::BroadcastWaiter node_;  // linked in State::Waiting until a send or the close
  State state_ = State::Init;
};

// A new broadcast channel keeping the last `capacity` (>= 1) messages: its
// first sender and its first receiver (which starts at the first message).
template <class T>
POLLEN_NODISCARD std::pair<BroadcastSender<T>, BroadcastReceiver<T>> broadcast(
    std::size_t capacity) {
  POLLEN_REQUIRE(capacity >= 1,
                 "broadcast(0): a broadcast channel keeps at least one message; ask for a "
                 "capacity of 1 or more");
  detail::BroadcastShared<T>* s = new detail::BroadcastShared<T>(capacity);
  using Ref = detail::SharedRef<detail::BroadcastShared<T>>;
  return std::pair<BroadcastSender<T>, BroadcastReceiver<T>>(BroadcastSender<T>(Ref(s)),
                                                             BroadcastReceiver<T>(Ref(s), 0));
}

POLLEN_NAMESPACE_END
