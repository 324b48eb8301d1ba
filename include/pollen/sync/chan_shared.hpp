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
// reference deletes the state, on whichever thread drops it.
//
// Senders. `senders` counts the live senders (an atomic, so copying a sender
// does not take the lock). Pending sends, reserves and permits count as
// senders: the receiver cannot end while a value may still arrive. The
// sender that brings the count to zero takes the lock, sets `senders_gone`
// and wakes the receiver.
//
// The lock. Every other mutable field is guarded by `mu`. Nothing is ever
// woken, no Waker is ever dropped and no T is ever destroyed while `mu` is
// held: the code moves wakers and doomed values into locals declared before
// the lock and wakes / destroys them after releasing it, so a waker, a
// waker's last drop or a destructor may call back into the channel (a message
// that holds a Sender of its own channel, a task freed by its last waker).
//
// Capacity. `capacity` is fixed at creation (SIZE_MAX for unbounded). The
// invariant is `buffer.size() + reserved <= capacity`, where `reserved`
// counts the slots promised but not yet filled: unused Permits and waiting
// Sends/Reserves that were granted a slot but have not been polled since.
//
// Waiting senders (bounded only). A Send or Reserve that finds no room takes
// a WaitSlot (an entry of the `slots` array, found by index, so the future
// may move) and queues its index in `wait_queue`, first come first served.
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
// `buffer`, takes `rx_waker` out (leaving the no-op waker), releases `mu`,
// and wakes it: that wake is thread-safe by the Waker contract and wakes the
// receiving task on its loop. A receiver that is busy (has not returned
// Pending since its last wake) has no waker registered, so a stream of
// sends to a busy receiver costs no wakes.
//
// Throwing moves and full memory. A message is moved twice inside the
// channel: into `buffer` by a send, out of it by a receive. `buffer` is a
// BlockQueue, which never moves what it holds when it grows, and each of
// those two moves either completes or leaves the channel exactly as it was:
//   * a send whose move (or block allocation) throws propagates the
//     exception with nothing sent and nothing else changed; a slot it held
//     (a granted waiter's, or a permit's) is given back first, or, for a
//     Permit, kept by the permit;
//   * a receive whose move throws leaves the message first in the queue.
// Queueing a waiter allocates (its WaitSlot, room in `wait_queue`) before
// it changes anything, so running out of memory there changes nothing
// either. Closing and destroying the receiver allocate nothing.
#pragma once

#include <pollen/config.hpp>
#include <pollen/core/contract.hpp>
#include <pollen/core/option.hpp>
#include <pollen/core/waker.hpp>
#include <pollen/sync/block_queue.hpp>
#include <pollen/sync/result.hpp>
#include <pollen/sync/ring_buffer.hpp>
#include <pollen/sync/shared.hpp>

#include <atomic>
#include <cstddef>
#include <limits>
#include <mutex>
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

// What an attempt to get room returned.
enum class Admit {
  Room,     // a slot is the caller's now (counted in `reserved`, or filled)
  Closed,   // the receiver is closed or gone
  Full,     // try only: no room, nothing registered
  Waiting,  // registered (or still) in the wait queue; the waker will be woken
};

template <class T>
class ChanShared final : public RefCounted {
  static_assert(std::is_move_constructible<T>::value,
                "a channel's message type must be move-constructible (it is moved into the "
                "channel and out of it); it need not be copyable, and its move may throw");
  static_assert(std::is_nothrow_destructible<T>::value,
                "a channel's message type must have a destructor that does not throw");

 public:
  explicit ChanShared(std::size_t cap) : capacity(cap) {}

  const std::size_t capacity;            // SIZE_MAX: unbounded; never changes
  std::atomic<std::size_t> senders{1};   // live senders, see the ground rules

  mutable std::mutex mu;
  BlockQueue<T> buffer;                  // guarded by mu: the queued messages
  std::size_t reserved = 0;              // guarded by mu: promised, unfilled slots
  RingBuffer<std::size_t> wait_queue;    // guarded by mu: Waiting slot indices, FIFO
  std::vector<WaitSlot> slots;           // guarded by mu: by index; Free ones in free_slots
  std::vector<std::size_t> free_slots;   // guarded by mu
  Waker rx_waker;                        // guarded by mu: the receiver's task, when Pending
  bool rx_closed = false;                // guarded by mu: set once, never unset
  bool senders_gone = false;             // guarded by mu: set once, never unset

  // --- senders ---

  void add_sender() noexcept { senders.fetch_add(1, std::memory_order_relaxed); }

  void drop_sender() noexcept {
    if (senders.fetch_sub(1, std::memory_order_acq_rel) != 1) return;
    Waker to_wake;
    {
      std::lock_guard<std::mutex> lock(mu);
      senders_gone = true;
      to_wake = std::move(rx_waker);
    }
    std::move(to_wake).wake();
  }

  bool is_closed() const {
    std::lock_guard<std::mutex> lock(mu);
    return rx_closed;
  }

  // Sends without waiting: Sent, Full (never for an unbounded channel) or
  // Closed, with the value handed back. If moving the value in throws (or
  // memory runs out), the exception propagates and nothing was sent.
  SendResult<T> try_send(T& value) {
    Waker to_wake;
    SendStatus status = SendStatus::Sent;
    {
      std::lock_guard<std::mutex> lock(mu);
      if (rx_closed) {
        status = SendStatus::Closed;
      } else if (!has_room_locked()) {
        status = SendStatus::Full;
      } else {
        buffer.push_back(std::move(value));
        to_wake = std::move(rx_waker);
      }
    }
    if (status == SendStatus::Sent) {
      std::move(to_wake).wake();
      return SendResult<T>::sent();
    }
    return status == SendStatus::Closed ? SendResult<T>::closed(std::move(value))
                                        : SendResult<T>::full(std::move(value));
  }

