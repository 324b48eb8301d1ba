// pollen/sync/shared.hpp: the reference-counted home of a channel's shared
// state, and the lock guard the channels use. Internal to pollen/sync.
//
// Every handle of a channel (sender, receiver, pending send, permit) holds one
// reference to the shared state; the last one to go deletes it. The count is
// atomic because handles live on different threads; deleting happens on
// whichever thread drops the last reference, after an acquire fence that
// makes every earlier write to the state (by any thread) visible there.
#pragma once

#include <pollen/config.hpp>
#include <pollen/core/context.hpp>

#include <atomic>
#include <cstddef>
#include <utility>

POLLEN_NAMESPACE_BEGIN
namespace detail {

// Derive the shared state from this; create it with `new` and hand the
// pointer to a SharedRef, which adopts the creator's reference.
class RefCounted {
 public:
  RefCounted() noexcept = default;
  RefCounted(const RefCounted&) = delete;
  RefCounted& operator=(const RefCounted&) = delete;

  void retain() noexcept { refs_.fetch_add(1, std::memory_order_relaxed); }
  // True when this was the last reference: the caller deletes the object.
  bool release() noexcept { return refs_.fetch_sub(1, std::memory_order_acq_rel) == 1; }
  std::size_t ref_count() const noexcept { return refs_.load(std::memory_order_acquire); }

 protected:
  ~RefCounted() = default;

 private:
  std::atomic<std::size_t> refs_{1};
};

// An owning pointer holding one reference to a T derived from RefCounted.
template <class T>
class SharedRef {
 public:
  SharedRef() noexcept = default;
  explicit SharedRef(T* adopt) noexcept : p_(adopt) {}
  SharedRef(const SharedRef& o) noexcept : p_(o.p_) {
    if (p_ != nullptr) p_->retain();
  }
  SharedRef(SharedRef&& o) noexcept : p_(o.p_) { o.p_ = nullptr; }
  SharedRef& operator=(SharedRef o) noexcept {
    std::swap(p_, o.p_);
    return *this;
  }
  ~SharedRef() { reset(); }

  // Inline: a test and an atomic decrement. Deleting the state (the last
  // reference, once per channel) is out of line, so that the size of the
  // state's destructor never keeps reset() from being inlined.
  void reset() noexcept {
    T* p = p_;
    p_ = nullptr;
    if (p != nullptr && p->release()) destroy(p);
  }
  T* get() const noexcept { return p_; }
  T* operator->() const noexcept { return p_; }
  T& operator*() const noexcept { return *p_; }
  explicit operator bool() const noexcept { return p_ != nullptr; }

 private:
#if defined(__GNUC__) || defined(__clang__)
  __attribute__((noinline))
#endif
  static void destroy(T* p) noexcept {
    delete p;
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
