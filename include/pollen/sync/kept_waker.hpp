// pollen/sync/kept_waker.hpp: KeptWaker, a waker registration that stays
// registered across wakes and is lent, not cloned, to whoever wakes it.
// Internal to pollen (an mpsc channel's receiver, a join's parent).
//
// The usual registration costs a clone per wait and a drop per wake: the
// waiting party stores a clone of its waker, the waking party takes it out,
// wakes it and drops it. A receiver in a loop task that waits for every
// message pays both per message. KeptWaker keeps the waker instead: the
// waiting party re-arms it (no clone when it is the same task's waker, the
// common case), and the waking party wakes it by reference, after releasing
// the owner's lock, without owning it. While the waker is lent out that way
// nobody may drop it; that is what the lend state below guards.
//
// Ground rules
// * Every member is guarded by the owner's lock (a ParkingLock), except
//   `lend_`, which the borrower updates without it when it is done. Only
//   the owner stores `kept_` (keep(), clear()), so the owner may read it
//   without the lock (is_kept()); a borrower reads it under the lock.
// * armed: the waiting party registered and has not been woken since. A
//   wake disarms; a later wait re-arms. A wake of an unarmed KeptWaker does
//   nothing (a busy receiver costs its senders no wakes).
// * Lending. take_wake() (under the lock, armed, a waker kept; or lend(),
//   armed or not) lends the kept waker to one waker at a time: lend_ goes
//   Idle -> Lent, and the WakeOrder it fills, after the lock is released,
//   calls wake_by_ref() on the lent parts and ends the lend. While a lend is
//   out, a second one clones instead (the clone is woken and dropped by its
//   WakeOrder).
// * Retiring. While the kept waker is lent, the owner may need to replace it
//   (the waiting party now belongs to another task) or drop it (the waiting
//   party is gone). The lent waker must live until its wake_by_ref() has
//   returned, so instead of being dropped it moves to `retired_` and lend_
//   goes Lent -> Retired; the borrower, seeing Retired when it ends the lend,
//   takes the lock, drops the retired waker and sets Idle. So at most one
//   waker is ever retired: while lend_ is not Idle nothing else is lent, and
//   a waker stored after the retired one was never lent.
// * Orders. The borrower ends a lend with a release compare-and-swap
//   Lent -> Idle after its wake_by_ref(); the owner reads lend_ with acquire
//   before dropping a kept waker, so a wake in progress is never freed under
//   it.
// * The owner outlives every WakeOrder (the waking party holds a reference
//   to it), so at the owner's destruction lend_ is Idle and nothing is
//   retired.
#pragma once

#include <pollen/config.hpp>
#include <pollen/core/waker.hpp>
#include <pollen/sync/parking_lock.hpp>

#include <atomic>
#include <cstdint>
#include <mutex>  // std::lock_guard
#include <utility>

POLLEN_NAMESPACE_BEGIN
namespace detail {

class KeptWaker;

// What to wake once the owner's lock is released: nothing, a lent waker (a
// wake by reference, then the lend ends), or an owned waker (a clone or a
// waker taken out, woken by value). A local declared before the lock is
// taken, filled under it. Destroying an order wakes it if nobody did, so a
// lend always ends. Neither copied nor moved.
class WakeOrder {
 public:
  WakeOrder() noexcept = default;
  WakeOrder(const WakeOrder&) = delete;
  WakeOrder& operator=(const WakeOrder&) = delete;
  ~WakeOrder() { wake(); }

  // The order wakes `w` (a waker the caller took out of a registration).
  // Only on an empty order.
  void own(Waker w) noexcept { owned_ = std::move(w); }

  // Wakes (at most once). Call it with no lock held.
  inline void wake() noexcept;

 private:
  friend class KeptWaker;

  Waker owned_;                         // woken by value when from_ is null
  RawWaker lent_{nullptr, nullptr};     // valid while from_ is set
  KeptWaker* from_ = nullptr;           // the lender: a lend is out
};

class KeptWaker {
 public:
  KeptWaker() noexcept = default;
  KeptWaker(const KeptWaker&) = delete;
  KeptWaker& operator=(const KeptWaker&) = delete;

