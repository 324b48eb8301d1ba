#include <pollen/future/loop_fn.hpp>
#include <pollen/core/never.hpp>
#include <pollen/core/ready.hpp>

#include "adapters.hpp"
#include "contract.hpp"
#include "helpers.hpp"
#include "probe.hpp"
#include "test_task.hpp"
#include "throw_points.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <utility>

using pollen::Loop;
using pollen::test::ProbeCounts;
using pollen::test::test_task;

TEST(LoopFn, RunsUntilAStepBreaks) {
  using L = Loop<std::pair<int, int>, int>;
  auto t = test_task(pollen::loop_fn(std::make_pair(0, 0), [](std::pair<int, int> s) {
    return pollen::ready(s.first == 10 ? L(pollen::loop_break(s.second))
                                       : L(pollen::loop_continue(std::make_pair(s.first + 1, s.second + s.first))));
  }));
  EXPECT_READY_EQ(t, 45);
  EXPECT_EQ(t.polls(), 1u);
}

TEST(LoopFn, AMillionReadyIterationsRunInConstantStack) {
  using L = Loop<long, long>;
  pollen::test::stack_stats() = {};
  auto t = test_task(pollen::loop_fn(0L, [](long i) {
    return pollen::test::StackMark<L>(i == 1000000 ? L(pollen::loop_break(i)) : L(pollen::loop_continue(i + 1)));
  }));
  EXPECT_READY_EQ(t, 1000000L);
  EXPECT_LT(pollen::test::stack_stats().spread(), 64u);  // every step at the same depth
}

TEST(LoopFn, APendingStepSuspendsTheLoop) {
  using L = Loop<int, int>;
  auto t = test_task(pollen::loop_fn(0, [](int i) {
    return pollen::test::pending_once(pollen::ready(i == 3 ? L(pollen::loop_break(i * 10)) : L(pollen::loop_continue(i + 1))));
  }));
  for (int k = 0; k < 4; ++k) {
    EXPECT_PENDING(t);
    EXPECT_TRUE(t.is_woken());
  }
  EXPECT_READY_EQ(t, 30);
  EXPECT_EQ(t.future().iterations(), 3u);
}

TEST(LoopFn, YieldsWhenTheBudgetIsSpent) {
  using L = Loop<int, int>;
  auto f = pollen::loop_fn(0, [](int i) { return pollen::ready(i == 1000 ? L(pollen::loop_break(i)) : L(pollen::loop_continue(i + 1))); });
  pollen::test::CountingWaker w;
  pollen::Budget budget{128};
  pollen::Context cx(w.waker(), budget);
  EXPECT_TRUE(f.poll(cx).is_pending());
  EXPECT_EQ(w.wakes(), 1u);
  EXPECT_EQ(f.iterations(), 129u);
}

TEST(LoopFn, EachStepFutureIsDestroyedBeforeTheNextIsMade) {
  using L = Loop<int, int>;
  ProbeCounts c;
  int max_alive = 0;
  auto t = test_task(pollen::loop_fn(0, [&](int i) {
    max_alive = std::max(max_alive, c.alive());
    return pollen::test::probed(c, pollen::ready(i == 5 ? L(pollen::loop_break(i)) : L(pollen::loop_continue(i + 1))));
  }));
  EXPECT_READY_EQ(t, 5);
  EXPECT_EQ(max_alive, 0);
  EXPECT_EQ(c.live_destroyed, 6);
}

TEST(LoopFn, DestroyingInEachStateDestroysWhatItHolds) {
  using L = Loop<pollen::test::Probe<int>, int>;
  ProbeCounts state, step;
  {  // Start: the initial state
    auto f = pollen::loop_fn(pollen::test::Probe<int>(state, 0),
                             [](pollen::test::Probe<int>) { return pollen::never<L>(); });
  }
  EXPECT_EQ(state.live_destroyed, 1);
  {  // Stepping: the step's future
    auto t = test_task(pollen::loop_fn(0, [&](int) { return pollen::test::probed(step, pollen::never<Loop<int, int>>()); }));
    EXPECT_PENDING(t);
    EXPECT_EQ(step.live_destroyed, 0);
  }
  EXPECT_EQ(step.live_destroyed, 1);
  EXPECT_EQ(state.alive() + step.alive(), 0);
}

