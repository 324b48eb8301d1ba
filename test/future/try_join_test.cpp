// try_join (future/try_join.hpp) and try_join_all (future/try_join_all.hpp).
#include <pollen/future/try_join.hpp>
#include <pollen/future/try_join_all.hpp>
#include <pollen/core/never.hpp>
#include <pollen/future/map.hpp>
#include <pollen/core/ready.hpp>

#include "adapters.hpp"
#include "contract.hpp"
#include "helpers.hpp"
#include "probe.hpp"
#include "test_task.hpp"

#include <gtest/gtest.h>

#include <string>
#include <system_error>
#include <tuple>
#include <type_traits>
#include <vector>

using pollen::Result;
using pollen::test::Probe;
using pollen::test::ProbeCounts;
using pollen::test::manual;
using pollen::test::probed;
using pollen::test::test_task;

namespace {
std::error_code enoent() { return std::make_error_code(std::errc::no_such_file_or_directory); }
std::error_code eio() { return std::make_error_code(std::errc::io_error); }
template <class T>
pollen::Ready<Result<T>> ok_now(T v) {
  return pollen::ready(Result<T>(pollen::ok(std::move(v))));
}
template <class T = int>
pollen::Ready<Result<T>> err_now(std::error_code e) {
  return pollen::ready(Result<T>(pollen::err(e)));
}
template <class... Ts>
Result<std::tuple<Ts...>> ok_tuple(Ts... vs) {
  return pollen::ok(std::make_tuple(std::move(vs)...));
}
}  // namespace

static_assert(std::is_same<decltype(pollen::try_join(ok_now(1), ok_now(std::string())))::Output,
                           Result<std::tuple<int, std::string>>>::value,
              "try_join of Result<int>, Result<string> is a Result<tuple<int, string>>");
static_assert(pollen::is_cancel_safe<decltype(pollen::try_join(ok_now(1), ok_now(2)))>::value,
              "cancel-safe when every child is");

TEST(TryJoin, AllValuesGiveATupleInArgumentOrder) {
  auto t = test_task(pollen::try_join(ok_now(1), ok_now(std::string("two")), ok_now(3.5)));
  EXPECT_READY_EQ(t, ok_tuple(1, std::string("two"), 3.5));
  EXPECT_EQ(t.polls(), 1u);
}

TEST(TryJoin, WaitsForEveryValueAndPollsOnlyWokenChildren) {
  auto a = manual<Result<int>>(), b = manual<Result<int>>();
  auto t = test_task(pollen::try_join(std::move(a.second), std::move(b.second)));
  EXPECT_PENDING(t);
  b.first->set(pollen::ok(2));
  EXPECT_PENDING(t);
  EXPECT_EQ(a.first->polls, 1);
  EXPECT_EQ(b.first->polls, 2);
  a.first->set(pollen::ok(1));
  EXPECT_READY_EQ(t, ok_tuple(1, 2));
  EXPECT_EQ(a.first->polls + b.first->polls, 4);
}

TEST(TryJoin, TheFirstErrorDestroysTheOtherChildrenAtOnceAndPollsThemNoMore) {
  ProbeCounts first, last;
  auto failing = manual<Result<int>>();
  auto t = test_task(pollen::try_join(probed(first, pollen::never<Result<int>>()),
                                      std::move(failing.second),
                                      probed(last, pollen::never<Result<std::string>>())));
  EXPECT_PENDING(t);
  EXPECT_EQ(first.polls, 1);
  EXPECT_EQ(last.polls, 1);
  EXPECT_EQ(first.live_destroyed + last.live_destroyed, 0);
  failing.first->set(pollen::err(enoent()));
  auto p = t.poll();
  ASSERT_TRUE(p.is_ready());
  EXPECT_EQ(p.value().error(), enoent());
  // Destroyed in that poll, before the try_join itself goes, and not polled again.
  EXPECT_EQ(first.live_destroyed, 1);
  EXPECT_EQ(last.live_destroyed, 1);
  EXPECT_EQ(first.polls, 1);
  EXPECT_EQ(last.polls, 1);
  EXPECT_EQ(t.describe(), "TryJoin [state: Done]\n");
  EXPECT_FALSE(t.is_woken());
}

TEST(TryJoin, ChildrenAfterTheErrorInThePollAreNotPolled) {
  ProbeCounts later;
  {
    auto t = test_task(pollen::try_join(err_now(eio()), probed(later, ok_now(2))));
    EXPECT_READY_EQ(t, (Result<std::tuple<int, int>>(pollen::err(eio()))));
    EXPECT_EQ(later.polls, 0);
    EXPECT_EQ(later.live_destroyed, 1);
  }
  EXPECT_EQ(later.live_destroyed, 1);  // exactly once
}

