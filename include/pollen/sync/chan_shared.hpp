// pollen/sync/chan_shared.hpp: ChanShared<T>, the state shared by the
// handles of one mpsc channel (bounded or unbounded). Internal to
// pollen/sync; the public faces are channel.hpp, unbounded.hpp and
// receiver.hpp.
//
// Ground rules
// ------------
// Owners. Every handle holds one reference (RefCounted, atomic): each
// Sender / UnboundedSender, the Receiver, and every pending Send, Reserve and
// unused Permit (each of those holds a Sender of its own). The last
// reference deletes the state, on whichever thread drops it. A handle's
// moved-from destructor is an inline test (shared.hpp), and a handle that
// finds its reference the last one (unique()) skips the lock: no one is
// left to tell.
//
// Senders. `senders` counts the live senders (an atomic, so copying a sender
// does not take the lock). Pending sends, reserves and permits count as
// senders: the receiver cannot end while a value may still arrive. The
// sender that brings the count to zero takes the lock, sets `senders_gone`
// and wakes the receiver.
//
// The lock. Every other mutable field is guarded by `mu`, a ParkingLock
// (parking_lock.hpp): one compare-and-swap to take it and one exchange to
// release it when nobody else wants it, the case of a channel whose senders
// and receiver share a loop thread; contended by sender threads, a waiter
// spins briefly, then sleeps. Nothing is ever woken, no Waker is ever dropped
// and no T is ever destroyed while `mu` is held: the code moves wakers and
// doomed values into locals declared before the lock and wakes / destroys
// them after releasing it (a WakeOrder, kept_waker.hpp, is such a local), so
// a waker, a waker's last drop or a destructor may call back into the channel
// (a message that holds a Sender of its own channel, a task freed by its
// last waker).
//
// The receiver's waker. `rx` (a KeptWaker) keeps the waker of the task that
// last polled the receiver and got Pending: it stays registered after it is
// woken, until the receiver is polled by another task or destroyed. A
// Pending receive re-arms it (no clone when it is the same task's waker), and
// a send that finds it armed disarms it and wakes it by reference after
// unlocking, without cloning or dropping it. So a receiver in a loop task
// that waits for every message costs no reference-count traffic per message.
//
// Waiting for the close (Sender::closed()). A pending closed() future is a
// ClosedWaiter node (waiter_list.hpp) inside the future, linked in
// `closed_waiters` under `mu` with its task's waker: no allocation. Setting
// `rx_closed` moves the whole list onto the closer's stack in the same
// critical section, and the closer wakes it in batches after unlocking
// (wake_list_in_batches); a future polled, moved or dropped meanwhile finds
// its node there and unlinks / relinks it under `mu`. A dropped pending
// future unlinks its node and drops its waker: nothing stays registered.
// Such a future holds a reference to the state but does not count as a
// sender.
//
// Capacity. `capacity` is fixed at creation (SIZE_MAX for unbounded). The
// invariant is `buffer.size() + reserved <= capacity`, where `reserved`
// counts the slots promised but not yet filled: unused Permits and waiting
// Sends/Reserves that were granted a slot but have not been polled since.
//
// Waiting senders (bounded only). A Reserve that finds no room (a Send
// waits through a Reserve of its own) takes a WaitSlot (an entry of the
// `slots` array, found by index, so the future may move) and queues its
// index in `wait_queue`, first come first served.
// When room appears (a receive, an unused Permit dropped, a granted waiter
// dropped), the first waiter is Granted: `reserved` grows by one on its
// behalf and it is woken; its next poll fills the slot. A sender that finds
// room while others wait queues behind them (no overtaking).
//
// Closing. `rx_closed` is set once (receiver close() or destruction) and
// never unset. From then on every send hands its value back; waiting sends
// are woken and do the same. Values already buffered stay receivable after
// close(); when the receiver is destroyed they are destroyed at once.
//
// A cross-thread send. A sender on another thread takes `mu`, pushes into
// `buffer`, disarms `rx` and borrows its waker (or clones it, while another
// sender is still waking it), releases `mu`, and wakes it: that wake is
// thread-safe by the Waker contract and wakes the receiving task on its loop.
// A receiver that is busy (has not returned Pending since its last wake) is
// not armed, so a stream of sends to a busy receiver costs no wakes.
//
// Throwing moves and full memory. A message is moved twice by the channel:
// into `buffer` by a send, and out of it by a receive, straight into the
// result the receive returns (the Poll of recv() and poll_next, the
// RecvResult of try_recv). `buffer` is a BlockQueue, which never moves what
// it holds when it grows, and each of those two moves either completes or
// leaves the channel exactly as it was:
//   * a send whose move (or block allocation) throws propagates the
//     exception with nothing sent and nothing else changed; a slot it held
//     stays with the Permit it held it through (a Send drops that Permit,
//     passing the slot to the next waiter);
//   * a receive whose move throws leaves the message first in the queue.
// Queueing a waiter allocates (its WaitSlot, room in `wait_queue`) before
// it changes anything, so running out of memory there changes nothing
// either. Closing and destroying the receiver allocate nothing.
#pragma once

