// RefCount: the one atomic reference count of pollen's shared blocks.
#include <pollen/core/ref_count.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

using pollen::detail::RefCount;

TEST(RefCount, StartsWithTheCreatorsReference) {
  RefCount r;
  EXPECT_EQ(r.count(), 1u);
  EXPECT_TRUE(r.unique());
  RefCount three(3);
  EXPECT_EQ(three.count(), 3u);
}

TEST(RefCount, OnlyTheLastReleaseSaysDestroy) {
  RefCount r;
  r.retain();
  r.retain(2);
  EXPECT_EQ(r.count(), 4u);
  EXPECT_FALSE(r.release());
  EXPECT_FALSE(r.release());
  EXPECT_FALSE(r.release());
  EXPECT_TRUE(r.unique());
  EXPECT_TRUE(r.release());
}

// Many threads each take and drop references; exactly one release in the
// whole run says "destroy", and it is the last one.
TEST(RefCount, ExactlyOneLastReleaseAcrossThreads) {
  for (int round = 0; round < 20; ++round) {
    RefCount r(8);  // one reference per thread
    std::atomic<int> last{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 8; ++t) {
      threads.emplace_back([&] {
        for (int i = 0; i < 1000; ++i) {
          r.retain();
          if (r.release()) last.fetch_add(1);
        }
        if (r.release()) last.fetch_add(1);
      });
    }
    for (std::thread& th : threads) th.join();
    EXPECT_EQ(last.load(), 1);
  }
}