TEST(TryJoin, ValuesAlreadyProducedAreDestroyedAtTheError) {
  ProbeCounts values;
  {
    auto t = test_task(pollen::try_join(
        ok_now(Probe<int>(values, 1)), pollen::test::pending_once(err_now<std::string>(eio()))));
    EXPECT_PENDING(t);  // the first child is Done, holding its value
    EXPECT_EQ(values.live_destroyed, 0);
    EXPECT_EQ(t.future().ready_count(), 1u);
    auto p = t.poll();
    ASSERT_TRUE(p.is_ready());
    EXPECT_EQ(p.value().error(), eio());
    EXPECT_EQ(values.live_destroyed, 1);
    EXPECT_EQ(values.alive(), 0);
  }
  EXPECT_EQ(values.live_destroyed, 1);
}

TEST(TryJoin, DescribeCountsTheChildrenWithAValue) {
  auto b = manual<Result<int>>();
  auto t = test_task(pollen::try_join(ok_now(1), std::move(b.second)));
  EXPECT_PENDING(t);
  EXPECT_EQ(t.describe(),
            "TryJoin [1 of 2 ok]\n\u251c\u2500 MaybeDone [state: Done, output waiting]\n\u2514\u2500 "
            "Manual [unset]\n");
}

// The cooperative budget, as in join: a poll that ran out of budget is
// continued after the last child it polled.
TEST(TryJoin, APollThatRanOutOfBudgetIsContinuedAfterTheLastChildItPolled) {
  using pollen::test::BudgetSteps;
  pollen::test::StepLog log;
  auto as_ok = [](int x) { return Result<int>(pollen::ok(x)); };
  auto j = pollen::try_join(pollen::map(BudgetSteps(0, 9, &log), as_ok),
                            pollen::map(BudgetSteps(1, 9, &log), as_ok),
                            pollen::map(BudgetSteps(2, 9, &log), as_ok));
  pollen::test::CountingWaker w;
  for (int poll = 0; poll < 3; ++poll) {
    pollen::Budget budget{2};
    pollen::Context cx(w.waker(), budget);
    ASSERT_TRUE(j.poll(cx).is_pending());
    EXPECT_GE(w.wakes(), static_cast<std::size_t>(poll + 1));  // woken again every time
  }
  pollen::Context unlimited(w.waker());
  ASSERT_TRUE(j.poll(unlimited).is_pending());
  EXPECT_EQ(log.order, (std::vector<int>{0, 1, /**/ 2, 0, /**/ 1, 2, /**/ 0, 1, 2}));
}

TEST(TryJoin, PollingAfterReadyIsAContractError) {
  auto t = test_task(pollen::try_join(err_now(eio()), ok_now(1)));
  EXPECT_TRUE(t.poll().is_ready());
  EXPECT_CONTRACT_ERROR((void)t.poll(), "TryJoin polled after it returned Ready");
}

TEST(TryJoin, MovedFromIsDone) {
  auto a = pollen::try_join(ok_now(1));
  auto b = std::move(a);
  EXPECT_EQ(a.state(), pollen::TryJoin<pollen::Ready<Result<int>>>::State::Done);  // NOLINT
  auto t = test_task(std::move(b));
  EXPECT_READY_EQ(t, ok_tuple(1));
}

TEST(TryJoin, DestroyedWhileRunningDestroysEveryChildOnce) {
  ProbeCounts running, done;
  {
    auto t = test_task(pollen::try_join(probed(running, pollen::never<Result<int>>()),
                                        probed(done, ok_now(2))));
    EXPECT_PENDING(t);
    EXPECT_EQ(done.live_destroyed, 1);  // Ready: destroyed at once, its value kept
    EXPECT_EQ(running.live_destroyed, 0);
  }
  EXPECT_EQ(running.live_destroyed, 1);
  EXPECT_EQ(done.live_destroyed, 1);
}

#if POLLEN_HAS_EXCEPTIONS
TEST(TryJoin, AThrowingChildPoisonsItAndDestroysTheOthers) {
  ProbeCounts other;
  auto t = test_task(pollen::try_join(probed(other, pollen::never<Result<int>>()),
                                      pollen::test::throwing<Result<int>>()));
  EXPECT_THROW((void)t.poll(), std::runtime_error);
  EXPECT_EQ(other.live_destroyed, 1);
  EXPECT_EQ(t.describe(), "TryJoin [state: Poisoned]\n");
  EXPECT_CONTRACT_ERROR((void)t.poll(), "TryJoin polled again after its poll threw");
}
#endif

// try_join_all ---------------------------------------------------------------

namespace {
using Child = pollen::test::Probed<pollen::test::Manual<Result<int>>>;
struct Children {
  std::vector<std::shared_ptr<pollen::test::ManualCell<Result<int>>>> cells;
  std::vector<Child> futures;
};
Children children(std::vector<ProbeCounts>& counts) {
  Children c;
  for (ProbeCounts& n : counts) {
    auto m = manual<Result<int>>();
    c.cells.push_back(m.first);
    c.futures.push_back(probed(n, std::move(m.second)));
  }
  return c;
}
}  // namespace