#include <pollen/config.hpp>
#include <pollen/core/context.hpp>
#include <pollen/core/contract.hpp>
#include <pollen/core/option.hpp>
#include <pollen/core/poll.hpp>
#include <pollen/core/waker.hpp>
#include <pollen/sync/block_queue.hpp>
#include <pollen/sync/kept_waker.hpp>
#include <pollen/sync/parking_lock.hpp>
#include <pollen/sync/result.hpp>
#include <pollen/sync/ring_buffer.hpp>
#include <pollen/sync/shared.hpp>
#include <pollen/sync/waiter_list.hpp>

#include <atomic>
#include <cstddef>
#include <limits>
#include <mutex>  // std::lock_guard
#include <type_traits>
#include <utility>
#include <vector>

POLLEN_NAMESPACE_BEGIN
namespace detail {

constexpr std::size_t kUnbounded = std::numeric_limits<std::size_t>::max();
constexpr std::size_t kNoSlot = std::numeric_limits<std::size_t>::max();

// A waiting Send or Reserve.
struct WaitSlot {
  enum class State { Free, Waiting, Granted };
  State state = State::Free;
  Waker waker;  // valid in State::Waiting: the waiter's task
};

// A pending Sender::closed() future's place in `closed_waiters`.
struct ClosedWaiter : WaiterLink {
  Waker waker;  // the waiting task; taken by the closer (or dropped by its future)
};

// What an attempt to get room returned.
enum class Admit {
  Room,     // a slot is the caller's now (counted in `reserved`)
  Closed,   // the receiver is closed or gone
  Full,     // try_reserve only: no room, nothing registered
  Waiting,  // registered (or still) in the wait queue; the waker will be woken
};

// Releases a lock that the caller took by hand, when the scope ends (also
// by an exception).
template <class Lock>
struct UnlockAtExit {
  Lock& lock;
  ~UnlockAtExit() { lock.unlock(); }
};

template <class T>
class ChanShared final : public RefCounted {
  static_assert(std::is_move_constructible<T>::value,
                "a channel's message type must be move-constructible (it is moved into the "
                "channel and out of it); it need not be copyable, and its move may throw");
  static_assert(std::is_nothrow_destructible<T>::value,
                "a channel's message type must have a destructor that does not throw");

 public:
  // Born with two references: the first sender's and the receiver's. A
  // bounded channel's buffer has room for its capacity (up to 64) at once.
  explicit ChanShared(std::size_t cap) : RefCounted(2), capacity(cap) {
    rx.set_lock(&mu);
    if (cap != kUnbounded) buffer.reserve(cap < 64 ? cap : 64);
  }

  const std::size_t capacity;            // SIZE_MAX: unbounded; never changes
  std::atomic<std::size_t> senders{1};   // live senders, see the ground rules

  mutable ParkingLock mu;
  BlockQueue<T> buffer;                  // guarded by mu: the queued messages
  std::size_t reserved = 0;              // guarded by mu: promised, unfilled slots
  RingBuffer<std::size_t> wait_queue;    // guarded by mu: Waiting slot indices, FIFO
  std::vector<WaitSlot> slots;           // guarded by mu: by index; Free ones in free_slots
  std::vector<std::size_t> free_slots;   // guarded by mu
  KeptWaker rx;                          // guarded by mu: the receiver's registration
  bool rx_closed = false;                // guarded by mu: set once, never unset
  bool senders_gone = false;             // guarded by mu: set once, never unset
  WaiterList closed_waiters;             // guarded by mu: pending closed() futures (ClosedWaiter)

  // --- senders ---

  void add_sender() noexcept { senders.fetch_add(1, std::memory_order_relaxed); }

