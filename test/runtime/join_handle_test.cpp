#include <pollen/core/block_on.hpp>
#include <pollen/core/lazy.hpp>
#include <pollen/core/poll_fn.hpp>
#include <pollen/core/ready.hpp>
#include <pollen/runtime/event_loop.hpp>
#include <pollen/runtime/join_handle.hpp>

#include "adapters.hpp"
#include "contract.hpp"
#include "probe.hpp"
#include "runtime_support.hpp"
#include "test_task.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <thread>
#include <utility>

using pollen::Context;
using pollen::EventLoop;
using pollen::JoinHandle;
using pollen::Poll;
using pollen::Unit;

TEST(JoinHandle, YieldsTheTasksOutputByMove) {
  EventLoop loop;
  JoinHandle<std::unique_ptr<int>> h = loop.spawn(pollen::lazy([] { return std::unique_ptr<int>(new int(8)); }));
  loop.run();
  EXPECT_TRUE(h.is_finished());
  pollen::JoinResult<std::unique_ptr<int>> r = pollen::block_on(std::move(h));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(*std::move(r).value(), 8);
}

TEST(JoinHandle, WakesTheTaskAwaitingItWhenTheTaskFinishes) {
  EventLoop loop;
  auto g = rt::gate(3);
  JoinHandle<int> inner = loop.spawn(std::move(g.second));
  int awaiter_polls = 0;
  auto outer = loop.spawn(pollen::poll_fn([&](Context& cx) -> Poll<int> {
    ++awaiter_polls;
    Poll<pollen::JoinResult<int>> p = inner.poll(cx);
    if (p.is_pending()) return pollen::pending;
    return std::move(p).value().value() * 10;
  }));
  loop.run_until_stalled();
  EXPECT_EQ(awaiter_polls, 1);
  g.first->open_and_wake();
  loop.run_until_stalled();
  EXPECT_EQ(awaiter_polls, 2);  // woken once, by the inner task's completion
  EXPECT_EQ(loop.block_on(std::move(outer)).value(), 30);
}

TEST(JoinHandle, AbortBeforeTheFirstPollCancelsWithoutPolling) {
  EventLoop loop;
  pollen::test::ProbeCounts counts;
  auto h = loop.spawn(pollen::test::Probed<rt::Gate>(counts, rt::gate().second));
  h.abort();
  EXPECT_FALSE(h.is_finished());  // cancelled at the loop's next turn
  loop.run_until_stalled();
  EXPECT_TRUE(h.is_finished());
  EXPECT_EQ(counts.polls, 0);
  EXPECT_EQ(counts.live_destroyed, 1);
  EXPECT_TRUE(pollen::block_on(std::move(h)).is_cancelled());
  EXPECT_EQ(loop.stats().tasks_alive, 0u);
}

TEST(JoinHandle, AbortOfAWaitingTaskDestroysItsFutureAtTheNextTurn) {
  EventLoop loop;
  pollen::test::ProbeCounts counts;
  auto h = loop.spawn(pollen::test::Probed<rt::Gate>(counts, rt::gate().second));
  loop.run_until_stalled();
  EXPECT_EQ(counts.polls, 1);
  h.abort();
  h.abort();  // twice is the same
  EXPECT_EQ(counts.live_destroyed, 0);
  loop.run_until_stalled();
  EXPECT_EQ(counts.live_destroyed, 1);
  EXPECT_EQ(counts.polls, 1);  // not polled again
  EXPECT_TRUE(loop.block_on(std::move(h)).is_cancelled());
}

TEST(JoinHandle, AbortOfAFinishedTaskIsANoOpAndTheOutputIsKept) {
  EventLoop loop;
  auto h = loop.spawn(pollen::ready(11));
  loop.run();
  h.abort();
  loop.run();
  pollen::JoinResult<int> r = loop.block_on(std::move(h));
  EXPECT_FALSE(r.is_cancelled());
  EXPECT_EQ(r.value(), 11);
}

TEST(JoinHandle, ATaskCanAbortItselfDuringItsPoll) {
  EventLoop loop;
  JoinHandle<int> self;
  int polls = 0;
  self = loop.spawn(pollen::poll_fn([&](Context&) -> Poll<int> {
    ++polls;
    self.abort();
    return pollen::pending;
  }));
  loop.run();
  EXPECT_EQ(polls, 1);
  EXPECT_TRUE(loop.block_on(std::move(self)).is_cancelled());
}

TEST(JoinHandle, DroppingTheHandleDetachesTheTaskWhichRunsOn) {
  EventLoop loop;
  auto g = rt::gate();
  pollen::test::ProbeCounts counts;
  {
    auto h = loop.spawn(pollen::test::Probed<rt::Gate>(counts, std::move(g.second)));
    loop.run_until_stalled();
  }
  EXPECT_EQ(counts.live_destroyed, 0);
  g.first->open_and_wake();
  loop.run();
  EXPECT_EQ(counts.polls, 2);
  EXPECT_EQ(counts.live_destroyed, 1);
}

