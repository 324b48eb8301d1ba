// pollen/core/arc_wake.hpp: ArcWake, the simplest way to build a Waker from
// an object: derive, implement on_wake(), and hand out waker().
//
// The object is reference counted (a RefCount: atomic, wakers cross
// threads). Each Waker made by waker() holds one reference; the object is
// deleted when the last reference is released. Create it with `new` and give
// up your own reference with release() (or keep it in an ArcPtr, whose
// moved-from destructor is an inline test).
#pragma once

#include <pollen/config.hpp>
#include <pollen/core/ref_count.hpp>
#include <pollen/core/waker.hpp>

#include <cstddef>
#include <utility>

POLLEN_NAMESPACE_BEGIN

class ArcWake {
 public:
  ArcWake() noexcept = default;
  ArcWake(const ArcWake&) = delete;
  ArcWake& operator=(const ArcWake&) = delete;

  // Called by every wake of every Waker made from this object, from any
  // thread. Must not throw.
  virtual void on_wake() noexcept = 0;

  // A new Waker holding one more reference.
  Waker waker() noexcept;

  void retain() noexcept { refs_.retain(); }
  void release() noexcept {
    if (refs_.release()) delete this;
  }
  std::size_t ref_count() const noexcept { return refs_.count(); }

 protected:
  virtual ~ArcWake() = default;

 private:
  // The key function, defined in the library: the vtable is emitted there
  // once instead of in every translation unit. Never called.
  virtual void anchor();

  detail::RefCount refs_;  // starts at 1: the creator's reference
};

// An owning pointer to an ArcWake subclass (one reference).
template <class T>
class ArcPtr {
 public:
  ArcPtr() noexcept = default;
  // Adopts the creator's reference of a freshly new-ed object.
  explicit ArcPtr(T* adopt) noexcept : p_(adopt) {}
  ArcPtr(const ArcPtr& o) noexcept : p_(o.p_) {
    if (p_) p_->retain();
  }
  ArcPtr(ArcPtr&& o) noexcept : p_(o.p_) { o.p_ = nullptr; }
  ArcPtr& operator=(ArcPtr o) noexcept {
    std::swap(p_, o.p_);
    return *this;
  }
  ~ArcPtr() {
    if (p_) p_->release();
  }
  T* get() const noexcept { return p_; }
  T* operator->() const noexcept { return p_; }
  T& operator*() const noexcept { return *p_; }
  explicit operator bool() const noexcept { return p_ != nullptr; }

 private:
  T* p_ = nullptr;
};

template <class T, class... Args>
ArcPtr<T> make_arc(Args&&... args) {
  return ArcPtr<T>(new T(std::forward<Args>(args)...));
}

POLLEN_NAMESPACE_END
