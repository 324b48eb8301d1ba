#include <pollen/core/never.hpp>
#include <pollen/core/poll_fn.hpp>
#include <pollen/core/ready.hpp>
#include <pollen/time/sleep.hpp>
#include <pollen/time/timeout.hpp>

#include "adapters.hpp"
#include "contract.hpp"
#include "probe.hpp"
#include "test_task.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>

using namespace std::chrono;
using pollen::ClockKind;
using pollen::none;
using pollen::Option;
using pollen::TimePoint;
using pollen::TimerDriver;
using pollen::Unit;
using pollen::test::test_task;

namespace {
const TimePoint kStart = TimePoint(hours(24));
}

TEST(Timeout, AnInnerFutureThatFinishesInTimeGivesSome) {
  TimerDriver d(ClockKind::Virtual, kStart);
  auto t = test_task(pollen::timeout(d, pollen::ready(7), seconds(1)));
  static_assert(std::is_same<decltype(t)::Output, Option<int>>::value, "Option<T>");
  EXPECT_READY_EQ(t, Option<int>(7));
  EXPECT_EQ(d.pending_timers(), 0u);
}

TEST(Timeout, AOneHourTimeoutCompletesInMicrosecondsAndDeterministically) {
  for (int run = 0; run < 3; ++run) {
    TimerDriver d(ClockKind::Virtual, kStart);
    auto t = test_task(pollen::timeout(d, pollen::never<int>(), hours(1)));
    EXPECT_PENDING(t);
    EXPECT_EQ(*d.next_deadline(), kStart + hours(1));
    EXPECT_EQ(d.advance(minutes(59)), 0u);
    EXPECT_PENDING(t);
    EXPECT_TRUE(d.advance_to_next_timer());
    EXPECT_EQ(d.now(), kStart + hours(1));
    EXPECT_TRUE(t.is_woken());
    EXPECT_READY_EQ(t, Option<int>(none));
  }
}

TEST(Timeout, AnInnerFutureReadyAtTheDeadlineWins) {
  TimerDriver d(ClockKind::Virtual, kStart);
  auto t = test_task(pollen::timeout(d, pollen::sleep(d, seconds(1)), seconds(1)));
  EXPECT_PENDING(t);
  EXPECT_EQ(d.advance(seconds(1)), 2u);  // the inner sleep and the deadline
  EXPECT_READY_EQ(t, Option<Unit>(Unit{}));
}

TEST(Timeout, AnInnerFutureReadyOnTheFirstPollWinsEvenAfterTheDeadline) {
  TimerDriver d(ClockKind::Virtual, kStart);
  auto negative = test_task(pollen::timeout(d, pollen::ready(1), seconds(-5)));
  auto zero = test_task(pollen::timeout(d, pollen::ready(2), nanoseconds(0)));
  auto past = test_task(pollen::timeout_at(d, pollen::ready(3), kStart - hours(1)));
  EXPECT_READY_EQ(negative, Option<int>(1));
  EXPECT_READY_EQ(zero, Option<int>(2));
  EXPECT_READY_EQ(past, Option<int>(3));
  auto never = test_task(pollen::timeout(d, pollen::never<int>(), seconds(-5)));
  EXPECT_READY_EQ(never, Option<int>(none));
}

TEST(Timeout, TheInnerFutureIsDestroyedWhenTheDeadlinePasses) {
  TimerDriver d(ClockKind::Virtual, kStart);
  pollen::test::ProbeCounts counts;
  auto t = test_task(
      pollen::timeout(d, pollen::test::probed(counts, pollen::never<int>()), milliseconds(10)));
  EXPECT_PENDING(t);
  EXPECT_EQ(counts.polls, 1);
  EXPECT_EQ(counts.live_destroyed, 0);
  EXPECT_EQ(d.advance(milliseconds(10)), 1u);
  EXPECT_EQ(counts.live_destroyed, 0);  // not before the Timeout is polled
  EXPECT_READY_EQ(t, Option<int>(none));
  EXPECT_EQ(counts.polls, 2);           // polled first, then the deadline checked
  EXPECT_EQ(counts.live_destroyed, 1);  // destroyed inside that poll
  EXPECT_EQ(counts.alive(), 0);
}