  // Under the lock: the waiting party waits for `w`'s task from now on and
  // is woken by the next take_wake(). No clone when `w` wakes the kept one.
  // A replaced waker goes to `to_drop` (drop it after unlocking) unless it
  // is lent out.
  void arm(const Waker& w, Waker& to_drop) noexcept {
    armed_ = true;
    keep(w, to_drop);
  }

  // Under the lock: keeps `w` (as arm() does) without arming.
  void keep(const Waker& w, Waker& to_drop) noexcept {
    if (kept_.will_wake(w)) return;
    Waker fresh(w);  // a clone: a reference count increment
    unkeep(to_drop);
    kept_ = std::move(fresh);
  }

  // Under the lock: the waiting party stops waiting but keeps its waker.
  void disarm() noexcept { armed_ = false; }
  bool armed() const noexcept { return armed_; }

  // Under the lock: when armed, disarms and fills the empty order `out` with
  // the wake to make after unlocking: a lend of the kept waker, or a clone
  // while another lend is out. Not armed: `out` stays empty.
  void take_wake(WakeOrder& out) noexcept {
    if (!armed_) return;
    armed_ = false;
    lend(out);
  }

  // Under the lock: fills the empty order `out` with a wake of the kept
  // waker, armed or not (a lend, or a clone while another lend is out).
  void lend(WakeOrder& out) noexcept {
    if (kept_.is_noop()) return;
    if (lend_.load(std::memory_order_relaxed) == kIdle) {
      lend_.store(kLent, std::memory_order_relaxed);
      out.lent_ = kept_.raw();
      out.from_ = this;
      return;
    }
    out.owned_ = kept_;  // a clone
  }

  // Under the lock: the waiting party is gone; its waker goes to `to_drop`
  // unless it is lent out (then the borrower drops it).
  void clear(Waker& to_drop) noexcept {
    armed_ = false;
    unkeep(to_drop);
  }

  bool is_kept(const Waker& w) const noexcept { return kept_.will_wake(w); }

  // The owner's lock, which a borrower takes to drop a retired waker.
  void set_lock(ParkingLock* mu) noexcept { mu_ = mu; }

 private:
  friend class WakeOrder;
  enum : std::uint8_t { kIdle, kLent, kRetired };

  // Under the lock: the kept waker leaves (kept_ becomes the no-op waker):
  // to `to_drop`, or to `retired_` while it is lent out.
  void unkeep(Waker& to_drop) noexcept {
    if (kept_.is_noop()) return;
    std::uint8_t expected = kLent;
    if (lend_.load(std::memory_order_acquire) == kLent &&
        lend_.compare_exchange_strong(expected, kRetired, std::memory_order_acq_rel,
                                      std::memory_order_acquire)) {
      retired_ = std::move(kept_);  // the lent one: the borrower drops it
      return;
    }
    // Idle: no wake in progress (the acquire above saw it end). Retired: the
    // lent waker is already in retired_, and this one was never lent.
    to_drop = std::move(kept_);
  }

  // The borrower, after its wake_by_ref(), with no lock held.
  void end_lend() noexcept {
    std::uint8_t expected = kLent;
    if (lend_.compare_exchange_strong(expected, kIdle, std::memory_order_release,
                                      std::memory_order_acquire)) {
      return;
    }
    end_retired_lend();
  }
#if defined(__GNUC__) || defined(__clang__)
  __attribute__((noinline))
#endif
  void end_retired_lend() noexcept {
    Waker to_drop;  // dropped after the lock is released
    std::lock_guard<ParkingLock> lock(*mu_);
    to_drop = std::move(retired_);
    lend_.store(kIdle, std::memory_order_relaxed);
  }

  Waker kept_;                      // the waiting party's waker (no-op: none yet)
  Waker retired_;                   // a lent waker replaced during its lend (lend_ == kRetired)
  ParkingLock* mu_ = nullptr;       // the owner's lock
  std::atomic<std::uint8_t> lend_{kIdle};
  bool armed_ = false;              // registered, not woken since
};

inline void WakeOrder::wake() noexcept {
  if (from_ != nullptr) {
    KeptWaker* from = from_;
    from_ = nullptr;
    lent_.vtable->wake_by_ref(lent_.data);
    from->end_lend();
    return;
  }
  std::move(owned_).wake();
}

}  // namespace detail
POLLEN_NAMESPACE_END
