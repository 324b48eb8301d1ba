// and_then, map_ok, map_err on futures of Result (future/and_then.hpp,
// future/map_ok.hpp), chained and free.
#include <pollen/future/and_then.hpp>
#include <pollen/future/map_ok.hpp>
#include <pollen/core/never.hpp>
#include <pollen/core/ready.hpp>

#include "adapters.hpp"
#include "contract.hpp"
#include "helpers.hpp"
#include "probe.hpp"
#include "test_task.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <system_error>
#include <type_traits>

using pollen::Result;
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
auto to_text = [](int x) { return ok_now(std::to_string(x)); };
}  // namespace

TEST(AndThen, OnAValueContinuesWithTheFutureFnReturns) {
  auto t = test_task(ok_now(42).and_then(to_text));
  static_assert(std::is_same<decltype(t)::Output, Result<std::string>>::value, "");
  EXPECT_READY_EQ(t, Result<std::string>(pollen::ok(std::string("42"))));
  EXPECT_EQ(t.polls(), 1u);
}

TEST(AndThen, OnAnErrorFnIsNeverCalledAndFIsDestroyedAtOnce) {
  ProbeCounts f;
  int calls = 0;
  auto t = test_task(pollen::and_then(probed(f, pollen::test::pending_once(err_now(enoent()))),
                                      [&calls](int x) {
                                        ++calls;
                                        return ok_now(x);
                                      }));
  EXPECT_PENDING(t);
  EXPECT_EQ(t.describe(),
            "AndThen [state: First]\n\u2514\u2500 PendingOnce [yielded]\n   \u2514\u2500 Ready [value waiting]\n");
  auto p = t.poll();
  ASSERT_TRUE(p.is_ready());
  EXPECT_EQ(p.value().error(), enoent());
  EXPECT_EQ(calls, 0);
  EXPECT_EQ(f.live_destroyed, 1);
  EXPECT_EQ(f.polls, 2);
  EXPECT_EQ(t.describe(), "AndThen [state: Done]\n");
  EXPECT_CONTRACT_ERROR((void)t.poll(), "AndThen polled after it returned Ready");
}

TEST(AndThen, PollsTheSecondFutureUntilItIsReady) {
  auto first = manual<Result<int>>();
  auto second = manual<Result<std::string>>();
  pollen::test::Manual<Result<std::string>> g = std::move(second.second);
  ProbeCounts f;
  auto t = test_task(pollen::and_then(probed(f, std::move(first.second)),
                                      [&g](int) { return std::move(g); }));
  EXPECT_PENDING(t);
  first.first->set(pollen::ok(1));
  EXPECT_PENDING(t);  // f Ready and destroyed, g polled in the same poll
  EXPECT_EQ(f.live_destroyed, 1);
  EXPECT_EQ(second.first->polls, 1);
  EXPECT_EQ(t.describe(), "AndThen [state: Second]\n\u2514\u2500 Manual [unset]\n");
  second.first->set(pollen::err(eio()));
  EXPECT_READY_EQ(t, Result<std::string>(pollen::err(eio())));
  EXPECT_EQ(second.first->polls, 2);
}

TEST(AndThen, DestroyedInEitherStateDestroysWhatItHoldsOnce) {
  ProbeCounts f, g;
  int calls = 0;
  {
    auto t = test_task(pollen::and_then(probed(f, pollen::never<Result<int>>()), [&calls](int x) {
      ++calls;
      return ok_now(x);
    }));
    EXPECT_PENDING(t);
  }
  EXPECT_EQ(f.live_destroyed, 1);
  EXPECT_EQ(calls, 0);
  {
    auto t = test_task(ok_now(1).and_then(
        [&g](int) { return probed(g, pollen::never<Result<std::string>>()); }));
    EXPECT_PENDING(t);
    EXPECT_EQ(t.describe(), "AndThen [state: Second]\n\u2514\u2500 Never [never ready]\n");
    EXPECT_EQ(g.live_destroyed, 0);
  }
  EXPECT_EQ(g.live_destroyed, 1);
}

TEST(AndThen, MovedFromIsDone) {
  auto a = ok_now(1).and_then(to_text);
  auto b = std::move(a);
  auto moved_from = test_task(std::move(a));  // NOLINT: testing the moved-from state
  EXPECT_CONTRACT_ERROR((void)moved_from.poll(), "AndThen polled after it returned Ready");
  auto t = test_task(std::move(b));
  EXPECT_READY_EQ(t, Result<std::string>(pollen::ok(std::string("1"))));
}

