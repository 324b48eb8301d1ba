// pollen/sync/waiter_list.hpp: WaiterList, the intrusive FIFO of waiting
// futures that Notify, Semaphore and Mutex own. Internal to pollen/sync.
//
// Ground rules
// * A WaiterLink lives inside the waiting future (no allocation per waiter);
//   the list only points to it. A link is linked into at most one list.
// * The list is circular with a sentinel (`head_`), so unlinking a node
//   needs no reference to the list that holds it: a primitive may splice its
//   waiters into a list on its own stack (to wake them in batches) while a
//   waiter being destroyed still unlinks itself the same way.
// * The owner of the list guards every link with its lock (Notify,
//   Semaphore) or keeps it on one thread (Mutex). A future that moves while
//   linked takes its place in the list with replace() under that guard.
// * Neither the list nor a link is copyable or movable: they are addresses.
#pragma once

#include <pollen/config.hpp>
#include <pollen/core/waker.hpp>

#include <cstddef>
#include <mutex>  // std::lock_guard
#include <utility>

POLLEN_NAMESPACE_BEGIN
namespace detail {

class WaiterLink {
 public:
  WaiterLink() noexcept = default;
  WaiterLink(const WaiterLink&) = delete;
  WaiterLink& operator=(const WaiterLink&) = delete;

  bool is_linked() const noexcept { return next_ != nullptr; }

  // Takes this link out of whatever list holds it; a no-op when unlinked.
  void unlink() noexcept {
    if (next_ == nullptr) return;
    prev_->next_ = next_;
    next_->prev_ = prev_;
    prev_ = next_ = nullptr;
  }

  // Puts this (unlinked) link where `old` is, and unlinks `old`.
  void replace(WaiterLink& old) noexcept {
    if (old.next_ == nullptr) return;
    prev_ = old.prev_;
    next_ = old.next_;
    prev_->next_ = this;
    next_->prev_ = this;
    old.prev_ = old.next_ = nullptr;
  }

 private:
  friend class WaiterList;
  WaiterLink* prev_ = nullptr;  // null when unlinked
  WaiterLink* next_ = nullptr;  // null when unlinked
};

class WaiterList {
 public:
  WaiterList() noexcept { head_.prev_ = head_.next_ = &head_; }
  WaiterList(const WaiterList&) = delete;
  WaiterList& operator=(const WaiterList&) = delete;
  // The owner empties the list before destroying it (its links point here).
  ~WaiterList() = default;

  bool empty() const noexcept { return head_.next_ == &head_; }
  WaiterLink* front() const noexcept { return empty() ? nullptr : head_.next_; }

  void push_back(WaiterLink& l) noexcept {
    l.prev_ = head_.prev_;
    l.next_ = &head_;
    head_.prev_->next_ = &l;
    head_.prev_ = &l;
  }

  // The first link, unlinked; nullptr when empty.
  WaiterLink* pop_front() noexcept {
    WaiterLink* l = front();
    if (l != nullptr) l->unlink();
    return l;
  }

  // Moves every link of this list to the back of `to`, in order.
  void splice_all_into(WaiterList& to) noexcept {
    if (empty()) return;
    WaiterLink* first = head_.next_;
    WaiterLink* last = head_.prev_;
    first->prev_ = to.head_.prev_;
    to.head_.prev_->next_ = first;
    last->next_ = &to.head_;
    to.head_.prev_ = last;
    head_.prev_ = head_.next_ = &head_;
  }

  // Calls fn(link) for each link, front to back; fn must not unlink.
  template <class Fn>
  void for_each(Fn fn) const {
    for (WaiterLink* l = head_.next_; l != &head_; l = l->next_) fn(*l);
  }

  std::size_t size() const noexcept {
    std::size_t n = 0;
    for_each([&n](WaiterLink&) { ++n; });
    return n;
  }

 private:
  mutable WaiterLink head_;  // the sentinel: head_.next_ is the front
};

// Up to kWakeBatch wakers taken out under a lock and woken after it is
// released: a primitive waking a whole list (Notify::notify_waiters,
// Semaphore::close) wakes it batch by batch, so that it neither allocates
// nor wakes anything while holding its lock.
class WakeBatch {
 public:
  static constexpr std::size_t kWakeBatch = 32;

  bool full() const noexcept { return n_ == kWakeBatch; }
  void push(Waker&& w) noexcept { wakers_[n_++] = std::move(w); }
  // Wakes (and drops) every waker taken so far; call it unlocked.
  void wake_all() noexcept {
    for (std::size_t i = 0; i < n_; ++i) std::move(wakers_[i]).wake();
    n_ = 0;
  }

 private:
  Waker wakers_[kWakeBatch];
  std::size_t n_ = 0;
};

// Wakes every waiter of `list` (a list on the caller's stack, whose nodes
// were already marked under `mu`), batch by batch: under `mu`, up to
// kWakeBatch nodes are unlinked and their wakers (`waker_of(link)`, a
// Waker&) taken out; then they are woken with `mu` released. A waiter
// destroyed meanwhile unlinks itself from `list` under `mu`.
template <class Lock, class WakerOf>
void wake_list_in_batches(WaiterList& list, Lock& mu, WakerOf waker_of) noexcept {
  WakeBatch batch;
  bool more = true;
  while (more) {
    {
      std::lock_guard<Lock> lock(mu);
      while (!batch.full() && !list.empty()) batch.push(std::move(waker_of(list.pop_front())));
      more = !list.empty();
    }
    batch.wake_all();
  }
}

}  // namespace detail
POLLEN_NAMESPACE_END