static_assert(std::is_same<decltype(pollen::try_join_all(std::vector<Child>()))::Output,
                           Result<std::vector<int>>>::value,
              "try_join_all of Result<int> futures is a Result<vector<int>>");

TEST(TryJoinAll, AllValuesGiveAVectorInInputOrder) {
  std::vector<ProbeCounts> counts(3);
  Children c = children(counts);
  auto t = test_task(pollen::try_join_all(std::move(c.futures)));
  EXPECT_PENDING(t);
  c.cells[2]->set(pollen::ok(30));
  c.cells[0]->set(pollen::ok(10));
  EXPECT_PENDING(t);
  EXPECT_EQ(counts[1].polls, 1);  // not woken, not polled
  c.cells[1]->set(pollen::ok(20));
  EXPECT_READY_EQ(t, Result<std::vector<int>>(pollen::ok(std::vector<int>{10, 20, 30})));
  for (const ProbeCounts& n : counts) EXPECT_EQ(n.live_destroyed, 1);
}

TEST(TryJoinAll, TheFirstErrorDestroysTheOtherChildrenAtOnceAndPollsThemNoMore) {
  std::vector<ProbeCounts> counts(4);
  Children c = children(counts);
  auto t = test_task(pollen::try_join_all(std::move(c.futures)));
  EXPECT_PENDING(t);
  c.cells[0]->set(pollen::ok(1));  // a value already produced, destroyed with the rest
  EXPECT_PENDING(t);
  c.cells[2]->set(pollen::err(enoent()));
  c.cells[3]->set(pollen::ok(4));  // woken too, but after the error: never polled again
  auto p = t.poll();
  ASSERT_TRUE(p.is_ready());
  EXPECT_EQ(p.value().error(), enoent());
  for (const ProbeCounts& n : counts) EXPECT_EQ(n.live_destroyed, 1);
  EXPECT_EQ(counts[1].polls, 1);
  EXPECT_EQ(counts[3].polls, 1);
  EXPECT_EQ(t.describe(), "TryJoinAll [state: Done]\n");
  EXPECT_FALSE(t.is_woken());
}

TEST(TryJoinAll, AnErrorOnTheFirstPollStopsTheWalk) {
  std::vector<ProbeCounts> counts(3);
  Children c = children(counts);
  c.cells[0]->set(pollen::err(eio()));
  auto t = test_task(pollen::try_join_all(std::move(c.futures)));
  EXPECT_READY_EQ(t, Result<std::vector<int>>(pollen::err(eio())));
  EXPECT_EQ(counts[0].polls, 1);
  EXPECT_EQ(counts[1].polls, 0);
  EXPECT_EQ(counts[2].polls, 0);
  for (const ProbeCounts& n : counts) EXPECT_EQ(n.live_destroyed, 1);
}

TEST(TryJoinAll, DestroyedWhileRunningDestroysEveryChildOnce) {
  std::vector<ProbeCounts> counts(3);
  {
    Children c = children(counts);
    c.cells[1]->set(pollen::ok(2));
    auto t = test_task(pollen::try_join_all(std::move(c.futures)));
    EXPECT_PENDING(t);
    EXPECT_EQ(t.future().ready_count(), 1u);
  }
  for (const ProbeCounts& n : counts) EXPECT_EQ(n.live_destroyed, 1);
}

TEST(TryJoinAll, MovedFromIsDone) {
  std::vector<pollen::Ready<Result<int>>> fs;
  fs.push_back(ok_now(1));
  auto a = pollen::try_join_all(std::move(fs));
  auto b = std::move(a);
  auto moved_from = test_task(std::move(a));  // NOLINT: testing the moved-from state
  EXPECT_CONTRACT_ERROR((void)moved_from.poll(), "TryJoinAll polled after it returned Ready");
  auto t = test_task(std::move(b));
  EXPECT_READY_EQ(t, Result<std::vector<int>>(pollen::ok(std::vector<int>{1})));
}

TEST(TryJoinAll, AnEmptyInputIsAnEmptyVectorAtOnce) {
  auto t = test_task(pollen::try_join_all(std::vector<pollen::Ready<Result<int>>>()));
  EXPECT_READY_EQ(t, Result<std::vector<int>>(pollen::ok(std::vector<int>())));
}

TEST(TryJoinAll, DescribeAndContractErrors) {
  std::vector<pollen::Ready<Result<int>>> fs;
  fs.push_back(ok_now(1));
  fs.push_back(err_now(eio()));
  auto t = test_task(pollen::try_join_all(std::move(fs)));
  EXPECT_EQ(t.describe(), "TryJoinAll [0 of 2 ok]\n\u251c\u2500 Ready [value waiting]\n\u2514\u2500 Ready [value waiting]\n");
  EXPECT_READY_EQ(t, Result<std::vector<int>>(pollen::err(eio())));
  EXPECT_CONTRACT_ERROR((void)t.poll(), "TryJoinAll polled after it returned Ready");
}