TEST(MapOk, MovedFromIsAFinishedMap) {
  auto a = ok_now(1).map_ok([](int x) { return x; });
  auto b = std::move(a);
  auto moved_from = test_task(std::move(a));  // NOLINT: testing the moved-from state
  EXPECT_CONTRACT_ERROR((void)moved_from.poll(), "Map polled after it returned Ready");
  auto t = test_task(std::move(b));
  EXPECT_READY_EQ(t, Result<int>(pollen::ok(1)));
}

TEST(MapOk, MapsTheValueAndPassesAnErrorThrough) {
  int calls = 0;
  auto twice = [&calls](int x) {
    ++calls;
    return x * 2;
  };
  auto a = test_task(ok_now(21).map_ok(twice));
  EXPECT_READY_EQ(a, Result<int>(pollen::ok(42)));
  auto b = test_task(err_now(eio()).map_ok(twice));
  EXPECT_READY_EQ(b, Result<int>(pollen::err(eio())));
  EXPECT_EQ(calls, 1);
  auto u = test_task(pollen::map_ok(ok_now(1), [](int) {}));  // void gives Unit
  static_assert(std::is_same<decltype(u)::Output, Result<pollen::Unit>>::value, "");
  EXPECT_READY_EQ(u, Result<pollen::Unit>(pollen::ok()));
}

TEST(MapErr, MapsTheErrorAndPassesAValueThrough) {
  int calls = 0;
  auto explain = [&calls](std::error_code e) {
    ++calls;
    return std::string(e.category().name());
  };
  auto a = test_task(err_now(enoent()).map_err(explain));
  static_assert(std::is_same<decltype(a)::Output, Result<int, std::string>>::value, "");
  EXPECT_READY_EQ(a, (Result<int, std::string>(pollen::err(std::string("generic")))));
  auto b = test_task(pollen::map_err(ok_now(3), explain));
  EXPECT_READY_EQ(b, (Result<int, std::string>(pollen::ok(3))));
  EXPECT_EQ(calls, 1);
}

TEST(TryChains, ValuesFlowThroughAndThenAndMapOk) {
  int err_calls = 0;
  auto t = test_task(ok_now(1)
                         .and_then([](int x) { return ok_now(x + 1); })
                         .map_ok([](int x) { return x * 10; })
                         .and_then(to_text)
                         .map_err([&err_calls](std::error_code) {
                           ++err_calls;
                           return -1;
                         }));
  EXPECT_READY_EQ(t, (Result<std::string, int>(pollen::ok(std::string("20")))));
  EXPECT_EQ(err_calls, 0);
  EXPECT_EQ(t.polls(), 1u);
}

TEST(TryChains, AnErrorSkipsEveryStepUpToMapErr) {
  int steps = 0;
  auto t = test_task(ok_now(1)
                         .and_then([](int) { return err_now(eio()); })
                         .map_ok([&steps](int x) {
                           ++steps;
                           return x;
                         })
                         .and_then([&steps](int x) {
                           ++steps;
                           return ok_now(x);
                         })
                         .map_err([](std::error_code e) { return e.value(); }));
  EXPECT_READY_EQ(t, (Result<int, int>(pollen::err(EIO))));
  EXPECT_EQ(steps, 0);
}

TEST(TryChains, MapOkWithAStatelessFunctionCostsNoBytes) {
  auto f = ok_now(1);
  auto mapped = ok_now(1).map([](Result<int> r) { return r; });
  auto mapped_ok = ok_now(1).map_ok([](int x) { return x; });
  auto mapped_err = ok_now(1).map_err([](std::error_code e) { return e; });
  EXPECT_EQ(sizeof(mapped_ok), sizeof(mapped));
  EXPECT_EQ(sizeof(mapped_err), sizeof(mapped));
  EXPECT_LE(sizeof(mapped_ok), sizeof(f) + alignof(decltype(f)));
}

static_assert(pollen::is_cancel_safe<decltype(ok_now(1).and_then(to_text))>::value,
              "cancel-safe when f and the future fn returns are");

#if POLLEN_HAS_EXCEPTIONS
TEST(AndThen, AThrowingFunctionPoisonsIt) {
  auto t = test_task(ok_now(1).and_then([](int) -> pollen::Ready<Result<int>> {
    throw std::runtime_error("fn threw");
  }));
  EXPECT_THROW((void)t.poll(), std::runtime_error);
  EXPECT_EQ(t.describe(), "AndThen [state: Poisoned]\n");
  EXPECT_CONTRACT_ERROR((void)t.poll(), "AndThen polled again after its poll threw");
}
#endif
