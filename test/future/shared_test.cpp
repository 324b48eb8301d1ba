#include <pollen/core/poll_fn.hpp>
#include <pollen/core/ready.hpp>
#include <pollen/future/map.hpp>
#include <pollen/future/shared.hpp>
#include <pollen/runtime/event_loop.hpp>

#include "contract.hpp"
#include "probe.hpp"
#include "test_task.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

using pollen::Context;
using pollen::Poll;
using pollen::Shared;
using pollen::test::CountingWaker;
using pollen::test::Probe;
using pollen::test::ProbeCounts;
using pollen::test::test_task;

namespace {

// The inner future: Pending until opened, counting its polls; open() wakes
// the waker of its latest poll. Holds a Probe (its destruction is counted).
struct GateState {
  bool open = false;
  int polls = 0;
  pollen::Waker waker;
  void open_and_wake() {
    open = true;
    waker.wake();
  }
};
struct Gate {
  using Output = int;
  std::shared_ptr<GateState> s;
  Probe<int> probe;
  Poll<int> poll(Context& cx) {
    ++s->polls;
    if (s->open) return probe.value();
    s->waker = cx.waker();
    return pollen::pending;
  }
};

// Counts the polls of a task's root future (one per wake of the task).
template <class F>
struct CountPolls {
  using Output = pollen::output_t<F>;
  F f;
  int* polls;
  Poll<Output> poll(Context& cx) {
    ++*polls;
    return f.poll(cx);
  }
};
template <class F>
CountPolls<F> count_polls(F f, int* polls) {
  return CountPolls<F>{std::move(f), polls};
}

}  // namespace

// Three tasks await copies: the inner future is polled once at the start and
// once after its wake, never for the other polls; each task is polled once
// at the start and once after the inner future is Ready (woken once).
TEST(Shared, ThreeTasksInnerPolledOnlyWhenWoken) {
  pollen::EventLoop loop;
  ProbeCounts c;
  auto s = std::make_shared<GateState>();
  auto f = pollen::shared(Gate{s, Probe<int>(c, 42)});
  int polls[3] = {0, 0, 0};
  std::vector<pollen::JoinHandle<int>> hs;
  for (int i = 0; i < 3; ++i) hs.push_back(loop.spawn(count_polls(f, &polls[i])));
  { auto gone = std::move(f); }  // only the tasks' copies are left
  loop.run_until_stalled();
  EXPECT_EQ(s->polls, 1);
  EXPECT_THAT(polls, ::testing::ElementsAre(1, 1, 1));
  s->open_and_wake();
  loop.run_until_stalled();
  EXPECT_EQ(s->polls, 2);
  EXPECT_THAT(polls, ::testing::ElementsAre(2, 2, 2));
  EXPECT_EQ(loop.stats().spurious_polls, 0u);
  for (auto& h : hs) {
    auto t = test_task(std::move(h));
    auto p = t.poll();
    ASSERT_TRUE(p.is_ready());
    EXPECT_EQ(std::move(p).value().value(), 42);
  }
  EXPECT_EQ(c.live_destroyed, 1);  // the inner future went with the last copy
}

// The same, one poll at a time: only the copy polled last is woken to poll
// the inner future; at Ready the others are woken exactly once.
TEST(Shared, OneTaskPollsTheOthersAreWokenOnceAtReady) {
  ProbeCounts c;
  auto s = std::make_shared<GateState>();
  auto a = test_task(pollen::shared(Gate{s, Probe<int>(c, 7)}));
  auto b = test_task(a.future());
  auto d = test_task(a.future());
  EXPECT_PENDING(a);
  EXPECT_PENDING(b);
  EXPECT_PENDING(d);
  EXPECT_PENDING(b);  // not woken: the inner future is not polled
  EXPECT_EQ(s->polls, 1);
  s->open_and_wake();
  EXPECT_EQ(a.wake_count(), 0u);
  EXPECT_EQ(b.wake_count(), 1u);  // the copy polled last
  EXPECT_EQ(d.wake_count(), 0u);
  EXPECT_READY_EQ(b, 7);
  EXPECT_EQ(s->polls, 2);
  EXPECT_EQ(a.wake_count(), 1u);
  EXPECT_EQ(b.wake_count(), 1u);
  EXPECT_EQ(d.wake_count(), 1u);
  EXPECT_READY_EQ(a, 7);
  EXPECT_READY_EQ(d, 7);
  EXPECT_EQ(s->polls, 2);
  EXPECT_EQ(c.live_destroyed, 1);  // the inner future is gone at Ready
  EXPECT_EQ(a.wake_count() + b.wake_count() + d.wake_count(), 3u);
}