TEST(Timeout, TheInnerFutureIsDestroyedRightAfterItFinishes) {
  TimerDriver d(ClockKind::Virtual, kStart);
  pollen::test::ProbeCounts counts;
  auto t = test_task(pollen::timeout(d, pollen::test::probed(counts, pollen::ready(5)), hours(1)));
  EXPECT_READY_EQ(t, Option<int>(5));
  EXPECT_EQ(counts.live_destroyed, 1);
}

TEST(Timeout, DestructionInEveryStateDestroysTheInnerFutureAndCancelsTheTimer) {
  TimerDriver d(ClockKind::Virtual, kStart);
  pollen::test::ProbeCounts counts;
  {  // never polled
    auto f = pollen::timeout(d, pollen::test::probed(counts, pollen::never<int>()), seconds(1));
  }
  EXPECT_EQ(counts.live_destroyed, 1);
  {  // Running, timer registered
    auto t = test_task(
        pollen::timeout(d, pollen::test::probed(counts, pollen::never<int>()), seconds(1)));
    EXPECT_PENDING(t);
    EXPECT_EQ(d.pending_timers(), 1u);
  }
  EXPECT_EQ(counts.live_destroyed, 2);
  EXPECT_EQ(d.pending_timers(), 0u);
  {  // deadline fired, not yet polled
    auto t = test_task(
        pollen::timeout(d, pollen::test::probed(counts, pollen::never<int>()), seconds(1)));
    EXPECT_PENDING(t);
    EXPECT_EQ(d.advance(seconds(1)), 1u);
  }
  EXPECT_EQ(counts.live_destroyed, 3);
  {  // Done
    auto t = test_task(
        pollen::timeout(d, pollen::test::probed(counts, pollen::never<int>()), seconds(1)));
    EXPECT_PENDING(t);
    EXPECT_EQ(d.advance(seconds(1)), 1u);
    EXPECT_READY_EQ(t, Option<int>(none));
  }
  EXPECT_EQ(counts.live_destroyed, 4);
  {  // moved from while registered
    auto a = test_task(
        pollen::timeout(d, pollen::test::probed(counts, pollen::never<int>()), seconds(1)));
    EXPECT_PENDING(a);
    auto b = std::move(a.future());
    EXPECT_EQ(a.future().state(), decltype(b)::State::Done);
    EXPECT_TRUE(b.is_registered());
  }
  EXPECT_EQ(counts.live_destroyed, 5);
  EXPECT_EQ(counts.alive(), 0);
  EXPECT_EQ(d.pending_timers(), 0u);
}

TEST(Timeout, PollingAfterReadyIsAContractError) {
  TimerDriver d(ClockKind::Virtual, kStart);
  auto t = test_task(pollen::timeout(d, pollen::ready(1), seconds(1)));
  EXPECT_READY_EQ(t, Option<int>(1));
  EXPECT_CONTRACT_ERROR((void)t.poll(), "Timeout polled after it returned Ready");
}

TEST(Timeout, PollingOnAnotherDriversLoopIsAContractError) {
  TimerDriver a(ClockKind::Virtual, kStart);
  TimerDriver b(ClockKind::Virtual, kStart);
  auto t = test_task(pollen::timeout(a, pollen::never<int>(), seconds(1)));
  TimerDriver::Scope on_b(b);
  EXPECT_CONTRACT_ERROR((void)t.poll(), "Timeout was created on one timer driver");
}

TEST(Timeout, WithoutADriverItUsesTheCurrentLoopsDriver) {
  auto outside = test_task(pollen::timeout(pollen::never<int>(), seconds(1)));  // binds at its first poll
  EXPECT_CONTRACT_ERROR((void)outside.poll(),
                        "Timeout was built outside an event loop and is polled outside one");
  TimerDriver d(ClockKind::Virtual, kStart);
  TimerDriver::Scope scope(d);
  auto t = test_task(pollen::timeout(pollen::never<int>(), seconds(2)));
  EXPECT_PENDING(t);
  EXPECT_EQ(d.advance(seconds(2)), 1u);
  EXPECT_READY_EQ(t, Option<int>(none));
  auto u = test_task(pollen::timeout_at(pollen::ready(4), kStart));
  EXPECT_READY_EQ(u, Option<int>(4));
}