  // One step of a waiting Send (value != nullptr) or Reserve (value ==
  // nullptr). `slot` is the caller's WaitSlot index, kNoSlot while it has
  // none; this function updates it.
  //   Room:    Send: *value was moved into the buffer. Reserve: one slot is
  //            reserved for the caller (counted in `reserved`).
  //   Closed:  *value untouched; the caller's slot (if any) is released.
  //   Waiting: the caller is queued (in `slot`) with `waker`.
  // On a throw (*value's move, or memory), slot is kNoSlot and the caller
  // holds nothing: a slot it had been granted went to the next waiter.
  Admit admit(T* value, std::size_t& slot, const Waker& waker) {
    Waker to_wake;
    Waker to_drop;  // declared before the lock: dropped after it is released
    Admit result = Admit::Room;
    bool holding = false;  // a reserved slot is the caller's: give it back on a throw
#if POLLEN_HAS_EXCEPTIONS
    try {
#endif
      std::lock_guard<std::mutex> lock(mu);
      if (rx_closed) {
        if (slot != kNoSlot) to_wake = leave_locked(slot, to_drop);  // no-op: grants nothing once closed
        slot = kNoSlot;
        result = Admit::Closed;
      } else if (take_room_locked(slot, to_drop)) {
        if (value != nullptr) {
          holding = true;
          buffer.push_back(std::move(*value));
          holding = false;
          --reserved;
          to_wake = std::move(rx_waker);
        }
      } else {
        wait_locked(slot, waker, to_drop);
        result = Admit::Waiting;
      }
#if POLLEN_HAS_EXCEPTIONS
    } catch (...) {
      if (holding) release_reserved();
      throw;
    }
#else
    (void)holding;
#endif
    std::move(to_wake).wake();
    return result;
  }

  // A waiting Send/Reserve is dropped. If it had been granted a slot, the
  // slot passes to the next waiter.
  void cancel_wait(std::size_t slot) noexcept {
    Waker to_wake;
    Waker to_drop;
    {
      std::lock_guard<std::mutex> lock(mu);
      to_wake = leave_locked(slot, to_drop);
    }
    std::move(to_wake).wake();
  }

  // Reserves a slot without waiting: Room, Full or Closed.
  Admit try_reserve() {
    std::lock_guard<std::mutex> lock(mu);
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
    Waker to_wake;
    bool closed;
    {
      std::lock_guard<std::mutex> lock(mu);
      closed = rx_closed;
      if (!closed) {
        buffer.push_back(std::move(value));
        to_wake = std::move(rx_waker);
      }
      --reserved;
    }
    if (closed) return SendResult<T>::closed(std::move(value));
    std::move(to_wake).wake();
    return SendResult<T>::sent();
  }

  // Gives back a reserved slot unused (a Permit dropped without sending).
  void release_reserved() noexcept {
    Waker to_wake;
    {
      std::lock_guard<std::mutex> lock(mu);
      --reserved;
      to_wake = grant_locked();
    }
    std::move(to_wake).wake();
  }

  // --- the receiver ---

  enum class Take { Item, Empty, End };

  // Takes the first message into `out` (Item); or reports End (closed or
  // every sender gone, and nothing buffered) or Empty. When `waker` is given
  // and the result is Empty, registers it to be woken by the next send. If
  // moving the message out throws, it stays first in the buffer.
  Take take(Option<T>& out, const Waker* waker) {
    Waker to_wake;
    Waker to_drop;
    {
      std::lock_guard<std::mutex> lock(mu);
      if (buffer.empty()) {
        if (rx_closed || senders_gone) return Take::End;
        if (waker != nullptr) replace_waker(rx_waker, *waker, to_drop);
        return Take::Empty;
      }
      out.emplace(std::move(buffer.front()));
      buffer.pop_front();
      to_wake = grant_locked();
    }
    std::move(to_wake).wake();
    return Take::Item;
  }

  // Receiver close(): later sends hand their value back; waiting senders
  // are woken to learn it; buffered messages stay receivable.
  void close() noexcept {
    {
      std::lock_guard<std::mutex> lock(mu);
      rx_closed = true;
    }
    wake_waiters();
  }

  // The receiver is destroyed: close, and destroy the buffered messages.
  void drop_receiver() noexcept {
    BlockQueue<T> doomed;  // destroyed after the lock is released
    Waker to_drop;
    {
      std::lock_guard<std::mutex> lock(mu);
      rx_closed = true;
      doomed.swap(buffer);
      to_drop = std::move(rx_waker);
    }
    wake_waiters();
  }

  std::size_t size() const {
    std::lock_guard<std::mutex> lock(mu);
    return buffer.size();
  }

 private:
  bool has_room_locked() const noexcept {
    return wait_queue.empty() && (capacity == kUnbounded || buffer.size() + reserved < capacity);
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

  // After rx_closed is set: wakes every waiting sender (each will see
  // rx_closed when it polls). One waker at a time, the lock released around
  // each wake, so that it needs no list (no allocation): no new waiter can
  // queue once rx_closed is set, and a waiter that leaves meanwhile only
  // frees its slot.
  void wake_waiters() noexcept {
    for (std::size_t i = 0;; ++i) {
      Waker w;
      {
        std::lock_guard<std::mutex> lock(mu);
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