TEST(Shared, ACopyMadeAfterReadyIsReadyAtOnce) {
  auto a = test_task(pollen::shared(pollen::ready(std::string("x"))));
  EXPECT_READY_EQ(a, std::string("x"));
  auto late = test_task(a.future());  // copied from a finished copy
  EXPECT_READY_EQ(late, std::string("x"));
  auto later = test_task(late.future());
  EXPECT_READY_EQ(later, std::string("x"));
  EXPECT_EQ(later.future().copies(), 3u);
}

TEST(Shared, DroppingEveryCopyDestroysTheInnerFutureOnce) {
  ProbeCounts c;
  auto s = std::make_shared<GateState>();
  {
    auto a = test_task(pollen::shared(Gate{s, Probe<int>(c, 1)}));
    auto b = test_task(a.future());
    EXPECT_PENDING(a);
    EXPECT_PENDING(b);
    { auto extra = a.future(); }
    EXPECT_EQ(c.live_destroyed, 0);
    EXPECT_EQ(a.future().copies(), 2u);
  }
  EXPECT_EQ(c.live_destroyed, 1);
  EXPECT_EQ(c.alive(), 0);
  s->open_and_wake();  // the inner future's kept waker outlives it: a no-op
  EXPECT_EQ(s->polls, 1);
}

TEST(Shared, NeverPolledCopiesDestroyTheInnerFutureOnce) {
  ProbeCounts c;
  auto s = std::make_shared<GateState>();
  {
    auto a = pollen::shared(Gate{s, Probe<int>(c, 1)});
    auto b = a;
    auto moved = std::move(b);
    (void)moved;
  }
  EXPECT_EQ(c.live_destroyed, 1);
  EXPECT_EQ(s->polls, 0);
}

// The task woken to poll the inner future goes away before it polls: the
// wake passes to another waiting copy, which polls it.
TEST(Shared, ADroppedWokenCopyPassesTheWakeOn) {
  ProbeCounts c;
  auto s = std::make_shared<GateState>();
  auto a = test_task(pollen::shared(Gate{s, Probe<int>(c, 5)}));
  EXPECT_PENDING(a);
  {
    auto b = test_task(a.future());
    EXPECT_PENDING(b);
    s->open_and_wake();
    EXPECT_EQ(b.wake_count(), 1u);
    EXPECT_EQ(a.wake_count(), 0u);
  }
  EXPECT_EQ(a.wake_count(), 1u);
  EXPECT_READY_EQ(a, 5);
  EXPECT_EQ(s->polls, 2);
}

TEST(Shared, TheInnerFutureFollowsTheNewestWaker) {
  auto s = std::make_shared<GateState>();
  ProbeCounts c;
  auto a = test_task(pollen::shared(Gate{s, Probe<int>(c, 3)}));
  EXPECT_PENDING(a);
  CountingWaker other;
  EXPECT_TRUE(a.poll_with(other.waker()).is_pending());
  s->open_and_wake();
  EXPECT_EQ(other.wakes(), 1u);
  EXPECT_EQ(a.wake_count(), 0u);
}

// A wake of the inner future from another thread reaches the waiting task.
TEST(Shared, TheInnerFutureMayBeWokenFromAnotherThread) {
  pollen::EventLoop loop;
  ProbeCounts c;
  auto s = std::make_shared<GateState>();
  auto f = pollen::shared(Gate{s, Probe<int>(c, 9)});
  auto g = f;
  pollen::JoinHandle<int> h = loop.spawn(std::move(g));
  loop.run_until_stalled();
  std::thread t([s] { s->open_and_wake(); });
  int v = loop.block_on(std::move(f));
  t.join();
  EXPECT_EQ(v, 9);
  auto ht = test_task(std::move(h));
  loop.run_until_stalled();
  auto p = ht.poll();
  ASSERT_TRUE(p.is_ready());
  EXPECT_EQ(std::move(p).value().value(), 9);
}

