// pollen/sync/shared.hpp: the reference-counted home of a channel's shared
// state, and the helpers the channels share. Internal to pollen/sync.
//
// Every handle of a channel (sender, receiver, pending send, permit) holds one
// reference to the shared state; the last one to go deletes it. The count is
// a RefCount (core/ref_count.hpp): atomic, because handles live on different
// threads; the last release is ordered after every earlier write to the state
// by any thread, and a state whose other handles are all gone dies without a
// read-modify-write.
//
// Moved-from handles are the common case: a handle moves through several
// layers (a message holding a sender, a future holding a receiver) and each
// moved-from shell is destroyed. So every handle's destructor is an inline
// "moved from? return" test, and the work of a live handle is out of line
// (POLLEN_SYNC_NOINLINE), so that the test is all a moved-from shell costs
// and the slow path never keeps the destructor from being inlined.
#pragma once

#include <pollen/config.hpp>
#include <pollen/core/context.hpp>
#include <pollen/core/ref_count.hpp>

#include <cstddef>
#include <cstdint>
#include <utility>

// The slow path of a handle, kept out of line, and its inline test, always
// inlined: in a large translation unit gcc's growth limits otherwise turn
// some of these two-instruction destructors into calls (see above).
#if defined(__GNUC__) || defined(__clang__)
#  define POLLEN_SYNC_NOINLINE __attribute__((noinline))
#  define POLLEN_SYNC_INLINE __attribute__((always_inline))
#else
#  define POLLEN_SYNC_NOINLINE
#  define POLLEN_SYNC_INLINE
#endif

POLLEN_NAMESPACE_BEGIN
namespace detail {

// Derive the shared state from this; create it with `new` and hand the
// pointer to SharedRefs, each adopting one of the creator's references (a
// channel is born with two: its sender's and its receiver's).
class RefCounted {
 public:
  explicit RefCounted(std::uint32_t refs = 1) noexcept : refs_(refs) {}
  RefCounted(const RefCounted&) = delete;
  RefCounted& operator=(const RefCounted&) = delete;

  void retain() noexcept { refs_.retain(); }
  // True when this was the last reference: the caller deletes the object.
  POLLEN_NODISCARD bool release() noexcept { return refs_.release(); }
  std::size_t ref_count() const noexcept { return refs_.count(); }
  // True when the caller's reference is the only one: no other handle
  // exists or can be made, so nothing else touches the object (and every
  // write by a handle already gone is visible).
  bool unique() const noexcept { return refs_.unique(); }

 protected:
  ~RefCounted() = default;

 private:
  RefCount refs_;
};

// An owning pointer holding one reference to a T derived from RefCounted.
// Empty (moved from, or default): every operation is an inline test.
template <class T>
class SharedRef {
 public:
  SharedRef() noexcept = default;
  explicit SharedRef(T* adopt) noexcept : p_(adopt) {}
  SharedRef(const SharedRef& o) noexcept : p_(o.p_) {
    if (p_ != nullptr) p_->retain();
  }
  SharedRef(SharedRef&& o) noexcept : p_(o.p_) { o.p_ = nullptr; }
  SharedRef& operator=(const SharedRef& o) noexcept {
    SharedRef copy(o);
    swap(copy);
    return *this;
  }
  SharedRef& operator=(SharedRef&& o) noexcept {
    if (this != &o) {
      reset();
      p_ = o.p_;
      o.p_ = nullptr;
    }
    return *this;
  }
  POLLEN_SYNC_INLINE ~SharedRef() {
    if (p_ != nullptr) drop(p_);
  }

  POLLEN_SYNC_INLINE void reset() noexcept {
    if (p_ == nullptr) return;
    T* p = p_;
    p_ = nullptr;
    drop(p);
  }
  void swap(SharedRef& o) noexcept { std::swap(p_, o.p_); }
  T* get() const noexcept { return p_; }
  T* operator->() const noexcept { return p_; }
  T& operator*() const noexcept { return *p_; }
  explicit operator bool() const noexcept { return p_ != nullptr; }

 private:
  // A live reference goes: out of line, so that the state's destructor never
  // keeps the inline test from being inlined.
  POLLEN_SYNC_NOINLINE static void drop(T* p) noexcept {
    if (p->release()) delete p;
  }

  T* p_ = nullptr;
};

// The cooperative budget, the way channel receives spend it: look before
// taking (out_of_budget), pay after a ready result (spend_budget), so that a
// Pending receive costs nothing. When the budget is spent, out_of_budget()
// has woken the task: return Pending.
inline bool out_of_budget(const Context& cx) noexcept {
  return cx.budget_spent() && !cx.consume_budget();
}
inline void spend_budget(const Context& cx) noexcept { (void)cx.consume_budget(); }

// Stores `waker` in `stored` (under the caller's lock) unless it already
// wakes the same task. The replaced waker goes to `to_drop`, a local the
// caller declared before taking the lock, so that its drop (which may free a
// task, and with it handles of this very channel) runs after unlocking.
// Always inlined: it is on the path of every Pending receive, and gcc's
// growth limits in a large translation unit otherwise make it a call.
#if defined(__GNUC__) || defined(__clang__)
__attribute__((always_inline))
#endif
inline void replace_waker(Waker& stored, const Waker& waker, Waker& to_drop) noexcept {
  if (stored.will_wake(waker)) return;
  to_drop = std::move(stored);
  stored = waker;
}

}  // namespace detail
POLLEN_NAMESPACE_END
