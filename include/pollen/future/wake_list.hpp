// pollen/future/wake_list.hpp: per-child wakers for join and join_all, so
// that a join polls again only the children whose own waker fired.
//
// Ground rules
// * A join polls child i with a Context whose waker is *borrowed*: its data
//   points at the join (or at the child's slot) and it holds no reference.
//   Waking it during the poll (a child that wakes itself) costs a flag store
//   and a wake of the parent's waker. Borrowing is free: no allocation, no
//   atomic operation per child poll.
// * A child that keeps the waker beyond its poll must clone it (the protocol
//   says so). Cloning a borrowed waker returns a *shared* waker: a pointer to
//   child i's slot in a WakeList, a reference-counted block on the heap that
//   outlives the join for as long as any clone lives. join allocates that
//   block at the first clone (one allocation for all its children, never if
//   no child keeps a waker); join_all allocates it when it is built.
// * Waking a shared waker, from any thread: if child i is not queued yet, it
//   is marked queued and its index appended to the block's ready list, and,
//   if the list was empty, the parent's waker (the one from the join's most
//   recent poll) is woken: the join drains the whole list when it is
//   polled, so one wake per batch is enough. Cost: one atomic exchange, and
//   for the first wake of a child since its last poll a lock (a
//   ParkingLock: one compare-and-swap uncontended) and a push_back; for the
//   first of a batch, a wake of the parent by reference (the block keeps the
//   parent's waker in a KeptWaker and lends it: no clone, no drop).
// * The join drains the ready list at the start of each poll (O(1): it
//   swaps vectors) and clears each drained child's flag before polling it,
//   so a wake that arrives during or after the child's poll queues it again.
//   join_all takes the list with take() and clears a child's flag only when
//   it polls the child (unqueue()): a child it took but did not reach (the
//   budget ran out) stays queued, so a wake cannot list it a second time.
// * When the join completes or is destroyed it closes the block: later wakes
//   do nothing (and are safe: the block lives until its last waker is gone).
#pragma once

#include <pollen/config.hpp>
#include <pollen/core/ref_count.hpp>
#include <pollen/core/waker.hpp>
#include <pollen/sync/kept_waker.hpp>
#include <pollen/sync/parking_lock.hpp>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>  // std::lock_guard
#include <type_traits>
#include <utility>
#include <vector>

POLLEN_NAMESPACE_BEGIN
namespace detail {

class WakeList {
 public:
  // A block for n children, with one reference (the owner's). When
  // `all_queued`, every child starts queued, in index order.
  static WakeList* create(std::uint32_t n, bool all_queued) {
    return new WakeList(n, all_queued);
  }
  WakeList(const WakeList&) = delete;
  WakeList& operator=(const WakeList&) = delete;

  void retain() noexcept { refs_.retain(); }
  void release() noexcept {
    if (refs_.release()) delete this;
  }

  // Queues child i (once until it is drained) and wakes the parent. Any
  // thread.
  POLLEN_ALWAYS_INLINE void wake(std::uint32_t i) noexcept {
    if (slots_[i].queued.exchange(true, std::memory_order_acq_rel)) return;
    WakeOrder parent;  // woken after the lock is released
    {
      std::lock_guard<ParkingLock> lock(mu_);
      if (closed_) return;
      const bool first = woken_.empty();
      woken_.push_back(i);  // capacity reserved for n: never reallocates
      if (first) parent_.lend(parent);
    }
    parent.wake();
  }

  // Owner, at the start of each poll: the waker to wake from now on. Keeps
  // the old one when it will_wake() the same task; that test takes no lock
  // (only the owner ever stores the kept waker, so its own read of it cannot
  // race: wakers only read it, under the lock).
  void set_parent(const Waker& w) noexcept {
    if (parent_.is_kept(w)) return;
    Waker to_drop;  // a replaced waker, dropped after the lock is released
    std::lock_guard<ParkingLock> lock(mu_);
    parent_.keep(w, to_drop);
  }

  // Owner: swaps the ready list into `out` (which it empties first) and
  // clears the queued flag of each child in it.
  void drain(std::vector<std::uint32_t>& out) {
    out.clear();
    {
      std::lock_guard<ParkingLock> lock(mu_);
      out.swap(woken_);
      if (woken_.capacity() < slots_n_) woken_.reserve(slots_n_);
    }
    for (std::uint32_t i : out) slots_[i].queued.store(false, std::memory_order_release);
  }
  // Owner: appends the ready list to `out` (a swap when `out` is empty: O(1))
  // and empties the list. The children stay marked queued until unqueue(i):
  // until then a wake of one of them does nothing.
  void take(std::vector<std::uint32_t>& out) {
    std::lock_guard<ParkingLock> lock(mu_);
    if (out.empty()) {
      out.swap(woken_);
      if (woken_.capacity() < slots_n_) woken_.reserve(slots_n_);  // wake() never reallocates
    } else {
      out.insert(out.end(), woken_.begin(), woken_.end());
      woken_.clear();
    }
  }
  // Owner, before it polls child i (taken by take()): a wake from now on
  // queues it again.
  void unqueue(std::uint32_t i) noexcept { slots_[i].queued.store(false, std::memory_order_release); }

  // Owner: calls fn(i) for each queued child, clears the list and the flags.
  template <class Fn>
  void drain_each(Fn fn) {
    std::lock_guard<ParkingLock> lock(mu_);
    for (std::uint32_t i : woken_) {
      slots_[i].queued.store(false, std::memory_order_release);
      fn(i);
    }
    woken_.clear();
  }

  // Owner, when it completes or is destroyed: later wakes do nothing.
  void close() noexcept {
    Waker old;  // dropped after the lock is released
    std::lock_guard<ParkingLock> lock(mu_);
    closed_ = true;
    parent_.clear(old);
  }

