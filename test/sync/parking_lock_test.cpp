// ParkingLock: mutual exclusion under contention (threads that park and are
// woken), try_lock, and a lock held across another thread's wait.
#include <pollen/sync/parking_lock.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>
#include <mutex>
#include <thread>
#include <vector>

using pollen::detail::ParkingLock;

TEST(ParkingLock, IsOneWord) { EXPECT_EQ(sizeof(ParkingLock), 4u); }

TEST(ParkingLock, TryLockFailsWhileHeld) {
  ParkingLock mu;
  ASSERT_TRUE(mu.try_lock());
  EXPECT_FALSE(mu.try_lock());
  mu.unlock();
  EXPECT_TRUE(mu.try_lock());
  mu.unlock();
}

// Four threads add to a plain counter under the lock: no increment is lost.
TEST(ParkingLock, ExcludesUnderContention) {
  ParkingLock mu;
  std::uint64_t counter = 0;  // guarded by mu
  constexpr int kThreads = 4;
  constexpr int kEach = 50000;
  std::vector<std::thread> ts;
  for (int t = 0; t < kThreads; ++t) {
    ts.emplace_back([&] {
      for (int i = 0; i < kEach; ++i) {
        std::lock_guard<ParkingLock> lock(mu);
        ++counter;
      }
    });
  }
  for (std::thread& t : ts) t.join();
  EXPECT_EQ(counter, static_cast<std::uint64_t>(kThreads) * kEach);
}

// Threads that find the lock held long enough to park are woken when it is
// released, and each gets it in turn.
TEST(ParkingLock, WakesThreadsThatParked) {
  ParkingLock mu;
  std::atomic<int> started{0};
  int entered = 0;  // guarded by mu
  mu.lock();
  std::vector<std::thread> ts;
  for (int t = 0; t < 3; ++t) {
    ts.emplace_back([&] {
      ++started;
      std::lock_guard<ParkingLock> lock(mu);
      ++entered;
    });
  }
  while (started.load() < 3) std::this_thread::yield();
  for (int i = 0; i < 100; ++i) std::this_thread::yield();  // let them spin out and park
  mu.unlock();
  for (std::thread& t : ts) t.join();
  std::lock_guard<ParkingLock> lock(mu);
  EXPECT_EQ(entered, 3);
}