  void drop_sender() noexcept {
    if (senders.fetch_sub(1, std::memory_order_acq_rel) != 1) return;
    WakeOrder to_wake;
    {
      std::lock_guard<ParkingLock> lock(mu);
      senders_gone = true;
      rx.take_wake(to_wake);
    }
    to_wake.wake();
  }

  bool is_closed() const {
    std::lock_guard<ParkingLock> lock(mu);
    return rx_closed;
  }

  // The receiver's view: closed, or every sender gone (messages may still
  // be buffered).
  bool rx_is_closed() const {
    std::lock_guard<ParkingLock> lock(mu);
    return rx_closed || senders_gone;
  }

  // How many closed() futures wait now.
  std::size_t closed_waiter_count() const {
    std::lock_guard<ParkingLock> lock(mu);
    return closed_waiters.size();
  }

  // Sends without waiting: Sent, Full (never for an unbounded channel) or
  // Closed, with the value handed back. If moving the value in throws (or
  // memory runs out), the exception propagates and nothing was sent.
  SendResult<T> try_send(T& value) {
    const SendStatus status = push_if_room(value);
    if (status == SendStatus::Sent) return SendResult<T>::sent();
    return status == SendStatus::Closed ? SendResult<T>::closed(std::move(value))
                                        : SendResult<T>::full(std::move(value));
  }

  // try_send without the result: Sent (the value was moved in), or Full or
  // Closed with the value untouched.
  SendStatus push_if_room(T& value) {
    WakeOrder to_wake;  // woken after the lock is released
    {
      std::lock_guard<ParkingLock> lock(mu);
      if (rx_closed) return SendStatus::Closed;
      if (!has_room_locked()) return SendStatus::Full;
      buffer.push_back(std::move(value));
      rx.take_wake(to_wake);
    }
    to_wake.wake();
    return SendStatus::Sent;
  }

  // One step of a waiting Reserve. `slot` is the caller's WaitSlot index,
  // kNoSlot while it has none; this function updates it.
  //   Room:    one slot is reserved for the caller (counted in `reserved`).
  //   Closed:  the caller's slot (if any) is released.
  //   Waiting: the caller is queued (in `slot`) with `waker`.
  // If memory runs out while queueing, std::bad_alloc propagates and nothing
  // changed.
  Admit admit(std::size_t& slot, const Waker& waker) {
    Waker to_wake;
    Waker to_drop;  // declared before the lock: dropped after it is released
    Admit result = Admit::Room;
    {
      std::lock_guard<ParkingLock> lock(mu);
      if (rx_closed) {
        if (slot != kNoSlot) to_wake = leave_locked(slot, to_drop);  // no-op: grants nothing once closed
        slot = kNoSlot;
        result = Admit::Closed;
      } else if (!take_room_locked(slot, to_drop)) {
        wait_locked(slot, waker, to_drop);
        result = Admit::Waiting;
      }
    }
    std::move(to_wake).wake();
    return result;
  }

  // A waiting Reserve is dropped. If it had been granted a slot, the slot
  // passes to the next waiter.
  void cancel_wait(std::size_t slot) noexcept {
    Waker to_wake;
    Waker to_drop;
    {
      std::lock_guard<ParkingLock> lock(mu);
      to_wake = leave_locked(slot, to_drop);
    }
    std::move(to_wake).wake();
  }

  // Reserves a slot without waiting: Room, Full or Closed.
  Admit try_reserve() {
    std::lock_guard<ParkingLock> lock(mu);
    if (rx_closed) return Admit::Closed;
    if (!has_room_locked()) return Admit::Full;
    ++reserved;
    return Admit::Room;
  }

  // Fills a reserved slot (Permit::send): Sent, or Closed with the value
  // (the slot is spent either way). If moving the value in throws (or
  // memory runs out), the exception propagates and the slot is still
  // reserved: the Permit keeps it.
  SendResult<T> send_reserved(T& value) {
    WakeOrder to_wake;
    bool closed;
    {
      std::lock_guard<ParkingLock> lock(mu);
      closed = rx_closed;
      if (!closed) {
        buffer.push_back(std::move(value));
        rx.take_wake(to_wake);
      }
      --reserved;
    }
    if (closed) return SendResult<T>::closed(std::move(value));
    to_wake.wake();
    return SendResult<T>::sent();
  }

