// pollen/sync/parking_lock.hpp: ParkingLock, the lock of an mpsc channel and
// of a join's wake list.
//
// Those locks are taken on the loop thread on every send, receive and wake,
// and almost always uncontended: std::mutex costs two out-of-line calls
// (~50 instructions) per lock/unlock pair there. They can also be contended
// by many sender threads, and a critical section may allocate (a buffer
// block, a wait slot), so waiting must not burn a core for long: a pure spin
// lock (spin_lock.hpp, the oneshot's: two parties, a few instructions) does
// not fit.
//
// ParkingLock is one 32-bit word with three states:
//   Unlocked  nobody holds it
//   Locked    held, and nobody sleeps on it
//   Parked    held, and a thread may sleep on it: unlock() must wake one
// lock() is one compare-and-swap Unlocked -> Locked, inline; unlock() one
// exchange to Unlocked, inline, plus a futex wake when it was Parked.
// Contended, lock() spins a little (the holder is usually a few instructions
// from the end), then marks the word Parked and sleeps in the kernel on it
// (futex on Linux; elsewhere it yields the thread and tries again), the
// protocol of Drepper's "Futexes Are Tricky" (mutex, take 3). Not fair, not
// reentrant; never held across anything that can wait (pollen/sync wakes
// wakers and destroys values only after unlocking).
//
// Memory order: the compare-and-swap or exchange that takes the lock is
// acquire, the exchange that releases it is release: everything done under
// the lock happens before whatever the next holder does.
//
// Satisfies Lockable: std::lock_guard<ParkingLock> works.
#pragma once

#include <pollen/config.hpp>

#include <atomic>
#include <cstdint>
#include <thread>

#if defined(__linux__)
#  include <linux/futex.h>
#  include <sys/syscall.h>
#  include <unistd.h>
#endif

POLLEN_NAMESPACE_BEGIN
namespace detail {

class ParkingLock {
 public:
  ParkingLock() noexcept = default;
  ParkingLock(const ParkingLock&) = delete;
  ParkingLock& operator=(const ParkingLock&) = delete;

  void lock() noexcept {
    std::uint32_t expected = kUnlocked;
    if (POLLEN_LIKELY(state_.compare_exchange_strong(expected, kLocked, std::memory_order_acquire,
                                                     std::memory_order_relaxed))) {
      return;
    }
    lock_contended();
  }
  bool try_lock() noexcept {
    std::uint32_t expected = kUnlocked;
    return state_.compare_exchange_strong(expected, kLocked, std::memory_order_acquire,
                                          std::memory_order_relaxed);
  }
  void unlock() noexcept {
    if (POLLEN_UNLIKELY(state_.exchange(kUnlocked, std::memory_order_release) == kParked)) {
      wake_one();
    }
  }

 private:
  static constexpr std::uint32_t kUnlocked = 0;
  static constexpr std::uint32_t kLocked = 1;
  static constexpr std::uint32_t kParked = 2;
  static constexpr int kSpins = 100;

#if defined(__GNUC__) || defined(__clang__)
  __attribute__((noinline))
#endif
  void lock_contended() noexcept {
    // Spin on a plain load first: a short critical section ends soon.
    for (int i = 0; i < kSpins; ++i) {
      cpu_relax();
      if (state_.load(std::memory_order_relaxed) == kUnlocked) {
        std::uint32_t expected = kUnlocked;
        if (state_.compare_exchange_weak(expected, kLocked, std::memory_order_acquire,
                                         std::memory_order_relaxed)) {
          return;
        }
      }
    }
    // Mark it Parked (whoever unlocks wakes a sleeper) and sleep until it
    // is free. Taking it as Parked is conservative: another thread may still
    // sleep, so our unlock will wake it.
    while (state_.exchange(kParked, std::memory_order_acquire) != kUnlocked) park();
  }

#if defined(__GNUC__) || defined(__clang__)
  __attribute__((noinline))
#endif
  void wake_one() noexcept {
#if defined(__linux__)
    syscall(SYS_futex, word(), FUTEX_WAKE_PRIVATE, 1, nullptr, nullptr, 0);
#endif
  }

  // Sleeps while the word is still Parked (returns at once if it changed,
  // and may return spuriously: the caller tries again).
  void park() noexcept {
#if defined(__linux__)
    syscall(SYS_futex, word(), FUTEX_WAIT_PRIVATE, kParked, nullptr, nullptr, 0);
#else
    std::this_thread::yield();
#endif
  }

  std::uint32_t* word() noexcept { return reinterpret_cast<std::uint32_t*>(&state_); }

  static void cpu_relax() noexcept {
#if (defined(__GNUC__) || defined(__clang__)) && (defined(__x86_64__) || defined(__i386__))
    __builtin_ia32_pause();
#elif (defined(__GNUC__) || defined(__clang__)) && defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
  }

  static_assert(sizeof(std::atomic<std::uint32_t>) == sizeof(std::uint32_t),
                "the futex word is the atomic itself");
  std::atomic<std::uint32_t> state_{kUnlocked};
};

}  // namespace detail
POLLEN_NAMESPACE_END
