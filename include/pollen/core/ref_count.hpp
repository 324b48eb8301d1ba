// pollen/core/ref_count.hpp: RefCount, the one atomic reference count that
// every shared block of pollen uses (a task, a channel's shared state, a
// join's wake list, an ArcWake, the loop's cross-thread queue, a blocking
// job).
//
// Ground rules
// * The count starts at the creator's references (one by default). Whoever
//   holds a reference may add one (retain) and must drop each one it holds
//   exactly once (release).
// * retain() is relaxed: a new reference can only be made from an existing
//   one, which already orders everything before it.
// * release() returns true for the last reference: the caller then destroys
//   the block. The decrement is acq_rel, so every write any holder made
//   before its release happens before the destruction.
// * The sole owner pays no read-modify-write: when the count reads 1, the
//   caller holds the only reference and nobody can make another, so release()
//   returns true after a plain (acquire) load. A block that is created, used
//   and dropped by one owner (a task nobody woke from elsewhere, a channel
//   whose other end is gone) never runs a locked instruction to die.
#pragma once

#include <pollen/config.hpp>

#include <atomic>
#include <cstdint>

POLLEN_NAMESPACE_BEGIN
namespace detail {

class RefCount {
 public:
  explicit RefCount(std::uint32_t count = 1) noexcept : n_(count) {}
  RefCount(const RefCount&) = delete;
  RefCount& operator=(const RefCount&) = delete;

  void retain() noexcept { n_.fetch_add(1, std::memory_order_relaxed); }
  void retain(std::uint32_t k) noexcept { n_.fetch_add(k, std::memory_order_relaxed); }

  // Drops one reference; true when it was the last one (destroy the block).
  POLLEN_NODISCARD bool release() noexcept {
    if (n_.load(std::memory_order_acquire) == 1) return true;
    return n_.fetch_sub(1, std::memory_order_acq_rel) == 1;
  }

  // The number of references now (a hint when other threads hold some).
  std::uint32_t count() const noexcept { return n_.load(std::memory_order_acquire); }
  // True when the caller's reference is the only one.
  bool unique() const noexcept { return count() == 1; }

 private:
  std::atomic<std::uint32_t> n_;
};

}  // namespace detail
POLLEN_NAMESPACE_END