  // Gives back a reserved slot unused (a Permit dropped without sending).
  void release_reserved() noexcept {
    Waker to_wake;
    {
      std::lock_guard<ParkingLock> lock(mu);
      --reserved;
      to_wake = grant_locked();
    }
    std::move(to_wake).wake();
  }

  // --- the receiver ---

  // The Stream step: Ready(some(message)) (spending one unit of the
  // budget), Ready(none) at the end (closed or every sender gone, and
  // nothing buffered), or Pending with cx's waker registered for the next
  // send. The message moves once, straight into the returned Poll; if that
  // move throws, it stays first in the buffer.
  Poll<Option<T>> poll_next(const Context& cx) {
    if (out_of_budget(cx)) return pending;
    Waker to_drop;  // a replaced waker, dropped after the lock is released
    mu.lock();
    if (!buffer.empty()) return take_front_locked<Poll<Option<T>>>(&cx);  // unlocks
    const bool ended = rx_closed || senders_gone;
    if (!ended) rx.arm(cx.waker(), to_drop);
    mu.unlock();
    if (ended) return Option<T>();
    return pending;
  }

  // Without waiting: Received (the message moved once, into the result),
  // Empty, or Closed (the end).
  RecvResult<T> try_recv() {
    mu.lock();
    if (!buffer.empty()) return take_front_locked<RecvResult<T>>(nullptr);  // unlocks
    const bool ended = rx_closed || senders_gone;
    mu.unlock();
    return ended ? RecvResult<T>::closed() : RecvResult<T>::empty();
  }

  // Receiver close(): later sends hand their value back; waiting senders
  // are woken to learn it; buffered messages stay receivable.
  void close() noexcept {
    WaiterList closing;  // the closed() futures waiting now, until their wakers are out
    bool any_closed_waiter;
    {
      std::lock_guard<ParkingLock> lock(mu);
      rx_closed = true;
      any_closed_waiter = !closed_waiters.empty();
      closed_waiters.splice_all_into(closing);
    }
    if (any_closed_waiter) wake_closed_waiters(closing);
    wake_waiters();
  }

  // The receiver is destroyed: close, destroy the buffered messages, and
  // drop its registration.
  void drop_receiver() noexcept {
    BlockQueue<T> doomed;  // destroyed after the lock is released
    Waker to_drop;
    WaiterList closing;  // the closed() futures waiting now, until their wakers are out
    bool any_closed_waiter;
    {
      std::lock_guard<ParkingLock> lock(mu);
      rx_closed = true;
      doomed.swap(buffer);
      rx.clear(to_drop);
      any_closed_waiter = !closed_waiters.empty();
      closed_waiters.splice_all_into(closing);
    }
    if (any_closed_waiter) wake_closed_waiters(closing);
    wake_waiters();
  }

  std::size_t size() const {
    std::lock_guard<ParkingLock> lock(mu);
    return buffer.size();
  }

 private:
  // The argument a result R is built from: the message itself for a Poll
  // (one move into the Option it holds), its slot for a RecvResult.
  static T&& receive_arg(T& v, Poll<Option<T>>*) noexcept { return std::move(v); }
  static MoveFromSlot<T> receive_arg(T& v, RecvResult<T>*) noexcept { return MoveFromSlot<T>{&v}; }

  // Called with `mu` held and the buffer not empty; returns with `mu`
  // released (also when it throws). Builds R from the first message (its one
  // move out of the channel), pops the moved-from shell, gives the freed room
  // to the first waiting sender and spends one unit of cx's budget (it cannot
  // run out here: poll_next checked it). R is returned in place (one named
  // return), and the granted sender is woken after the lock is released.
  template <class R>
  R take_front_locked(const Context* cx) {
    WakeOrder to_wake;  // destroyed (woken) after `unlock` has unlocked
    UnlockAtExit<ParkingLock> unlock{mu};
    R out(receive_arg(buffer.front(), static_cast<R*>(nullptr)));  // a throw leaves it queued
    buffer.pop_front();
    if (!wait_queue.empty()) to_wake.own(grant_locked());
    if (cx != nullptr) spend_budget(*cx);
    return out;
  }

  // An unbounded channel never has waiting senders.
  bool has_room_locked() const noexcept {
    return capacity == kUnbounded || (wait_queue.empty() && buffer.size() + reserved < capacity);
  }

