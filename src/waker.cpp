// The no-op waker and the ArcWake waker tables.
#include <pollen/core/arc_wake.hpp>
#include <pollen/core/waker.hpp>

POLLEN_NAMESPACE_BEGIN

namespace {
RawWaker noop_clone(const void*) { return RawWaker{nullptr, &detail::noop_waker_vtable}; }
void noop_fn(const void*) {}
}  // namespace

namespace detail {
// External linkage through the declaration in waker.hpp.
const WakerVTable noop_waker_vtable = {noop_clone, noop_fn, noop_fn, noop_fn};
}  // namespace detail

namespace {

// ArcWake: data is the ArcWake*, each Waker holds one reference.
ArcWake* arc(const void* data) { return static_cast<ArcWake*>(const_cast<void*>(data)); }
RawWaker arc_clone(const void* data);
void arc_wake(const void* data) {
  ArcWake* a = arc(data);
  a->on_wake();
  a->release();
}
void arc_wake_by_ref(const void* data) { arc(data)->on_wake(); }
void arc_drop(const void* data) { arc(data)->release(); }
const WakerVTable kArcVTable = {arc_clone, arc_wake, arc_wake_by_ref, arc_drop};
RawWaker arc_clone(const void* data) {
  arc(data)->retain();
  return RawWaker{data, &kArcVTable};
}

}  // namespace

void ArcWake::anchor() {}

Waker ArcWake::waker() noexcept {
  retain();
  return Waker(RawWaker{this, &kArcVTable});
}

POLLEN_NAMESPACE_END