TEST(LoopFn, PollingAfterReadyIsAContractErrorNamingLoopFn) {
  using L = Loop<int, int>;
  auto t = test_task(pollen::loop_fn(0, [](int i) { return pollen::ready(L(pollen::loop_break(i))); }));
  EXPECT_READY_EQ(t, 0);
  EXPECT_CONTRACT_ERROR((void)t.poll(), "LoopFn polled after it returned Ready");
}

TEST(LoopFn, DescribesTheCurrentStep) {
  using L = Loop<int, int>;
  auto t = test_task(pollen::loop_fn(0, [](int) { return pollen::never<L>(); }));
  EXPECT_EQ(t.describe(), "LoopFn [state: Start]\n");
  EXPECT_PENDING(t);
  EXPECT_EQ(t.describe(), "LoopFn [state: Stepping, iteration 0]\n\u2514\u2500 Never [never ready]\n");
}

TEST(LoopFn, AMovedFromLoopFnActsFinished) {
  auto a = pollen::loop_fn(0, [](int i) { return pollen::ready(Loop<int, int>(pollen::loop_break(i))); });
  auto b = std::move(a);
  pollen::Waker w;
  pollen::Context cx(w);
  EXPECT_CONTRACT_ERROR((void)a.poll(cx), "LoopFn polled after it returned Ready");  // NOLINT
  EXPECT_EQ(b.poll(cx), pollen::Poll<int>(0));
}

#if POLLEN_HAS_EXCEPTIONS
TEST(LoopFnExceptions, AThrowingStepFunctionPropagatesAndPoisons) {
  using L = Loop<int, int>;
  auto t = test_task(pollen::loop_fn(0, [](int i) -> pollen::Ready<L> {
    if (i == 2) throw std::runtime_error("step");
    return pollen::ready(L(pollen::loop_continue(i + 1)));
  }));
  EXPECT_THROW((void)t.poll(), std::runtime_error);
  EXPECT_CONTRACT_ERROR((void)t.poll(), "LoopFn polled again after its poll threw");
}

TEST(LoopFnExceptions, AThrowingStepFutureIsDestroyedOnce) {
  ProbeCounts c;
  auto t = test_task(pollen::loop_fn(0, [&](int) { return pollen::test::probed(c, pollen::test::throwing<Loop<int, int>>()); }));
  EXPECT_THROW((void)t.poll(), std::runtime_error);
  EXPECT_EQ(c.live_destroyed, 1);
  EXPECT_EQ(c.alive(), 0);
}

// Throws from every move of the state and of the value: in the step's future,
// taking its Loop, handing the state to the next step, returning the Break
// value (which used to leave the LoopFn Done with the value lost).
TEST(LoopFnExceptions, PoisonedWhenAStateOrOutputMoveThrows) {
  using pollen::test::Bomb;
  int points = pollen::test::throw_at_every_move(
      [](ProbeCounts& c) {
        ProbeCounts* pc = &c;
        return pollen::loop_fn(Bomb(c, 0), [pc](Bomb s) {
          using L = Loop<Bomb, Bomb>;
          return pollen::test::pending_once(pollen::ready(
              s.value() == 2 ? L(pollen::loop_break(std::move(s))) : L(pollen::loop_continue(Bomb(*pc, s.value() + 1)))));
        });
      },
      [](Bomb out) { EXPECT_EQ(out.value(), 2); });
  EXPECT_GE(points, 10);
}

// step is called where it lives, never moved while the loop runs (a move
// that threw there used to leave the LoopFn Stepping on a step future that
// was already Ready): the first run, with a move trap armed from its first
// poll, completes.
TEST(LoopFnExceptions, TheStepFunctionIsNeverMovedWhileTheLoopRuns) {
  using pollen::test::Bomb;
  int points = pollen::test::throw_at_every_move(
      [](ProbeCounts& c) {
        return pollen::loop_fn(0, [b = Bomb(c, 3)](int i) {
          using L = Loop<int, int>;
          return pollen::ready(i == b.value() ? L(pollen::loop_break(i)) : L(pollen::loop_continue(i + 1)));
        });
      },
      [](int out) { EXPECT_EQ(out, 3); });
  EXPECT_EQ(points, 0);
}
#endif
