// The compiled part of BoxFuture (core/box_future.hpp): destroying boxes in
// constant stack, and the slow path of the stack check of BoxFuture::poll
// (core/stack_guard.hpp): this thread's stack bounds, and the ContractError
// when they are nearly reached.
#include <pollen/core/box_future.hpp>
#include <pollen/core/contract.hpp>
#include <pollen/core/stack_guard.hpp>

#include "format.hpp"

#include <cstddef>

#if defined(__linux__)
#include <pthread.h>
#endif

POLLEN_NAMESPACE_BEGIN
namespace detail {
void DynBase::anchor() {}

void drop_deferred_boxes() noexcept {
  // Called by the outermost destruction (depth 1): each deferred box is
  // destroyed again with up to kMaxNestedBoxDrops - 1 destructions nested
  // below it.
  DropList& list = DropListOf<>::list;
  while (list.head != nullptr) {
    DynBase* q = list.head;
    list.head = q->next_dropped_;
    delete q;
  }
}

void drop_box_nested(DynBase* p) noexcept {
  DropList& list = DropListOf<>::list;
  if (list.depth >= kMaxNestedBoxDrops) {
    p->next_dropped_ = list.head;  // the outermost drop_box() in progress will get to it
    list.head = p;
    return;
  }
  ++list.depth;
  delete p;
  --list.depth;
}

namespace {

struct StackBounds {
  std::uintptr_t low = 0;   // lowest address of the stack (it grows down)
  std::uintptr_t high = 0;  // one past its highest address; 0: unknown
};

StackBounds& this_thread_stack() noexcept {
  static thread_local StackBounds bounds;
  return bounds;
}

StackBounds read_stack_bounds() noexcept {
  StackBounds b;
#if defined(__linux__)
  pthread_attr_t attr;
  if (pthread_getattr_np(pthread_self(), &attr) != 0) return b;
  void* addr = nullptr;
  std::size_t size = 0;
  if (pthread_attr_getstack(&attr, &addr, &size) == 0 && addr != nullptr && size != 0) {
    b.low = reinterpret_cast<std::uintptr_t>(addr);
    b.high = b.low + size;
  }
  pthread_attr_destroy(&attr);
#endif
  return b;
}

// An eighth of the stack, at least 64 KiB, at most half of it: room for the
// frames between two box polls and for raising the error.
std::uintptr_t reserve_for(std::uintptr_t size) noexcept {
  std::uintptr_t r = size / 8;
  if (r < 64 * 1024) r = 64 * 1024;
  if (r > size / 2) r = size / 2;
  return r;
}

double mib(std::uintptr_t bytes) { return static_cast<double>(bytes) / (1024.0 * 1024.0); }

}  // namespace

void check_stack_slow(std::uintptr_t frame, const char* what) {
  StackBounds& b = this_thread_stack();
  if (stack_floor() == ~std::uintptr_t(0)) {  // first box poll on this thread
    b = read_stack_bounds();
    stack_floor() = b.high == 0 ? 0 : b.low + reserve_for(b.high - b.low);
    if (frame >= stack_floor()) return;
  }
  if (frame < b.low || frame >= b.high) {
    stack_floor() = 0;  // not this thread's stack (a fiber?): the check is off from now on
    return;
  }
  contract_violation(detail::format(
      "{} polled with only {:.2f} MiB of this thread's {:.2f} MiB stack left ({:.2f} MiB in use): "
      "boxes are nested so deeply that the next polls would overflow the stack. Each box polls the "
      "next one from inside its own poll, as in boxed(std::move(f).map(g)) applied again and again "
      "or a recursion whose boxed step is not its last action. Build long chains with then() whose "
      "function returns the next BoxFuture (the box adopts it: constant stack) or with loop_fn()",
      what, mib(frame - b.low), mib(b.high - b.low), mib(b.high - frame)));
}

}  // namespace detail
POLLEN_NAMESPACE_END
