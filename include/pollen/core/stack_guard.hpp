// pollen/core/stack_guard.hpp: a check, at the top of BoxFuture::poll, that
// the thread's stack still has room.
//
// Statically composed futures nest as deeply as their type, which the
// compiler bounds. Boxes nest at run time: a box whose future polls another
// box from inside its own poll (boxed(std::move(f).map(g)) applied again and
// again, or a recursion whose boxed step is not the last thing it does)
// polls one level deeper per box, and a long enough chain overflows the
// stack. Instead of a crash without a message, BoxFuture::poll raises a
// ContractError that says so, once the thread has less than a reserve of its
// stack left (an eighth of it, between 64 KiB and half of it). A remaining-
// stack check, rather than a count of nested boxes, adapts to the size of the
// frames (which AddressSanitizer, for one, makes much larger) and of the
// thread's stack.
//
// Cost: one thread-local load and one compare per BoxFuture::poll. The
// thread's stack bounds are read once per thread, on its first box poll
// (pthread_getattr_np on Linux). Where they cannot be read, and on a stack
// that is not the thread's own (a fiber, a signal stack), the check is off.
#pragma once

#include <pollen/config.hpp>

#include <cstdint>

POLLEN_NAMESPACE_BEGIN
namespace detail {

// The lowest frame address at which this thread may still poll a box
// without the slow check: the stack's low end plus the reserve. All ones
// until the bounds are read; 0 when the check is off for this thread.
inline std::uintptr_t& stack_floor() noexcept {
  static thread_local std::uintptr_t floor = ~std::uintptr_t(0);
  return floor;
}

// The slow path (src/stack_guard.cpp): reads this thread's stack bounds
// the first time, then raises the ContractError if `frame` is within the
// reserve of the thread's own stack.
void check_stack_slow(std::uintptr_t frame, const char* what);

// Raises a ContractError naming `what` when the current frame is within the
// reserve of this thread's stack.
#if defined(__GNUC__) || defined(__clang__)
#define POLLEN_CHECK_STACK(what)                                                        \
  do {                                                                                  \
    std::uintptr_t pollen_frame_ = reinterpret_cast<std::uintptr_t>(__builtin_frame_address(0)); \
    if (POLLEN_UNLIKELY(pollen_frame_ < ::pollen::detail::stack_floor())) {             \
      ::pollen::detail::check_stack_slow(pollen_frame_, (what));                        \
    }                                                                                   \
  } while (0)
#else
#define POLLEN_CHECK_STACK(what) \
  do {                           \
  } while (0)
#endif

}  // namespace detail
POLLEN_NAMESPACE_END
