#include <pollen/fmt.hpp>
#include <pollen/core/ready.hpp>
#include <pollen/pollen.hpp>

#include "test_task.hpp"

#include <gtest/gtest.h>

#include <fmt/format.h>

#include <chrono>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

TEST(Fmt, FormatsPollAsReadyOrPending) {
  EXPECT_EQ(fmt::format("{}", pollen::Poll<int>(3)), "Ready(3)");
  EXPECT_EQ(fmt::format("{}", pollen::Poll<int>(pollen::pending)), "Pending");
}

TEST(Fmt, FormatsOptionAndUnit) {
  EXPECT_EQ(fmt::format("{}", pollen::Option<int>(4)), "Some(4)");
  EXPECT_EQ(fmt::format("{}", pollen::Option<int>()), "None");
  EXPECT_EQ(fmt::format("{}", pollen::Unit{}), "()");
  EXPECT_EQ(fmt::format("{}", pollen::Poll<pollen::Unit>(pollen::Unit{})), "Ready(())");
}

TEST(Fmt, FormatsAFutureAsItsStateTree) {
  auto f = pollen::ready(1);
  const std::string size = std::to_string(sizeof(f));
  EXPECT_EQ(fmt::format("{}", f), "Ready [value waiting] " + size + " B");
  EXPECT_EQ(fmt::format("{:s}", f), "Ready [value waiting]");
  EXPECT_EQ(fmt::format("<{:s>25}>", f), "<    Ready [value waiting]>");
  EXPECT_EQ(fmt::format("<{:l<21}>", f), "<Ready[value waiting] >");
}

TEST(Fmt, TheSpecsChooseTreeOneLineOrStatesOnly) {
  auto f = pollen::map(pollen::join(pollen::ready(1), pollen::never<int>()),
                       [](std::tuple<int, int>) { return 0; });
  EXPECT_EQ(fmt::format("{:l}", f),
            "Map[state: Incomplete](Join[0 of 2 ready](Ready[value waiting], Never[never ready]))");
  EXPECT_EQ(fmt::format("{:s}", f),
            "Map [state: Incomplete]\n"
            "\u2514\u2500 Join [0 of 2 ready]\n"
            "   \u251c\u2500 Ready [value waiting]\n"
            "   \u2514\u2500 Never [never ready]");
  EXPECT_EQ(fmt::format("{}", f), pollen::describe(f).substr(0, pollen::describe(f).size() - 1));
  EXPECT_EQ(fmt::format("{}", pollen::describe_tree(f)), fmt::format("{}", f));
  EXPECT_EQ(fmt::format("{:l}", pollen::describe_tree(f)), pollen::describe_line(f));
}

TEST(Fmt, WithStatsAddsThePollCounts) {
  auto t = pollen::test::test_task(pollen::fuse(pollen::never<int>()));
  pollen::PollObserver obs;
  t.watch(&obs);
  EXPECT_PENDING(t);
  EXPECT_PENDING(t);
  EXPECT_EQ(fmt::format("{:l}", pollen::with_stats(t.future(), obs)),
            "Fuse[state: Running]@2!1(Never[never ready]@2!1)");
  std::string tree = fmt::format("{}", pollen::with_stats(t.future(), obs));
  EXPECT_NE(tree.find("B, 2 polls, 1 spurious (!)"), std::string::npos) << tree;
  EXPECT_EQ(tree, t.describe_stats().substr(0, t.describe_stats().size() - 1));
}

namespace {
struct TwiceFn {
  int operator()(int x) const { return 2 * x; }
};
struct ReadyFn {
  pollen::Ready<int> operator()(int x) const { return pollen::ready(x); }
};
struct Even {
  bool operator()(const int& x) const { return x % 2 == 0; }
};
struct Add {
  int operator()(int a, int b) const { return a + b; }
};
struct Ignore {
  void operator()(int) const {}
};
struct StepOnce {
  pollen::Ready<pollen::Loop<int, int>> operator()(int s) const {
    return pollen::ready(pollen::Loop<int, int>(pollen::loop_break(s)));
  }
};

// Formats `x` in the three forms; each must show `name`.
template <class T>
void expect_formats(const T& x, const std::string& name) {
  std::string tree = fmt::format("{}", x);
  std::string line = fmt::format("{:l}", x);
  std::string states = fmt::format("{:s}", x);
  EXPECT_EQ(tree.compare(0, name.size(), name), 0) << tree;
  EXPECT_NE(tree.find(std::to_string(sizeof(T)) + " B"), std::string::npos) << tree;
  EXPECT_EQ(line.compare(0, name.size(), name), 0) << line;
  EXPECT_EQ(line.find('\n'), std::string::npos) << line;
  EXPECT_EQ(states.compare(0, name.size(), name), 0) << states;
  EXPECT_EQ(states.find(std::to_string(sizeof(T)) + " B"), std::string::npos) << states;
}
}  // namespace