TEST(Shared, MisuseIsAContractError) {
  auto a = test_task(pollen::shared(pollen::ready(1)));
  EXPECT_READY_EQ(a, 1);
  EXPECT_CONTRACT_ERROR((void)a.poll(), "polled after it returned Ready");
  auto b = pollen::shared(pollen::ready(2));
  auto moved_to = std::move(b);
  auto t = test_task(std::move(b));
  EXPECT_CONTRACT_ERROR((void)t.poll(), "moved from");
  (void)moved_to;

  // An inner future that awaits a copy of itself.
  using Fn = std::function<Poll<int>(Context&)>;
  auto self = std::make_shared<Shared<pollen::PollFn<Fn>>*>(nullptr);
  auto outer = test_task(pollen::shared(pollen::poll_fn(Fn([self](Context& cx) -> Poll<int> {
    Shared<pollen::PollFn<Fn>> copy(**self);
    return copy.poll(cx);
  }))));
  *self = &outer.future();
  EXPECT_CONTRACT_ERROR((void)outer.poll(), "inside the poll of its own inner future");
}

#if POLLEN_HAS_EXCEPTIONS
TEST(Shared, OtherThreadIsAContractError) {
  auto a = pollen::shared(pollen::ready(1));
  std::string copy_msg;
  std::string poll_msg;
  std::thread t([&] {
    try {
      auto b = a;
      (void)b;
    } catch (const pollen::ContractError& e) {
      copy_msg = e.what();
    }
    try {
      CountingWaker w;
      Context cx(w.waker());
      (void)a.poll(cx);
    } catch (const pollen::ContractError& e) {
      poll_msg = e.what();
    }
  });
  t.join();
  EXPECT_THAT(copy_msg, ::testing::HasSubstr("another thread"));
  EXPECT_THAT(poll_msg, ::testing::HasSubstr("another thread"));
  EXPECT_EQ(a.copies(), 1u);
}

// The inner poll throws: the polling copy rethrows, the waiting ones are
// woken once and rethrow the same exception object, and so does a copy made
// later. The inner future is destroyed once.
TEST(Shared, AnExceptionReachesEveryCopy) {
  ProbeCounts c;
  auto s = std::make_shared<GateState>();
  struct Throws {
    using Output = int;
    std::shared_ptr<GateState> s;
    Probe<int> probe;
    Poll<int> poll(Context& cx) {
      ++s->polls;
      if (s->open) throw std::runtime_error("inner");
      s->waker = cx.waker();
      return pollen::pending;
    }
  };
  auto a = test_task(pollen::shared(Throws{s, Probe<int>(c, 0)}));
  auto b = test_task(a.future());
  EXPECT_PENDING(b);
  EXPECT_PENDING(a);
  s->open_and_wake();
  const void* seen = nullptr;
  try {
    (void)a.poll();
    ADD_FAILURE() << "no exception";
  } catch (const std::runtime_error& e) {
    seen = &e;
  }
  EXPECT_EQ(c.live_destroyed, 1);
  EXPECT_EQ(b.wake_count(), 1u);
  try {
    (void)b.poll();
    ADD_FAILURE() << "no exception";
  } catch (const std::runtime_error& e) {
    EXPECT_EQ(&e, seen);
  }
  auto late = test_task(a.future());
  EXPECT_THROW((void)late.poll(), std::runtime_error);
  EXPECT_CONTRACT_ERROR((void)a.poll(), "polled after it returned Ready");
  EXPECT_EQ(s->polls, 2);
}
#endif

TEST(Shared, DescribeShowsTheBlockAndTheInnerFuture) {
  auto s = std::make_shared<GateState>();
  ProbeCounts c;
  auto a = test_task(pollen::shared(Gate{s, Probe<int>(c, 1)}));
  auto b = a.future();
  EXPECT_PENDING(a);
  EXPECT_THAT(a.describe(), ::testing::HasSubstr("Shared [state: Pending, 2 copies, 1 waiting]"));
}
