#include <pollen/core/block_on.hpp>
#include <pollen/core/poll_fn.hpp>
#include <pollen/runtime/event_loop.hpp>
#include <pollen/runtime/spawn_blocking.hpp>

#include "contract.hpp"
#include "test_task.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <stdexcept>
#include <thread>

TEST(SpawnBlocking, RunsFnOnAnotherThreadAndYieldsItsResult) {
  pollen::EventLoop loop;
  const std::thread::id loop_thread = std::this_thread::get_id();
  std::thread::id ran_on;
  int v = loop.block_on(pollen::spawn_blocking([&] {
    ran_on = std::this_thread::get_id();
    return 21 * 2;
  }));
  EXPECT_EQ(v, 42);
  EXPECT_NE(ran_on, loop_thread);
}

TEST(SpawnBlocking, TheLoopKeepsRunningTasksWhileFnBlocks) {
  pollen::EventLoop loop;
  std::atomic<bool> released{false};
  // fn blocks until a task of the loop releases it: a deadlock if the loop
  // itself were blocked in fn.
  auto blocking = loop.spawn(pollen::spawn_blocking([&] {
    while (!released.load()) std::this_thread::yield();
    return 1;
  }));
  auto releaser = loop.spawn(pollen::poll_fn([&](pollen::Context&) -> pollen::Poll<pollen::Unit> {
    released.store(true);
    return pollen::Unit{};
  }));
  EXPECT_EQ(loop.block_on(std::move(blocking)).value(), 1);
}

TEST(SpawnBlocking, AVoidFunctionGivesUnit) {
  int side = 0;
  pollen::Unit u = pollen::block_on(pollen::spawn_blocking([&] { side = 5; }));
  (void)u;
  EXPECT_EQ(side, 5);
}

TEST(SpawnBlocking, MoveOnlyResultsAndFunctions) {
  std::unique_ptr<int> in(new int(3));
  std::unique_ptr<int> out = pollen::block_on(
      pollen::spawn_blocking([p = std::move(in)]() mutable { return std::move(p); }));
  EXPECT_EQ(*out, 3);
}

TEST(SpawnBlocking, DroppingTheFutureBeforeFnReturnsIsSafe) {
  std::atomic<bool> go{false};
  std::atomic<bool> finished{false};
  {
    auto f = pollen::spawn_blocking([&] {
      while (!go.load()) std::this_thread::yield();
      finished.store(true);
      return std::unique_ptr<int>(new int(1));  // destroyed on the worker
    });
  }
  go.store(true);
  while (!finished.load()) std::this_thread::yield();
}

TEST(SpawnBlocking, ManyJobsShareTheSmallPool) {
  pollen::EventLoop loop;
  std::atomic<int> sum{0};
  std::vector<pollen::JoinHandle<pollen::Unit>> hs;
  for (int i = 1; i <= 20; ++i) {
    hs.push_back(loop.spawn(pollen::spawn_blocking([&sum, i] { sum.fetch_add(i); })));
  }
  for (auto& h : hs) h.detach();
  loop.run();
  EXPECT_EQ(sum.load(), 210);
}

TEST(SpawnBlocking, PollingAfterReadyIsAContractError) {
  auto t = pollen::test::test_task(pollen::spawn_blocking([] { return 1; }));
  while (t.poll().is_pending()) std::this_thread::yield();
  EXPECT_CONTRACT_ERROR((void)t.poll(), "SpawnBlocking polled after it returned Ready");
}

#if POLLEN_HAS_EXCEPTIONS
TEST(SpawnBlockingExceptions, AnExceptionFromFnIsRethrownFromThePoll) {
  EXPECT_THROW(pollen::block_on(pollen::spawn_blocking([]() -> int { throw std::runtime_error("io"); })),
               std::runtime_error);
}
#endif