  // A shared waker for child i: one more reference.
  RawWaker shared_raw(std::uint32_t i) noexcept {
    retain();
    return RawWaker{&slots_[i], &shared_vtable()};
  }
  // A borrowed view of child i's waker (no reference): valid while the
  // owner holds its reference.
  RawWaker borrowed_raw(std::uint32_t i) noexcept {
    return RawWaker{&slots_[i], &borrowed_vtable()};
  }

  std::size_t ref_count() const noexcept { return refs_.count(); }

 private:
  struct Slot {
    WakeList* list;
    std::atomic<bool> queued;  // true while the index is in the ready list
  };

  WakeList(std::uint32_t n, bool all_queued) : slots_(new Slot[n]), slots_n_(n) {
    parent_.set_lock(&mu_);
    woken_.reserve(n);
    for (std::uint32_t i = 0; i < n; ++i) {
      slots_[i].list = this;
      slots_[i].queued.store(all_queued, std::memory_order_relaxed);
      if (all_queued) woken_.push_back(i);
    }
  }
  ~WakeList() = default;

  static void wake_slot(const void* data) noexcept {
    const Slot* s = static_cast<const Slot*>(data);
    s->list->wake(static_cast<std::uint32_t>(s - s->list->slots_.get()));
  }
  static const WakerVTable& shared_vtable() noexcept {
    static const WakerVTable vt = {
        [](const void* data) noexcept -> RawWaker {
          static_cast<const Slot*>(data)->list->retain();
          return RawWaker{data, &shared_vtable()};
        },
        [](const void* data) noexcept {
          wake_slot(data);
          static_cast<const Slot*>(data)->list->release();
        },
        [](const void* data) noexcept { wake_slot(data); },
        [](const void* data) noexcept { static_cast<const Slot*>(data)->list->release(); },
    };
    return vt;
  }
  static const WakerVTable& borrowed_vtable() noexcept {
    static const WakerVTable vt = {
        [](const void* data) noexcept -> RawWaker {
          static_cast<const Slot*>(data)->list->retain();
          return RawWaker{data, &shared_vtable()};
        },
        [](const void* data) noexcept { wake_slot(data); },
        [](const void* data) noexcept { wake_slot(data); },
        [](const void*) noexcept {},
    };
    return vt;
  }

  RefCount refs_;                       // starts at 1: the owner's reference
  std::unique_ptr<Slot[]> slots_;       // one per child; never changes
  std::uint32_t slots_n_;               // never changes
  ParkingLock mu_;                      // guards the three fields below
  std::vector<std::uint32_t> woken_;    // queued children, in wake order
  KeptWaker parent_;                    // the join's most recent waker
  bool closed_ = false;                 // once true, never unset
};

// The per-child wakers of a join of a fixed number of children: the shared
// block is made only when a child clones its waker. The only field is the
// block pointer; everything else a borrowed waker needs (the join's flags,
// the parent's waker) is in its Borrowed record on the stack of the poll, so
// the join stays small and movable.
class JoinWakers {
 public:
  // One pointer, nulled in the source when moved: moving by a copy of the
  // bytes (without destroying the source) is the same (core/layout.hpp).
  using pollen_relocatable = std::true_type;

  JoinWakers() noexcept = default;
  JoinWakers(JoinWakers&& o) noexcept : shared_(o.shared_) { o.shared_ = nullptr; }
  JoinWakers& operator=(JoinWakers&&) = delete;
  ~JoinWakers() { close(); }

  // At the start of a poll: wake `parent` from now on, and set the flag in
  // `woken` of every child queued in the shared block.
  void begin_poll(const Waker& parent, bool* woken) {
    if (shared_ == nullptr) return;
    shared_->set_parent(parent);
    shared_->drain_each([woken](std::uint32_t i) { woken[i] = true; });
  }

  // The data of child `index`'s borrowed waker, on the stack of the poll.
  struct Borrowed {
    JoinWakers* hub;
    bool* woken;          // the join's flags, one per child
    const Waker* parent;  // the waker of the join's current poll
    std::uint32_t n;      // number of children
    std::uint32_t index;
  };
  static RawWaker borrowed_raw(const Borrowed* b) noexcept {
    return RawWaker{b, &borrowed_vtable()};
  }

  // The join is finished or gone: later wakes do nothing.
  void close() noexcept {
    if (shared_ == nullptr) return;
    shared_->close();
    shared_->release();
    shared_ = nullptr;
  }

  bool has_shared() const noexcept { return shared_ != nullptr; }

 private:
  static void wake_inline(const Borrowed* b) noexcept {
    if (b->hub->shared_ != nullptr) {
      b->hub->shared_->wake(b->index);
      return;
    }
    b->woken[b->index] = true;
    b->parent->wake_by_ref();
  }
  static RawWaker clone_inline(const Borrowed* b) {
    JoinWakers* hub = b->hub;
    if (hub->shared_ == nullptr) {
      hub->shared_ = WakeList::create(b->n, false);
      hub->shared_->set_parent(*b->parent);
    }
    return hub->shared_->shared_raw(b->index);
  }
  static const WakerVTable& borrowed_vtable() noexcept {
    static const WakerVTable vt = {
        [](const void* data) noexcept -> RawWaker {
          return clone_inline(static_cast<const Borrowed*>(data));
        },
        [](const void* data) noexcept { wake_inline(static_cast<const Borrowed*>(data)); },
        [](const void* data) noexcept { wake_inline(static_cast<const Borrowed*>(data)); },
        [](const void*) noexcept {},
    };
    return vt;
  }

  WakeList* shared_ = nullptr;  // made at the first clone; holds one reference
};

}  // namespace detail
POLLEN_NAMESPACE_END
