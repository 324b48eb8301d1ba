// pollen/core/waker.hpp: Waker, the handle a future keeps to say "poll me
// again".
//
// A Waker is a data pointer plus a table of four functions, like Rust's
// RawWaker: clone (copy), wake (wake and release), wake_by_ref (wake and
// keep), drop (release). Whoever builds a waker decides what the data is and
// how it is kept alive (usually a reference count).
//
// Ground rules
// * A default-constructed Waker is the no-op waker: waking it does nothing.
// * Copying clones, destroying drops, moving steals (the source becomes the
//   no-op waker).
// * `w.wake()` on an lvalue wakes by reference and leaves `w` usable;
//   `std::move(w).wake()` wakes and consumes it.
// * wake() may be called from any thread, at any time, any number of times,
//   also after the task or the executor it points to is gone: then it does
//   nothing. Each implementation of the table must keep that promise.
// * Only the waker from the most recent poll must be woken; an older one
//   stays safe to call.
#pragma once

#include <pollen/config.hpp>

#include <utility>

POLLEN_NAMESPACE_BEGIN

struct WakerVTable;

// The raw parts of a Waker, as returned by a clone function.
struct RawWaker {
  const void* data;
  const WakerVTable* vtable;
};

struct WakerVTable {
  RawWaker (*clone)(const void* data);
  void (*wake)(const void* data);         // wakes, then releases `data`
  void (*wake_by_ref)(const void* data);  // wakes, keeps `data`
  void (*drop)(const void* data);         // releases `data`
};

namespace detail {
// The no-op waker's table (src/waker.cpp). Declared here so that making and
// recognising a no-op waker is inline: a moved-from or default Waker is on
// every hot path.
extern const WakerVTable noop_waker_vtable;
}  // namespace detail

class Waker {
 public:
  // The no-op waker.
  Waker() noexcept : raw_(noop_raw()) {}
  // Adopts `raw`: the Waker now owns one reference to raw.data.
  explicit Waker(RawWaker raw) noexcept : raw_(raw) {}

  // The no-op waker is recognised inline: copying, dropping or waking it
  // makes no call.
  Waker(const Waker& o) noexcept
      : raw_(o.is_noop() ? o.raw_ : o.raw_.vtable->clone(o.raw_.data)) {}
  Waker(Waker&& o) noexcept : raw_(o.raw_) { o.raw_ = noop_raw(); }
  Waker& operator=(const Waker& o) noexcept {
    if (this != &o && !will_wake(o)) {
      Waker copy(o);
      swap(copy);
    }
    return *this;
  }
  Waker& operator=(Waker&& o) noexcept {
    if (this != &o) {
      Waker taken(std::move(o));
      swap(taken);
    }
    return *this;
  }
  ~Waker() {
    if (!is_noop()) raw_.vtable->drop(raw_.data);
  }

  void wake() const& noexcept {
    if (!is_noop()) raw_.vtable->wake_by_ref(raw_.data);
  }
  void wake() && noexcept {
    RawWaker r = raw_;
    raw_ = noop_raw();
    if (r.vtable != noop_raw().vtable) r.vtable->wake(r.data);
  }
  void wake_by_ref() const noexcept {
    if (!is_noop()) raw_.vtable->wake_by_ref(raw_.data);
  }

  // True when both wakers wake the same thing (same data and table), so a
  // future may keep its stored waker instead of cloning the new one.
  bool will_wake(const Waker& o) const noexcept {
    return raw_.data == o.raw_.data && raw_.vtable == o.raw_.vtable;
  }

  bool is_noop() const noexcept { return raw_.vtable == noop_raw().vtable; }

  const RawWaker& raw() const noexcept { return raw_; }
  // Gives up ownership of the raw parts; this Waker becomes the no-op waker.
  RawWaker into_raw() noexcept {
    RawWaker r = raw_;
    raw_ = noop_raw();
    return r;
  }

  void swap(Waker& o) noexcept { std::swap(raw_, o.raw_); }

  static Waker noop() noexcept { return Waker(); }

 private:
  static RawWaker noop_raw() noexcept { return RawWaker{nullptr, &detail::noop_waker_vtable}; }

  RawWaker raw_;
};

POLLEN_NAMESPACE_END
