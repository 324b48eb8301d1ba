// The no-op waker and the ArcWake waker tables.
#include <pollen/core/arc_wake.hpp>
#include <pollen/core/waker.hpp>

POLLEN_NAMESPACE_BEGIN

namespace {

RawWaker noop_clone(const void*);
void noop_fn(const void*) {}
const WakerVTable kNoopVTable = {noop_clone, noop_fn, noop_fn, noop_fn};
RawWaker noop_clone(const void*) { return RawWaker{nullptr, &kNoopVTable}; }

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

Waker::Waker() noexcept : raw_(noop_raw()) {}

RawWaker Waker::noop_raw() noexcept { return RawWaker{nullptr, &kNoopVTable}; }

Waker ArcWake::waker() noexcept {
  retain();
  return Waker(RawWaker{this, &kArcVTable});
}

POLLEN_NAMESPACE_END
