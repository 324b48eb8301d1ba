#include <pollen/future/map.hpp>
#include <pollen/core/never.hpp>
#include <pollen/core/ready.hpp>

#include "adapters.hpp"
#include "contract.hpp"
#include "helpers.hpp"
#include "probe.hpp"
#include "test_task.hpp"
#include "throw_points.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <stdexcept>
#include <string>

using pollen::test::ProbeCounts;
using pollen::test::probed;
using pollen::test::test_task;

namespace {
struct Unsafe {
  using Output = int;
  static constexpr bool is_cancel_safe = false;
  pollen::Poll<int> poll(pollen::Context&) { return 1; }
};
}  // namespace

TEST(Map, AppliesFnToTheOutputInTheSamePoll) {
  auto t = test_task(pollen::map(pollen::ready(20), [](int x) { return x + 1; }));
  using State = std::remove_reference<decltype(t.future())>::type::State;
  EXPECT_EQ(t.future().state(), State::Incomplete);
  EXPECT_READY_EQ(t, 21);
  EXPECT_EQ(t.future().state(), State::Complete);
  EXPECT_EQ(t.polls(), 1u);
}

TEST(Map, FnReturningVoidGivesUnit) {
  bool ran = false;
  auto t = test_task(pollen::map(pollen::ready(1), [&](int) { ran = true; }));
  static_assert(std::is_same<decltype(t)::Output, pollen::Unit>::value, "void -> Unit");
  EXPECT_READY_EQ(t, pollen::Unit{});
  EXPECT_TRUE(ran);
}

TEST(Map, FnRunsOnlyOnceTheChildIsReady) {
  int calls = 0;
  auto t = test_task(pollen::map(pollen::test::pending_once(pollen::ready(std::string("a"))),
                                 [&](std::string s) {
                                   ++calls;
                                   return s + "b";
                                 }));
  EXPECT_PENDING(t);
  EXPECT_TRUE(t.is_woken());  // the child's self-wake reaches the task
  EXPECT_EQ(calls, 0);
  EXPECT_READY_EQ(t, "ab");
  EXPECT_EQ(calls, 1);
}

TEST(Map, ChildIsDestroyedBeforeFnRunsAndFnRightAfter) {
  ProbeCounts c;
  auto token = std::make_shared<int>(0);
  int live_at_call = -1;
  auto t = test_task(pollen::map(probed(c, pollen::ready(1)), [&c, &live_at_call, token](int x) {
    live_at_call = c.live_destroyed;
    return x;
  }));
  EXPECT_EQ(token.use_count(), 2);
  EXPECT_READY_EQ(t, 1);
  EXPECT_EQ(live_at_call, 1);       // the child was destroyed before fn ran
  EXPECT_EQ(token.use_count(), 1);  // fn destroyed once it returned
  EXPECT_EQ(c.live_destroyed, 1);
}

TEST(Map, DestroyingWhileIncompleteDestroysChildAndFnUncalled) {
  ProbeCounts c;
  auto token = std::make_shared<int>(0);
  bool called = false;
  {
    auto t = test_task(pollen::map(probed(c, pollen::never<int>()), [token, &called](int x) {
      called = true;
      return x;
    }));
    EXPECT_PENDING(t);
    EXPECT_EQ(c.live_destroyed, 0);
  }
  EXPECT_EQ(c.live_destroyed, 1);
  EXPECT_EQ(c.alive(), 0);
  EXPECT_EQ(token.use_count(), 1);
  EXPECT_FALSE(called);
}

TEST(Map, DestroyingWhenCompleteDestroysNothingTwice) {
  ProbeCounts c;
  { auto t = test_task(pollen::map(probed(c, pollen::ready(1)), [](int x) { return x; }));
    EXPECT_READY_EQ(t, 1); }
  EXPECT_EQ(c.live_destroyed, 1);
  EXPECT_EQ(c.alive(), 0);
}

TEST(Map, PollingAfterReadyIsAContractErrorNamingMap) {
  auto t = test_task(pollen::map(pollen::ready(1), [](int x) { return x; }));
  EXPECT_READY_EQ(t, 1);
  EXPECT_CONTRACT_ERROR((void)t.poll(), "Map polled after it returned Ready");
  EXPECT_CONTRACT_ERROR((void)t.poll(), "wrap it in fuse()");
}

