#include <pollen/future/maybe_done.hpp>
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
#include <string>

using pollen::MaybeDone;
using pollen::test::ProbeCounts;

TEST(MaybeDone, KeepsTheOutputAndDestroysTheFutureWhenReady) {
  ProbeCounts c;
  MaybeDone<pollen::test::Probed<pollen::Ready<std::string>>> m(
      pollen::test::probed(c, pollen::ready(std::string("x"))));
  pollen::Waker w;
  pollen::Context cx(w);
  EXPECT_EQ(m.state(), decltype(m)::State::Future);
  EXPECT_TRUE(m.poll_step(cx));
  EXPECT_EQ(m.state(), decltype(m)::State::Done);
  EXPECT_EQ(c.live_destroyed, 1);
  EXPECT_TRUE(m.poll_step(cx));  // already done: no poll
  EXPECT_EQ(c.polls, 1);
  EXPECT_EQ(m.take_output(), "x");
  EXPECT_EQ(m.state(), decltype(m)::State::Gone);
}

TEST(MaybeDone, PendingLeavesTheFutureInPlace) {
  MaybeDone<pollen::test::PendingOnce<pollen::Ready<int>>> m(pollen::test::pending_once(pollen::ready(2)));
  pollen::Waker w;
  pollen::Context cx(w);
  EXPECT_FALSE(m.poll_step(cx));
  EXPECT_EQ(m.state(), decltype(m)::State::Future);
  EXPECT_TRUE(m.poll_step(cx));
}

TEST(MaybeDone, DestroyingInEachStateDestroysWhatItHoldsOnce) {
  ProbeCounts fut, out;
  { MaybeDone<pollen::test::Probed<pollen::Never<int>>> m(pollen::test::probed(fut, pollen::never<int>())); }
  EXPECT_EQ(fut.live_destroyed, 1);
  {
    MaybeDone<pollen::Ready<pollen::test::Probe<int>>> m(pollen::ready(pollen::test::Probe<int>(out, 1)));
    pollen::Waker w;
    pollen::Context cx(w);
    EXPECT_TRUE(m.poll_step(cx));
    EXPECT_EQ(out.live_destroyed, 0);
  }
  EXPECT_EQ(out.live_destroyed, 1);
  EXPECT_EQ(out.alive(), 0);
}

TEST(MaybeDone, TakingAMissingOutputIsAContractError) {
  MaybeDone<pollen::Never<int>> m(pollen::never<int>());
  EXPECT_CONTRACT_ERROR((void)m.take_output(), "MaybeDone::take_output() called when it holds no output");
}

TEST(MaybeDone, DescribesItsChildOrItsState) {
  MaybeDone<pollen::Ready<int>> m(pollen::ready(1));
  EXPECT_EQ(pollen::describe_states(m), "Ready [value waiting]\n");
  pollen::Waker w;
  pollen::Context cx(w);
  EXPECT_TRUE(m.poll_step(cx));
  EXPECT_EQ(pollen::describe_states(m), "MaybeDone [state: Done, output waiting]\n");
}

TEST(MaybeDone, AMovedFromMaybeDoneHoldsNothing) {
  MaybeDone<pollen::Ready<int>> a(pollen::ready(1));
  MaybeDone<pollen::Ready<int>> b(std::move(a));
  pollen::Waker w;
  pollen::Context cx(w);
  EXPECT_EQ(a.state(), MaybeDone<pollen::Ready<int>>::State::Gone);  // NOLINT
  EXPECT_FALSE(a.poll_step(cx));  // NOLINT: nothing to poll
  EXPECT_CONTRACT_ERROR((void)a.take_output(), "MaybeDone::take_output() called when it holds no output");  // NOLINT
  EXPECT_TRUE(b.poll_step(cx));
  EXPECT_EQ(b.take_output(), 1);
}

#if POLLEN_HAS_EXCEPTIONS
// A move that throws while poll_step takes f's output (f already destroyed)
// used to leave it Gone, as if the output had been taken: the owner then
// waited for it forever.
TEST(MaybeDoneExceptions, PoisonedWhenStoringTheOutputThrows) {
  using pollen::test::Bomb;
  int threw = 0;
  for (long k = 0;; ++k) {
    ProbeCounts c;
    {
      MaybeDone<pollen::Ready<Bomb>> m(pollen::ready(Bomb(c, 1)));
      pollen::Waker w;
      pollen::Context cx(w);
      pollen::test::move_trap().countdown = k;
      bool done = false;
      try {
        done = m.poll_step(cx);
      } catch (const std::runtime_error&) {
        ++threw;
      }
      pollen::test::move_trap().countdown = -1;
      if (done) {
        EXPECT_EQ(m.take_output().value(), 1);
        break;
      }
      EXPECT_EQ(m.state(), MaybeDone<pollen::Ready<Bomb>>::State::Poisoned);
      EXPECT_EQ(c.alive(), 0);  // nothing is left: f and the value are gone
      EXPECT_EQ(pollen::describe_states(m), "MaybeDone [state: Poisoned]\n");
      EXPECT_CONTRACT_ERROR((void)m.poll_step(cx), "MaybeDone polled again after its poll threw");
      EXPECT_CONTRACT_ERROR((void)m.take_output(), "MaybeDone::take_output() called when it holds no output");
    }
    EXPECT_EQ(c.live_destroyed, c.constructed);
  }
  EXPECT_GE(threw, 3);
}

TEST(MaybeDoneExceptions, AThrowingFuturePoisonsAndIsDestroyedAtOnce) {
  ProbeCounts c;
  MaybeDone<pollen::test::Probed<pollen::test::Throwing<int>>> m(pollen::test::probed(c, pollen::test::throwing<int>()));
  pollen::Waker w;
  pollen::Context cx(w);
  EXPECT_THROW((void)m.poll_step(cx), std::runtime_error);
  EXPECT_EQ(c.live_destroyed, 1);
  EXPECT_CONTRACT_ERROR((void)m.poll_step(cx), "MaybeDone polled again after its poll threw");
}

// take_output() changes the state only once the output has moved: a move that
// throws leaves the output in place, to be taken again.
TEST(MaybeDoneExceptions, KeepsTheOutputWhenTakingItThrows) {
  using pollen::test::Bomb;
  ProbeCounts c;
  MaybeDone<pollen::Ready<Bomb>> m(pollen::ready(Bomb(c, 1)));
  pollen::Waker w;
  pollen::Context cx(w);
  ASSERT_TRUE(m.poll_step(cx));
  pollen::test::move_trap().countdown = 0;
  EXPECT_THROW((void)m.take_output(), std::runtime_error);
  EXPECT_EQ(m.state(), MaybeDone<pollen::Ready<Bomb>>::State::Done);
  EXPECT_EQ(m.take_output().value(), 1);
  EXPECT_EQ(m.state(), MaybeDone<pollen::Ready<Bomb>>::State::Gone);
}
#endif
