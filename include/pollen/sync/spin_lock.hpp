// pollen/sync/spin_lock.hpp: SpinLock, the lock of a oneshot.
//
// A oneshot's critical sections are a few instructions long (set a flag,
// move a value in or out, swap a waker) and at most two parties contend for
// them: the sender and the receiver. For that, std::mutex is heavy: 40 bytes
// and two atomic read-modify-writes per lock/unlock pair, 13% of the
// instructions of the ping_pong workload (docs/performance.md). SpinLock is
// one byte; taking it is one atomic exchange, releasing it one release store.
//
// Contended, it spins a few dozen times, then yields the thread on every
// further try, so a holder that was preempted gets the processor back (on
// a machine with fewer cores than threads, spinning alone could wait out a
// whole time slice). It is not fair and not reentrant, and it must never be
// held across anything that can wait: the rule of every lock in pollen/sync
// already (wakers are woken and values destroyed after unlocking).
//
// Satisfies BasicLockable: std::lock_guard<SpinLock> works.
#pragma once

#include <pollen/config.hpp>

#include <atomic>
#include <thread>

POLLEN_NAMESPACE_BEGIN
namespace detail {

class SpinLock {
 public:
  SpinLock() noexcept = default;
  SpinLock(const SpinLock&) = delete;
  SpinLock& operator=(const SpinLock&) = delete;

  // The uncontended case (one exchange) inline; the wait out of line, so
  // that lock() stays small enough to be inlined everywhere.
  void lock() noexcept {
    if (POLLEN_LIKELY(!locked_.exchange(true, std::memory_order_acquire))) return;
    lock_contended();
  }
  bool try_lock() noexcept { return !locked_.exchange(true, std::memory_order_acquire); }
  void unlock() noexcept { locked_.store(false, std::memory_order_release); }

 private:
  static constexpr int kSpinsBeforeYield = 64;

#if defined(__GNUC__) || defined(__clang__)
  __attribute__((noinline))
#endif
  void lock_contended() noexcept {
    // Test-and-test-and-set: wait on a plain load, so that waiting does not
    // keep taking the cache line away from the holder.
    do {
      int spins = 0;
      while (locked_.load(std::memory_order_relaxed)) {
        if (spins < kSpinsBeforeYield) {
          ++spins;
          cpu_relax();
        } else {
          std::this_thread::yield();
        }
      }
    } while (locked_.exchange(true, std::memory_order_acquire));
  }

  static void cpu_relax() noexcept {
#if (defined(__GNUC__) || defined(__clang__)) && (defined(__x86_64__) || defined(__i386__))
    __builtin_ia32_pause();
#elif (defined(__GNUC__) || defined(__clang__)) && defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
  }

  std::atomic<bool> locked_{false};
};

}  // namespace detail
POLLEN_NAMESPACE_END