TEST(JoinHandle, TheOutputOfADetachedTaskIsDestroyedWhenItFinishes) {
  EventLoop loop;
  pollen::test::ProbeCounts counts;
  loop.spawn(pollen::lazy([&] { return pollen::test::Probe<int>(counts, 1); })).detach();
  loop.run();
  EXPECT_EQ(counts.constructed, 1);
  EXPECT_EQ(counts.live_destroyed, 1);
}

TEST(JoinHandle, AnUnawaitedOutputIsDestroyedWithTheHandle) {
  EventLoop loop;
  pollen::test::ProbeCounts counts;
  {
    auto h = loop.spawn(pollen::lazy([&] { return pollen::test::Probe<int>(counts, 1); }));
    loop.run();
    EXPECT_EQ(counts.live_destroyed, 0);  // kept for the handle
  }
  EXPECT_EQ(counts.live_destroyed, 1);
}

TEST(JoinHandle, AHandleOutlivingItsLoopReportsCancelled) {
  JoinHandle<int> h;
  {
    EventLoop loop;
    h = loop.spawn(rt::gate().second);
  }
  EXPECT_TRUE(h.is_finished());
  EXPECT_TRUE(pollen::block_on(std::move(h)).is_cancelled());
}

TEST(JoinHandle, AHandleOutlivingItsLoopStillYieldsAFinishedOutput) {
  JoinHandle<int> h;
  {
    EventLoop loop;
    h = loop.spawn(pollen::ready(6));
    loop.run();
  }
  EXPECT_EQ(pollen::block_on(std::move(h)).value(), 6);
}

TEST(JoinHandle, PollingAfterReadyIsAContractError) {
  EventLoop loop;
  auto h = loop.spawn(pollen::ready(1));
  loop.run();
  auto t = pollen::test::test_task(std::move(h));
  EXPECT_TRUE(t.poll().is_ready());
  EXPECT_CONTRACT_ERROR((void)t.poll(), "JoinHandle polled after it returned Ready");
}

TEST(JoinHandle, PollingADetachedHandleIsAContractError) {
  EventLoop loop;
  auto h = loop.spawn(pollen::ready(1));
  h.detach();
  auto t = pollen::test::test_task(std::move(h));
  EXPECT_CONTRACT_ERROR((void)t.poll(), "JoinHandle polled after detach()");
}

TEST(JoinHandle, ValueOfACancelledResultIsAContractError) {
  EventLoop loop;
  auto h = loop.spawn(rt::gate().second);
  h.abort();
  pollen::JoinResult<int> r = loop.block_on(std::move(h));
  EXPECT_TRUE(r.is_cancelled());
  EXPECT_CONTRACT_ERROR((void)r.value(), "JoinResult::value() called on a cancelled task's result");
  EXPECT_EQ(std::move(r).value_or(-1), -1);
}

TEST(JoinHandle, DescribesItsTask) {
  EventLoop loop;
  auto h = loop.spawn("worker", rt::gate().second);
  EXPECT_EQ(pollen::describe_states(h), "JoinHandle [task #1 \"worker\": running]\n");
  h.abort();
  loop.run_until_stalled();
  EXPECT_EQ(pollen::describe_states(h), "JoinHandle [task #1 \"worker\": cancelled]\n");
  h.detach();
  EXPECT_EQ(pollen::describe_states(h), "JoinHandle [detached]\n");
}

TEST(JoinHandle, AMovedFromHandleIsDetachedAndTheTaskRunsOn) {
  EventLoop loop;
  auto a = loop.spawn(pollen::test::pending_once(pollen::ready(2)));
  JoinHandle<int> b = std::move(a);
  EXPECT_TRUE(a.is_finished());  // NOLINT: a moved-from handle has no task
  EXPECT_EQ(loop.block_on(std::move(b)).value(), 2);
}

// --- threads: a JoinHandle belongs to the thread of its event loop ------------

namespace {
const char kWrongThread[] = "a JoinHandle belongs to the thread of its event loop";

// Runs `fn` on a thread of its own and waits for it.
template <class Fn>
void on_another_thread(Fn fn) {
  std::thread t(std::move(fn));
  t.join();
}
}  // namespace

TEST(JoinHandleThreads, PollingOnAnotherThreadIsAContractErrorAndLeavesTheHandleAsItWas) {
  EventLoop loop;
  auto g = rt::gate(4);
  auto h = loop.spawn(std::move(g.second));
  loop.run_until_stalled();
  on_another_thread([&] {
    pollen::Waker noop;
    Context cx(noop);
    EXPECT_CONTRACT_ERROR((void)h.poll(cx), kWrongThread);
    EXPECT_CONTRACT_ERROR((void)h.poll(cx), "JoinHandle::poll");
  });
  g.first->open_and_wake();
  EXPECT_EQ(loop.block_on(std::move(h)).value(), 4);  // still the task's handle
}