  // The first waiter gets the free slot, if there is one: Granted, counted
  // in `reserved`, its waker returned to be woken after unlocking.
  Waker grant_locked() noexcept {
    if (wait_queue.empty() || buffer.size() + reserved >= capacity) return Waker();
    std::size_t i = wait_queue.pop_front();
    WaitSlot& s = slots[i];
    s.state = WaitSlot::State::Granted;
    ++reserved;
    return std::move(s.waker);
  }

  // Gives the caller a slot if it may have one now: a slot it was granted
  // (its WaitSlot is freed; the reservation stays counted in `reserved`),
  // or, for a newcomer, free room no one queues for (counted now). True:
  // the caller holds one reserved slot, and `slot` is kNoSlot.
  bool take_room_locked(std::size_t& slot, Waker& to_drop) noexcept {
    if (slot == kNoSlot) {
      if (!has_room_locked()) return false;
      ++reserved;
      return true;
    }
    if (slots[slot].state != WaitSlot::State::Granted) return false;
    to_drop = free_slot_locked(slot);
    slot = kNoSlot;
    return true;
  }

  // Queues the caller (a newcomer gets a WaitSlot at the back of the queue)
  // and keeps its waker. Strong guarantee: the allocations come first.
  void wait_locked(std::size_t& slot, const Waker& waker, Waker& to_drop) {
    if (slot == kNoSlot) {
      wait_queue.reserve(wait_queue.size() + 1);  // may throw: nothing changed yet
      std::size_t i = take_slot_locked();         // may throw: nothing changed yet
      wait_queue.push_back(std::size_t(i));       // has room: cannot throw
      slot = i;
    }
    replace_waker(slots[slot].waker, waker, to_drop);
  }

  // Removes a waiter (Waiting or Granted) and frees its slot (its waker goes
  // to `to_drop`); a Granted waiter's reservation passes on. Returns the
  // waker of whoever got it.
  Waker leave_locked(std::size_t slot, Waker& to_drop) noexcept {
    WaitSlot& s = slots[slot];
    if (s.state == WaitSlot::State::Waiting) {
      for (std::size_t i = 0; i < wait_queue.size(); ++i) {
        if (wait_queue.at(i) == slot) {
          wait_queue.erase_at(i);
          break;
        }
      }
      to_drop = free_slot_locked(slot);
      return Waker();
    }
    POLLEN_ASSERT(s.state == WaitSlot::State::Granted, "leaving a free wait slot");
    to_drop = free_slot_locked(slot);
    --reserved;
    return rx_closed ? Waker() : grant_locked();
  }

  // A new Waiting slot, reusing a freed one if there is one. Strong
  // guarantee: if growing `slots` or `free_slots` throws, nothing changed.
  std::size_t take_slot_locked() {
    std::size_t i;
    if (!free_slots.empty()) {
      i = free_slots.back();
      free_slots.pop_back();
    } else {
      free_slots.reserve(slots.size() + 1);  // so free_slot_locked never allocates
      slots.emplace_back();
      i = slots.size() - 1;
    }
    slots[i].state = WaitSlot::State::Waiting;
    return i;
  }

  // Frees slot i; returns its waker, to be dropped after unlocking.
  Waker free_slot_locked(std::size_t i) noexcept {
    slots[i].state = WaitSlot::State::Free;
    free_slots.push_back(i);  // capacity reserved in take_slot_locked
    return std::move(slots[i].waker);
  }

  // After rx_closed is set: wakes the closed() futures that were waiting
  // (their nodes, moved to `closing` under `mu`), batch by batch.
  void wake_closed_waiters(WaiterList& closing) noexcept {
    wake_list_in_batches(closing, mu, [](WaiterLink* l) -> Waker& {
      return static_cast<ClosedWaiter*>(l)->waker;
    });
  }

  // After rx_closed is set: wakes every waiting sender (each will see
  // rx_closed when it polls). One waker at a time, the lock released around
  // each wake, so that it needs no list (no allocation): no new waiter can
  // queue once rx_closed is set, and a waiter that leaves meanwhile only
  // frees its slot.
  void wake_waiters() noexcept {
    for (std::size_t i = 0;; ++i) {
      Waker w;
      {
        std::lock_guard<ParkingLock> lock(mu);
        while (i < slots.size() && slots[i].waker.is_noop()) ++i;
        if (i == slots.size()) return;
        w = std::move(slots[i].waker);
      }
      std::move(w).wake();
    }
  }
};

}  // namespace detail
POLLEN_NAMESPACE_END
