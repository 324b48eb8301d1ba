#include <pollen/future/maybe_done.hpp>
#include <pollen/core/never.hpp>
#include <pollen/core/ready.hpp>

#include "adapters.hpp"
#include "contract.hpp"
#include "probe.hpp"
#include "test_task.hpp"

#include <gtest/gtest.h>

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