TEST(Fmt, FormatsTheFuturesOfEveryModule) {
  using namespace std::chrono;
  // core
  expect_formats(pollen::ready(1), "Ready");
  expect_formats(pollen::never<int>(), "Never");
  expect_formats(pollen::lazy([] { return 1; }), "Lazy");
  expect_formats(pollen::poll_fn([](pollen::Context&) -> pollen::Poll<int> { return 1; }),
                 "PollFn");
  expect_formats(pollen::boxed(pollen::ready(1)), "BoxFuture");
  // future
  expect_formats(pollen::map(pollen::ready(1), TwiceFn{}), "Map");
  expect_formats(pollen::then(pollen::ready(1), ReadyFn{}), "Then");
  expect_formats(pollen::join(pollen::ready(1), pollen::ready(2)), "Join");
  expect_formats(pollen::select(pollen::ready(1), pollen::never<int>()), "Select");
  expect_formats(pollen::fuse(pollen::ready(1)), "Fuse");
  expect_formats(pollen::loop_fn(0, StepOnce{}), "LoopFn");
  auto futures = [] {
    std::vector<pollen::Ready<int>> v;
    v.push_back(pollen::ready(1));
    return v;
  };
  expect_formats(pollen::join_all(futures()), "JoinAll");
  expect_formats(pollen::select_all(futures()), "SelectAll");
  // time
  pollen::TimerDriver driver(pollen::ClockKind::Virtual, pollen::TimePoint(hours(1)));
  expect_formats(pollen::sleep(driver, milliseconds(5)), "Sleep");
  expect_formats(pollen::timeout(driver, pollen::never<int>(), milliseconds(5)), "Timeout");
  pollen::Interval iv = pollen::interval(driver, milliseconds(10));
  expect_formats(iv, "Interval");
  expect_formats(iv.tick(), "Tick");
  // sync
  auto os = pollen::oneshot<int>();
  expect_formats(os.second, "OneshotReceiver");
  expect_formats(os.first.closed(), "OneshotClosed");
  auto ch = pollen::channel<int>(1);
  expect_formats(ch.first.send(1), "Send");
  expect_formats(ch.first.reserve(), "Reserve");
  expect_formats(ch.second, "Receiver");  // a stream
  expect_formats(ch.second.recv(), "Recv");
  auto un = pollen::unbounded_channel<int>();
  expect_formats(un.second, "Receiver");
  // ... and the sending handles
  expect_formats(os.first, "OneshotSender");
  expect_formats(ch.first, "Sender");
  expect_formats(un.first, "UnboundedSender");
  pollen::Option<pollen::Permit<int>> permit = ch.first.try_reserve();
  ASSERT_TRUE(permit.has_value());
  expect_formats(*permit, "Permit");
  EXPECT_EQ(fmt::format("{:s}", ch.first), "Sender [open, 0 buffered of 1]");
  // stream
  namespace stream = pollen::stream;
  auto items = [] { return stream::iter(std::vector<int>{1, 2, 3}); };
  auto it = items();
  expect_formats(it, "stream::Iter");
  expect_formats(stream::next(it), "Next");
  expect_formats(stream::map(items(), TwiceFn{}), "stream::Map");
  expect_formats(stream::filter(items(), Even{}), "stream::Filter");
  expect_formats(stream::take(items(), 2), "stream::Take");
  expect_formats(stream::merge(items(), items()), "stream::Merge");
  expect_formats(stream::fold(items(), 0, Add{}), "stream::Fold");
  expect_formats(stream::collect(items()), "stream::Collect");
  expect_formats(stream::for_each(items(), Ignore{}), "stream::ForEach");
  expect_formats(stream::ticks(pollen::interval(driver, milliseconds(10))), "stream::Ticks");
  // runtime: the handle a spawn returns is a future too
  pollen::EventLoop loop;
  pollen::JoinHandle<int> h = loop.spawn(pollen::ready(1));
  expect_formats(h, "JoinHandle");
  loop.run_until_stalled();
}

TEST(Fmt, FormatsResultAsOkOrErr) {
  EXPECT_EQ(fmt::format("{}", pollen::Result<int>(pollen::ok(4))), "Ok(4)");
  EXPECT_EQ(fmt::format("{}", pollen::Result<int, int>(pollen::err(7))), "Err(7)");
  const std::error_code e = std::make_error_code(std::errc::no_such_file_or_directory);
  EXPECT_EQ(fmt::format("{}", pollen::Result<int>(pollen::err(e))),
            "Err(generic:" + std::to_string(e.value()) + " \"" + e.message() + "\")");
  EXPECT_EQ(fmt::format("{}", pollen::Poll<pollen::Result<pollen::Unit>>(pollen::Result<pollen::Unit>(pollen::ok()))),
            "Ready(Ok(()))");
}