TEST(JoinHandleThreads, AbortOnAnotherThreadIsAContractError) {
  EventLoop loop;
  auto h = loop.spawn(rt::gate().second);
  on_another_thread([&] { EXPECT_CONTRACT_ERROR(h.abort(), "JoinHandle::abort"); });
  loop.run_until_stalled();
  EXPECT_FALSE(h.is_finished());  // not aborted
}

TEST(JoinHandleThreads, DescribeOnAnotherThreadIsAContractError) {
  EventLoop loop;
  auto h = loop.spawn(rt::gate().second);
  on_another_thread([&] { EXPECT_CONTRACT_ERROR(pollen::describe(h), kWrongThread); });
}

// Dropping, detaching and is_finished() are noexcept: on the wrong thread they
// print the message and abort, like the loop's destructor misused.
TEST(JoinHandleThreadsDeathTest, DroppingOnAnotherThreadAborts) {
  EXPECT_DEATH(
      {
        EventLoop loop;
        auto h = loop.spawn(rt::gate().second);
        on_another_thread([&h] { JoinHandle<int> dropped = std::move(h); });
      },
      "JoinHandle of task #1 dropped or detached on a thread other than its event loop");
}

TEST(JoinHandleThreadsDeathTest, DetachingOnAnotherThreadAborts) {
  EXPECT_DEATH(
      {
        EventLoop loop;
        auto h = loop.spawn(rt::gate().second);
        on_another_thread([&h] { h.detach(); });
      },
      kWrongThread);
}

TEST(JoinHandleThreadsDeathTest, IsFinishedOnAnotherThreadAborts) {
  EXPECT_DEATH(
      {
        EventLoop loop;
        auto h = loop.spawn(rt::gate().second);
        on_another_thread([&h] { (void)h.is_finished(); });
      },
      "JoinHandle::is_finished");
}

// Decided: the rule holds for the handle's whole life, also after its loop is
// gone (the handle cannot tell, without a race, whether its loop still runs).
TEST(JoinHandleThreadsDeathTest, DroppingOnAnotherThreadAfterTheLoopIsGoneAborts) {
  EXPECT_DEATH(
      {
        JoinHandle<int> h;
        {
          EventLoop loop;
          h = loop.spawn(pollen::ready(1));
          loop.run();
        }
        on_another_thread([&h] { JoinHandle<int> dropped = std::move(h); });
      },
      kWrongThread);
}

TEST(JoinHandleThreads, AHandleMayBeMovedThroughAnotherThreadAndUsedBackHome) {
  EventLoop loop;
  auto h = loop.spawn(pollen::ready(5));
  JoinHandle<int> back;
  on_another_thread([&] {
    JoinHandle<int> carried = std::move(h);  // moving touches no task state
    back = std::move(carried);
  });
  EXPECT_EQ(loop.block_on(std::move(back)).value(), 5);
}

TEST(JoinHandleThreads, EmptyAndFinishedHandlesMayBeDroppedAnywhere) {
  EventLoop loop;
  auto h = loop.spawn(pollen::ready(6));
  EXPECT_EQ(loop.block_on(std::move(h)).value(), 6);
  JoinHandle<int> empty;
  on_another_thread([&] {
    EXPECT_TRUE(h.is_finished());  // consumed: no task left to ask
    JoinHandle<int> a = std::move(h);
    JoinHandle<int> b = std::move(empty);
  });
}

#if POLLEN_HAS_EXCEPTIONS
TEST(JoinHandleExceptions, RethrowsTheTasksExceptionOnceThenIsDone) {
  EventLoop loop;
  auto h = loop.spawn(pollen::lazy([]() -> int { throw std::runtime_error("bad"); }));
  loop.run();
  auto t = pollen::test::test_task(std::move(h));
  EXPECT_THROW((void)t.poll(), std::runtime_error);
  EXPECT_CONTRACT_ERROR((void)t.poll(), "JoinHandle polled after it returned Ready");
}

TEST(JoinHandleExceptions, ADroppedHandleOfAFailedTaskDoesNotReachTheHandler) {
  EventLoop loop;
  int handled = 0;
  loop.set_unhandled_exception_handler([&](const char*, std::exception_ptr) { ++handled; });
  {
    auto h = loop.spawn(pollen::lazy([]() -> int { throw std::runtime_error("bad"); }));
    loop.run();
  }
  EXPECT_EQ(handled, 0);  // the handle was there to observe it when the task failed
}
#endif