TEST(Map, AMovedFromMapActsFinished) {
  auto m = pollen::map(pollen::ready(1), [](int x) { return x; });
  auto n = std::move(m);
  pollen::Waker w;
  pollen::Context cx(w);
  EXPECT_CONTRACT_ERROR((void)m.poll(cx), "Map polled after it returned Ready");  // NOLINT
  EXPECT_TRUE(n.poll(cx).is_ready());
}

TEST(Map, DescribesItsStateAndChild) {
  auto t = test_task(pollen::map(pollen::ready(1), [](int x) { return x; }));
  EXPECT_EQ(t.describe(), "Map [state: Incomplete]\n\u2514\u2500 Ready [value waiting]\n");
  EXPECT_READY_EQ(t, 1);
  EXPECT_EQ(t.describe(), "Map [state: Complete]\n");
}

TEST(Map, ChainsAsAMethod) {
  auto t = test_task(pollen::ready(2).map([](int x) { return x * 10; }).map([](int x) { return x + 1; }));
  EXPECT_READY_EQ(t, 21);
}

TEST(Map, EmptyFnTakesNoSpace) {
  auto f = pollen::map(pollen::ready(1), [](int x) { return x; });
  static_assert(sizeof(f) <= sizeof(pollen::Ready<int>) + alignof(pollen::Ready<int>), "EBO");
  EXPECT_LE(sizeof(f), sizeof(pollen::Ready<int>) + alignof(pollen::Ready<int>));
  (void)f;
}

TEST(Map, CarriesTheCancelSafetyOfItsChild) {
  auto id = [](int x) { return x; };
  EXPECT_FALSE((pollen::is_cancel_safe<pollen::Map<Unsafe, decltype(id)>>::value));
  EXPECT_TRUE((pollen::is_cancel_safe<pollen::Map<pollen::Ready<int>, decltype(id)>>::value));
}

#if POLLEN_HAS_EXCEPTIONS
TEST(MapExceptions, ChildThrowPropagatesDestroysNothingTwiceAndPoisons) {
  bool called = false;
  auto t = test_task(pollen::map(pollen::test::throwing<int>(), [&](int x) {
    called = true;
    return x;
  }));
  EXPECT_THROW((void)t.poll(), std::runtime_error);
  EXPECT_FALSE(called);
  EXPECT_EQ(t.describe(), "Map [state: Poisoned]\n");
  EXPECT_CONTRACT_ERROR((void)t.poll(), "Map polled again after its poll threw");
}

TEST(MapExceptions, FnThrowPropagatesAndTheChildIsDestroyedOnce) {
  ProbeCounts c;
  {
    auto t = test_task(pollen::map(probed(c, pollen::ready(1)),
                                   [](int) -> int { throw std::runtime_error("fn threw"); }));
    EXPECT_THROW((void)t.poll(), std::runtime_error);
    EXPECT_EQ(c.live_destroyed, 1);
    EXPECT_CONTRACT_ERROR((void)t.poll(), "Map polled again after its poll threw");
  }
  EXPECT_EQ(c.live_destroyed, 1);
  EXPECT_EQ(c.alive(), 0);
}

TEST(MapExceptions, ChildThatThrowsIsDestroyedAtOnce) {
  ProbeCounts c;
  auto t = test_task(pollen::map(probed(c, pollen::test::throwing<int>()), [](int x) { return x; }));
  EXPECT_THROW((void)t.poll(), std::runtime_error);
  EXPECT_EQ(c.live_destroyed, 1);
}

// Throws from every move: the child's output, fn's argument, fn's result as
// it is returned (which used to leave the Map Complete with the value lost).
TEST(MapExceptions, PoisonedWhenAnOutputMoveThrows) {
  using pollen::test::Bomb;
  int points = pollen::test::throw_at_every_move(
      [](ProbeCounts& c) {
        return pollen::map(pollen::test::pending_once(pollen::ready(Bomb(c, 1))), [](Bomb b) { return b; });
      },
      [](Bomb out) { EXPECT_EQ(out.value(), 1); });
  EXPECT_GE(points, 4);
}

// fn is moved out of the Map before it runs: a move that throws there used to
// leave the Map Incomplete, to poll its finished child again.
TEST(MapExceptions, PoisonedWhenMovingTheFunctionThrows) {
  using pollen::test::Bomb;
  int points = pollen::test::throw_at_every_move(
      [](ProbeCounts& c) {
        return pollen::map(pollen::ready(1), [b = Bomb(c, 2)](int x) { return x + b.value(); });
      },
      [](int out) { EXPECT_EQ(out, 3); });
  EXPECT_GE(points, 1);
}
#endif