TEST(Timeout, AnExpiredDeadlineSpendsTheBudgetUnlessTheInnerFutureSpentIt) {
  TimerDriver d(ClockKind::Virtual, kStart);
  pollen::test::CountingWaker w;
  {  // no budget left before the poll: the deadline waits for the next poll
    auto f = pollen::timeout(d, pollen::never<int>(), nanoseconds(0));
    pollen::Budget spent{0};
    pollen::Context cx(w.waker(), spent);
    EXPECT_TRUE(f.poll(cx).is_pending());
    pollen::Budget fresh{3};
    pollen::Context cx2(w.waker(), fresh);
    EXPECT_TRUE(f.poll(cx2).is_ready());
    EXPECT_EQ(fresh.remaining, 2u);
  }
  {  // the inner future uses up the budget every time: the deadline still wins
    auto greedy = pollen::poll_fn([](pollen::Context& cx) -> pollen::Poll<int> {
      while (cx.consume_budget()) {
      }
      return pollen::pending;
    });
    auto f = pollen::timeout(d, std::move(greedy), nanoseconds(0));
    pollen::Budget b{128};
    pollen::Context cx(w.waker(), b);
    auto p = f.poll(cx);
    ASSERT_TRUE(p.is_ready());
    EXPECT_FALSE(std::move(p).value().has_value());
  }
}

TEST(Timeout, DescribesTheDeadlineAndTheInnerFuture) {
  TimerDriver d(ClockKind::Virtual, kStart);
  auto t = test_task(pollen::timeout(d, pollen::never<int>(), milliseconds(250)));
  EXPECT_EQ(t.describe(), "Timeout [deadline in 250 ms]\n\u2514\u2500 Never [never ready]\n");
  EXPECT_PENDING(t);
  EXPECT_EQ(d.advance(milliseconds(250)), 1u);
  EXPECT_READY_EQ(t, Option<int>(none));
  EXPECT_EQ(t.describe(), "Timeout [done]\n");
}

TEST(Timeout, AnOptionOutputNests) {
  TimerDriver d(ClockKind::Virtual, kStart);
  auto t = test_task(
      pollen::timeout(d, pollen::ready(Option<std::string>(std::string("x"))), seconds(1)));
  static_assert(std::is_same<decltype(t)::Output, Option<Option<std::string>>>::value, "nested");
  auto p = t.poll();
  ASSERT_TRUE(p.is_ready());
  Option<Option<std::string>> v = std::move(p).value();
  ASSERT_TRUE(v.has_value());
  EXPECT_EQ(v->value(), "x");
}

#if POLLEN_HAS_EXCEPTIONS
TEST(TimeoutExceptions, AThrowingInnerPollPropagatesAndPoisons) {
  TimerDriver d(ClockKind::Virtual, kStart);
  auto thrower = pollen::poll_fn([](pollen::Context&) -> pollen::Poll<int> {
    throw std::runtime_error("boom");
  });
  auto t = test_task(pollen::timeout(d, std::move(thrower), seconds(1)));
  EXPECT_THROW((void)t.poll(), std::runtime_error);
  EXPECT_CONTRACT_ERROR((void)t.poll(), "Timeout polled again after its poll threw");
  EXPECT_EQ(d.pending_timers(), 0u);
}
#endif

TEST(Timeout, TimeoutAtTakesAnAbsoluteDeadlineAndIsTheSameFutureAsTimeout) {
  TimerDriver d(ClockKind::Virtual, kStart);
  auto rel = pollen::timeout(d, pollen::never<int>(), seconds(3));
  static_assert(std::is_same<decltype(rel), decltype(pollen::timeout_at(
                                                d, pollen::never<int>(), kStart))>::value,
                "timeout_at makes the same Timeout<F> as timeout");
  EXPECT_EQ(d.advance(seconds(1)), 0u);
  // Created a second later, for the same instant: the same deadline.
  auto t = test_task(pollen::timeout_at(d, pollen::never<int>(), kStart + seconds(3)));
  EXPECT_EQ(t.future().deadline(), rel.deadline());
  EXPECT_PENDING(t);
  EXPECT_EQ(d.advance(seconds(1)), 0u);
  EXPECT_PENDING(t);
  EXPECT_EQ(d.advance(seconds(1)), 1u);
  EXPECT_TRUE(t.is_woken());
  EXPECT_READY_EQ(t, Option<int>(none));
  EXPECT_EQ(t.future().state(), pollen::Timeout<pollen::Never<int>>::State::Done);
}
