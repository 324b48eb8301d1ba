// The `Example:` sections of the public headers' comments, compiled and run
// (test lint/header_examples_run), each inside a function of its own with
// the names it uses defined around it. test/lint/header_examples.py
// (test lint/header_examples) checks that every header example is quoted
// here verbatim (the indentation aside), or listed below as not compiled:
// an example changed in its header, or a new one, fails until it is here.
//
// Not compiled, and why:
// not compiled: include/pollen/future/join_all.hpp: `fs = ...` stands for the futures
// not compiled: include/pollen/future/try_join_all.hpp: `fs = ...` stands for the futures
// not compiled: include/pollen/runtime/yield_now.hpp: `<await f>` is pseudo-code
// not compiled: include/pollen/stream/fuse.hpp: `...` stands for the code around it
//
// Code in a header comment outside an `Example:` section is an error too
// (header_examples.py says what counts as code), unless it is listed here
// by its first code line, with why it is not a compiled example:
// not an example: include/pollen/core/box_future.hpp: `Poll<T> poll_adopting(Context& cx, BoxFuture<T>& out);`: a signature: the member a future type declares to opt in
// not an example: include/pollen/core/cancel_safe.hpp: `static constexpr bool is_cancel_safe = false;`: the member a future type declares
// not an example: include/pollen/core/future.hpp: `using Output = T;`: the members a future declares (signatures)
// not an example: include/pollen/core/future.hpp: `using type = conditional<ok, TheCombinator, Rejected<errors>>;`: pseudo-code of a trait
// not an example: include/pollen/core/future_ext.hpp: `struct MyFuture : pollen::FutureExt<MyFuture> { ... };`: pseudo-code: `{ ... }` stands for the future's members
// not an example: include/pollen/core/layout.hpp: `using pollen_niche = pollen::detail::Niche<offset, first, count>;`: the member a type declares to opt in
// not an example: include/pollen/core/layout.hpp: `using pollen_trivially_destroyed = std::true_type;`: the member a type declares to opt in
// not an example: include/pollen/core/poll.hpp: `return 42;               // Ready(42): Poll<T> converts from a T`: two alternative return statements of a poll(), not one sequence
// not an example: include/pollen/core/poll_observer.hpp: `detail::observe_poll(cx, this);`: the first line of every library future's poll() (pollen::detail); users call pollen::observe_poll
// not an example: include/pollen/future/machine.hpp: `static const char* name();            // "Map": for the ContractErrors`: the members a machine declares (signatures)
// not an example: include/pollen/future/machine.hpp: `using pollen_relocatable = typename Base::payloads_relocatable;`: the members a machine declares (signatures)
// not an example: include/pollen/future/machine.hpp: `using Item = T;`: the members a machine declares (signatures)
// not an example: include/pollen/future/shared.hpp: `auto config = pollen::shared(load_config());   // Output: Config (copyable)`: pseudo-code: `<await its copy>`
// not an example: include/pollen/future/then.hpp: `BoxFuture<int> step(int n) { return boxed(ready(n).then(step)); }`: the shape of a recursion, inside a sentence (it has no end case)
// not an example: include/pollen/io/async_fd.hpp: `int fds[2];`: pseudo-code: `<await rd.readable()>`
// not an example: include/pollen/io/pipe.hpp: `pollen::io::Pipe p = pollen::io::pipe(loop).value();`: pseudo-code: `await p.writer.write_all(buf, n)`
// not an example: include/pollen/io/signals.hpp: `pollen::io::Signals sigs = pollen::io::signals(loop, {SIGINT, SIGTERM}).value();`: pseudo-code: `await pollen::stream::next(sigs)`
// not an example: include/pollen/runtime/event_loop.hpp: `pollen::EventLoop loop(pollen::ClockKind::Virtual);`: a declaration inside a sentence: how to ask for the virtual clock
// not an example: include/pollen/runtime/join_handle.hpp: `pollen::JoinHandle<int> h = loop.spawn(compute());`: pseudo-code: `<await h>`
// not an example: include/pollen/runtime/join_set.hpp: `pollen::JoinSet<int> set;`: pseudo-code: `<await set.join_next()>`
// not an example: include/pollen/stream/stream.hpp: `using Item = T;`: the members a stream declares (signatures)
// not an example: include/pollen/stream/stream.hpp: `bool is_terminated() const noexcept;  // true: poll_next returns none, forever`: the members a stream declares (signatures)
// not an example: include/pollen/sync/broadcast.hpp: `auto ch = pollen::broadcast<Event>(16);`: pseudo-code: `Event{...}`, `<await ch.second.recv()>`
// not an example: include/pollen/sync/mutex.hpp: `pollen::Mutex<std::vector<int>> log;`: pseudo-code: `<await log.lock()>`
// not an example: include/pollen/sync/notify.hpp: `pollen::Notify ready;`: pseudo-code: `<await ready.notified()>`
// not an example: include/pollen/sync/result.hpp: `pollen::SendResult<int> r = tx.try_send(7);`: pseudo-code: `...` stands for the code around it
// not an example: include/pollen/sync/semaphore.hpp: `pollen::Semaphore slots(4);                    // at most 4 at a time`: pseudo-code: `<await slots.acquire()>`
// not an example: include/pollen/sync/watch.hpp: `auto ch = pollen::watch<Config>(Config{});`: pseudo-code: `<await rx.changed()>`
// not an example: include/pollen/testing.hpp: `pollen::testing::TestTask<MyFuture> t(MyFuture(...));   // or test_task(f)`: pseudo-code: `MyFuture(...)`, `... make progress happen ...`
// not an example: include/pollen/testing.hpp: `pollen::testing::DropCounter drops;`: pseudo-code: `... poll ...`
// not an example: include/pollen/testing/gtest.hpp: `auto t = pollen::testing::test_task(my_future());`: GoogleTest assertions on placeholders (my_future()); docs/testing.md quotes a compiled test of them
// not an example: include/pollen/testing/gtest.hpp: `auto s = pollen::testing::test_task(my_stream());`: GoogleTest assertions on placeholders (my_stream()); docs/testing.md quotes a compiled test of them
// not an example: include/pollen/time/interval.hpp: `pollen::Interval iv = pollen::interval(driver, std::chrono::milliseconds(10));`: a usage snippet, not compiled yet
// not an example: include/pollen/time/timer_driver.hpp: `driver.fire_expired();                        // wake due timers`: pseudo-code: an executor's loop, in words
#include <pollen/fmt.hpp>
#include <pollen/future.hpp>
#include <pollen/future/coro.hpp>  // its example: where coroutines are (POLLEN_HAS_COROUTINES)
#include <pollen/io/fs.hpp>
#include <pollen/io/pipe.hpp>
#include <pollen/io/socket_addr.hpp>
#include <pollen/io/split.hpp>
#include <pollen/io/tcp.hpp>
#include <pollen/io/udp.hpp>
#include <pollen/io/unix.hpp>
#include <pollen/pollen.hpp>
#include <pollen/stream.hpp>
#include <pollen/sync.hpp>
#include <pollen/testing.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <initializer_list>
#include <iterator>
#include <string>
#include <system_error>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

// Some examples show a poll's result in a comment instead of using it.
#if defined(__GNUC__)
#  pragma GCC diagnostic ignored "-Wunused-result"
#  pragma GCC diagnostic ignored "-Wunused-variable"
#  pragma GCC diagnostic ignored "-Wunused-but-set-variable"
#endif
#if defined(__clang__)
#  pragma clang diagnostic ignored "-Wunused-variable"
#  pragma clang diagnostic ignored "-Wunknown-warning-option"
#endif

namespace {

int failures = 0;
void check(bool ok, const char* what) {
  if (!ok) {
    std::printf("FAILED: %s\n", what);
    ++failures;
  }
}

namespace core_examples {
int compute() { return 6; }

void lazy() {
  auto f = pollen::lazy([] { return compute(); });  // nothing runs yet
  check(pollen::block_on(std::move(f)) == 6, "lazy.hpp");
}

void never() {
  auto s = pollen::select(pollen::ready(1), pollen::never<int>());
  check(pollen::block_on(std::move(s)).index() == 0, "never.hpp");
}

void poll_fn() {
  int n = 0;
  auto f = pollen::poll_fn([&](pollen::Context& cx) -> pollen::Poll<int> {
    if (++n == 3) return n;
    cx.waker().wake();
    return pollen::pending;
  });
  check(pollen::block_on(std::move(f)) == 3, "poll_fn.hpp");
}

void ready() {
  int v = pollen::block_on(pollen::ready(7));  // 7
  check(v == 7, "ready.hpp");
}
}  // namespace core_examples

namespace and_then_example {
struct Config {
  std::string url;
};
auto open_config(pollen::EventLoop&) {
  return pollen::ready(pollen::Result<Config>(pollen::ok(Config{"http://x"})));
}
auto fetch(const std::string& url) { return pollen::ready(pollen::Result<std::size_t>(pollen::ok(url.size()))); }

void run() {
  pollen::EventLoop loop;
  auto f = open_config(loop).and_then([](Config c) { return fetch(c.url); });
  pollen::Result<std::size_t> r = loop.block_on(std::move(f));
  check(r.ok() && r.value() == 8, "and_then.hpp");
}
}  // namespace and_then_example

void fuse_example() {
  pollen::Waker waker;
  pollen::Context cx(waker);
  auto f = pollen::fuse(pollen::ready(1));
  f.poll(cx);  // Ready(1)
  f.poll(cx);  // Pending, and f.is_terminated()
  check(f.is_terminated(), "fuse.hpp");
}

namespace join_example {
struct User {
  std::string name;
};
struct Orders {
  int count;
};
auto fetch_user(int) { return pollen::ready(User{"ada"}); }
auto fetch_orders(int) { return pollen::ready(Orders{2}); }

void run() {
  int id = 1;
  auto both = pollen::join(fetch_user(id), fetch_orders(id));
  std::tuple<User, Orders> r = pollen::block_on(std::move(both));
  check(std::get<1>(r).count == 2, "join.hpp");
}
}  // namespace join_example

void loop_fn_example() {
  // sum 0..9
  using L = pollen::Loop<std::pair<int, int>, int>;
  auto f = pollen::loop_fn(std::make_pair(0, 0), [](std::pair<int, int> s) {
    return pollen::ready(s.first == 10 ? L(pollen::loop_break(s.second))
                                       : L(pollen::loop_continue(
                                             std::make_pair(s.first + 1, s.second + s.first))));
  });
  check(pollen::block_on(std::move(f)) == 45, "loop_fn.hpp");
}

void map_example() {
  auto f = pollen::map(pollen::ready(20), [](int x) { return x + 1; });
  auto g = pollen::ready(20).map([](int x) { return x * 2; });  // chained
  check(pollen::block_on(std::move(f)) == 21 && pollen::block_on(std::move(g)) == 40, "map.hpp");
}

namespace map_ok_example {
auto read_file(pollen::EventLoop&, const std::string& path) {
  return pollen::ready(pollen::Result<std::string>(pollen::ok(path)));
}
auto connect(pollen::EventLoop&, const std::string&) {
  return pollen::ready(pollen::Result<int>(pollen::err(std::make_error_code(std::errc::connection_refused))));
}

void run() {
  pollen::EventLoop loop;
  std::string path = "notes.txt";
  std::string addr = "127.0.0.1:1";
  auto len = read_file(loop, path).map_ok([](std::string s) { return s.size(); });
  auto msg = connect(loop, addr).map_err([](std::error_code e) { return e.message(); });
  check(loop.block_on(std::move(len)).value() == 9, "map_ok.hpp: map_ok");
  check(!loop.block_on(std::move(msg)).error().empty(), "map_ok.hpp: map_err");
}
}  // namespace map_ok_example

namespace select_example {
using namespace std::chrono_literals;
auto read_line() { return pollen::ready(std::string("a line")); }
std::string used;
void use(std::string s) { used = std::move(s); }

void run() {
  pollen::EventLoop loop;
  auto first = pollen::select(read_line(), pollen::sleep(1s));
  auto r = loop.block_on(std::move(first));  // sleep needs a loop
  if (r.index() == 0) use(pollen::get<0>(std::move(r)));
  check(used == "a line", "select.hpp");
}
}  // namespace select_example

namespace select_all_example {
using Reply = int;
void run() {
  std::vector<pollen::BoxFuture<Reply>> requests;
  requests.push_back(pollen::boxed(pollen::never<Reply>()));
  requests.push_back(pollen::boxed(pollen::ready(Reply(5))));
  auto first = pollen::select_all(std::move(requests));
  pollen::Selected<Reply> r = pollen::block_on(std::move(first));
  // r.index, r.value
  check(r.index == 1 && r.value == 5, "select_all.hpp");
}
}  // namespace select_all_example

namespace then_example {
struct Header {
  int length;
};
auto read_header() { return pollen::ready(Header{3}); }
auto read_body(Header h) { return pollen::ready(std::string(static_cast<std::size_t>(h.length), 'x')); }

void run() {
  auto f = pollen::then(read_header(), [](Header h) { return read_body(h); });
  auto g = pollen::ready(1).then([](int x) { return pollen::ready(x + 1); });
  check(pollen::block_on(std::move(f)) == "xxx" && pollen::block_on(std::move(g)) == 2, "then.hpp");
}
}  // namespace then_example

namespace try_join_example {
struct User {
  std::string name;
};
struct Orders {
  int count;
};
auto fetch_user(int) { return pollen::ready(pollen::Result<User>(pollen::ok(User{"ada"}))); }
auto fetch_orders(int) { return pollen::ready(pollen::Result<Orders>(pollen::ok(Orders{2}))); }

void run() {
  int id = 1;
  auto both = pollen::try_join(fetch_user(id), fetch_orders(id));  // Result<User>, Result<Orders>
  pollen::Result<std::tuple<User, Orders>> r = pollen::block_on(std::move(both));
  check(r.ok() && std::get<1>(r.value()).count == 2, "try_join.hpp");
}
}  // namespace try_join_example

namespace stream_examples {
namespace stream = pollen::stream;
std::vector<int> numbers() { return {1, 2, 3}; }
auto fetch(int url) { return pollen::ready(url * 10); }

void buffered() {
  std::vector<int> urls = numbers();
  auto fetches = pollen::stream::map(pollen::stream::iter(urls), fetch);
  auto pages = pollen::stream::buffer_unordered(std::move(fetches), 8);
  check(pollen::block_on(stream::collect(std::move(pages))).size() == 3, "stream/buffered.hpp");
}

void chain() {
  auto backlog = stream::iter(numbers());
  auto live = stream::iter(numbers());
  auto all = pollen::stream::chain(std::move(backlog), std::move(live));
  check(pollen::block_on(stream::collect(std::move(all))).size() == 6, "stream/chain.hpp");
}

void chunks() {
  auto rx = stream::iter(numbers());
  auto batches = pollen::stream::chunks(std::move(rx), 64);
  check(pollen::block_on(stream::collect(std::move(batches))).size() == 1, "stream/chunks.hpp");
}

void collect() {
  auto rx = stream::iter(numbers());
  std::vector<int> all = pollen::block_on(pollen::stream::collect(std::move(rx)));
  check(all == numbers(), "stream/collect.hpp");
}

void filter() {
  auto s = stream::iter(numbers());
  auto even = pollen::stream::filter(std::move(s), [](const int& x) { return x % 2 == 0; });
  check(pollen::block_on(stream::collect(std::move(even))) == std::vector<int>{2}, "stream/filter.hpp");
}

auto read_lines(int n) { return stream::iter(std::vector<int>(static_cast<std::size_t>(n), n)); }

void flatten() {
  auto files = stream::iter(numbers());
  auto all_lines = pollen::stream::flatten(pollen::stream::map(std::move(files), read_lines));
  check(pollen::block_on(stream::collect(std::move(all_lines))).size() == 6, "stream/flatten.hpp");
}

void fold() {
  std::vector<int> v = numbers();
  int sum = pollen::block_on(pollen::stream::fold(pollen::stream::iter(v), 0, std::plus<int>()));
  check(sum == 6, "stream/fold.hpp");
}

void for_each() {
  auto rx = stream::iter(numbers());
  int sum = 0;
  pollen::block_on(pollen::stream::for_each(std::move(rx), [&](int v) { sum += v; }));
  check(sum == 6, "stream/for_each.hpp");
}

void interval() {
  pollen::TimerDriver driver(pollen::ClockKind::Virtual);
  auto s = pollen::stream::take(
      pollen::stream::ticks(pollen::interval(driver, std::chrono::milliseconds(10))), 3);
  check(!pollen::describe(s).empty(), "stream/interval.hpp");
}

void iter() {
  auto s = pollen::stream::iter(std::vector<int>{1, 2, 3});
  check(pollen::block_on(stream::collect(std::move(s))) == numbers(), "stream/iter.hpp");
}

void map() {
  std::vector<int> v = numbers();
  auto s = pollen::stream::map(pollen::stream::iter(v), [](int x) { return 2 * x; });
  check(pollen::block_on(stream::collect(std::move(s))) == std::vector<int>{2, 4, 6}, "stream/map.hpp");
}

void merge() {
  auto rx1 = stream::iter(numbers());
  auto rx2 = stream::iter(numbers());
  auto both = pollen::stream::merge(std::move(rx1), std::move(rx2));
  check(pollen::block_on(stream::collect(std::move(both))).size() == 6, "stream/merge.hpp");
}

void next() {
  auto s = pollen::stream::iter(std::vector<int>{1, 2});
  pollen::Option<int> a = pollen::block_on(pollen::stream::next(s));  // some(1)
  check(a.has_value() && *a == 1, "stream/next.hpp");
}

void skip() {
  auto lines = stream::iter(numbers());
  auto body = pollen::stream::skip(std::move(lines), 1);  // no header
  check(pollen::block_on(stream::collect(std::move(body))).size() == 2, "stream/skip.hpp");
}

void take() {
  auto rx = stream::iter(std::vector<int>{1, 2, 3, 4});
  auto first3 = pollen::stream::take(std::move(rx), 3);
  check(pollen::block_on(stream::collect(std::move(first3))) == numbers(), "stream/take.hpp");
}

void take_while() {
  auto lines = stream::iter(std::vector<std::string>{"Host: x", "", "body"});
  auto header = pollen::stream::take_while(std::move(lines), [](const std::string& l) { return !l.empty(); });
  check(pollen::block_on(stream::collect(std::move(header))).size() == 1, "stream/take_while.hpp");
}

void then() {
  auto requests = stream::iter(numbers());
  auto send_and_wait = [](int r) { return pollen::ready(r + 1); };
  auto replies = pollen::stream::then(std::move(requests), send_and_wait);
  check(pollen::block_on(stream::collect(std::move(replies))) == std::vector<int>{2, 3, 4}, "stream/then.hpp");
}

void unfold() {
  auto countdown = pollen::stream::unfold(3, [](int n) {
    using Step = pollen::Option<std::pair<int, int>>;
    return pollen::ready(n == 0 ? Step() : Step(std::make_pair(n, n - 1)));
  });  // 3, 2, 1
  check(pollen::block_on(stream::collect(std::move(countdown))) == std::vector<int>{3, 2, 1}, "stream/unfold.hpp");
}

void zip() {
  std::vector<int> ids = numbers();
  auto rx = stream::iter(std::vector<std::string>{"a", "b"});
  auto numbered = pollen::stream::zip(pollen::stream::iter(ids), std::move(rx));
  check(pollen::block_on(stream::collect(std::move(numbered))).size() == 2, "stream/zip.hpp");
}
}  // namespace stream_examples

namespace receiver_example {
int sum = 0;
void use(int v) { sum += v; }

void run() {
  auto ch = pollen::unbounded_channel<int>();
  (void)ch.first.send(1);
  (void)ch.first.send(2);
  ch.first = decltype(ch.first)();  // the sender is gone: recv() ends with Closed
  auto rx = std::move(ch.second);
  while (auto v = block_on(rx.recv())) use(v.value());
  check(sum == 3, "sync/receiver.hpp");
}
}  // namespace receiver_example

namespace time_examples {
void sleep() {
  pollen::TimerDriver driver(pollen::ClockKind::Virtual);
  auto s = pollen::sleep(driver, std::chrono::milliseconds(5));
  // poll s: Pending ... driver.advance(std::chrono::milliseconds(5));
  // the task is woken, poll s: Ready(Unit)
  pollen::Waker waker;
  pollen::Context cx(waker);
  check(s.poll(cx).is_pending(), "time/sleep.hpp: Pending first");
  driver.advance(std::chrono::milliseconds(5));
  check(s.poll(cx).is_ready(), "time/sleep.hpp: Ready after 5 ms");
}

void timeout() {
  pollen::TimerDriver driver(pollen::ClockKind::Virtual);
  auto t = pollen::timeout(driver, pollen::never<int>(), std::chrono::hours(1));
  // poll: Pending; driver.advance(std::chrono::hours(1)); poll: Ready(none)
  pollen::Waker waker;
  pollen::Context cx(waker);
  check(t.poll(cx).is_pending(), "time/timeout.hpp: Pending first");
  driver.advance(std::chrono::hours(1));
  pollen::Poll<pollen::Option<int>> p = t.poll(cx);
  check(p.is_ready() && !std::move(p).value().has_value(), "time/timeout.hpp: Ready(none)");
}

void interval() {
  pollen::TimerDriver driver(pollen::ClockKind::Virtual);
  auto iv = pollen::interval(driver, std::chrono::milliseconds(10));
  // tick(): Ready at once; the next tick(): Pending until driver.advance(10 ms)
  check(pollen::block_on(iv.tick()) == driver.now(), "time/interval.hpp: the first tick at once");
}
}  // namespace time_examples

namespace context_examples {
// A leaf future that is ready again and again, spending the budget.
void budget() {
  auto leaf = [](pollen::Context& cx) -> pollen::Poll<int> {
    if (!cx.consume_budget()) return pollen::pending;  // already re-woken
    return 1;
  };
  auto first = pollen::poll_fn(leaf);
  auto second = pollen::poll_fn(leaf);
  pollen::testing::CountingWaker waker;
  pollen::Budget one{1};
  pollen::Context cx(waker.waker(), one);
  check(first.poll(cx).is_ready(), "context.hpp: a unit left: Ready");
  check(second.poll(cx).is_pending() && waker.wakes() == 1,
        "context.hpp: the budget spent: Pending, and the task re-woken");
}

void observer() {
  pollen::testing::CountingWaker counting;
  const pollen::Waker& waker = counting.waker();
  pollen::Budget budget{128};
  pollen::PollObserver obs;
  pollen::Context cx(waker, obs);                 // or cx.with_observer(&obs)
  pollen::Context cx2(waker, &budget, &obs);      // budget and observer
  check(cx.observer() == &obs && cx.budget() == nullptr, "context.hpp: Context(waker, obs)");
  check(cx2.observer() == &obs && cx2.budget() == &budget, "context.hpp: Context(waker, &budget, &obs)");
  pollen::Context cx3 = pollen::Context(waker).with_observer(&obs);
  auto f = pollen::ready(1);
  check(f.poll(cx3).is_ready() && obs.total_polls() == 1, "context.hpp: with_observer(): the poll is counted");
}
}  // namespace context_examples

void poll_observer_example() {
  pollen::testing::CountingWaker counting;
  const pollen::Waker& waker = counting.waker();
  std::uint64_t wakes_so_far = counting.wakes();
  auto f = pollen::then(pollen::never<int>(), [](int x) { return pollen::ready(x); });
  pollen::PollObserver obs;
  pollen::Context cx(waker, obs);          // child contexts inherit it
  obs.begin_task_poll(wakes_so_far);       // before each poll of the root
  auto r = f.poll(cx);                     // Ready, or Pending
  fmt::print("{}", pollen::describe(f, obs));
  //   Then [state: First] 24 B, 3 polls, 1 spurious (!)
  std::printf("\n");
  std::string tree = pollen::describe(f, obs);
  check(r.is_pending() && obs.task_polls() == 1, "poll_observer.hpp: one task poll, Pending");
  check(tree.find("Then [state: First]") == 0 && tree.find(", 1 poll") != std::string::npos,
        "poll_observer.hpp: describe(f, obs) shows the poll of each node");
}

void fmt_example() {
  pollen::PollObserver observer;
  auto f = pollen::then(pollen::ready(41), [](int x) { return pollen::ready(x + 1); });
  pollen::Poll<int> poll = 42;
  pollen::Option<int> opt = 42;
  pollen::Unit unit;
  fmt::print("{}\n", f);      // a future: its state tree, sizes included
  fmt::print("{:l}\n", f);    // ... on one line: Then[state: First](Ready[value waiting])
  fmt::print("{:s}\n", f);    // ... without sizes (states only)
  fmt::print("{}\n", pollen::with_stats(f, observer));  // + polls, spurious
  fmt::print("{}\n", poll);   // Ready(42) or Pending
  fmt::print("{}\n", opt);    // Some(42) or None
  fmt::print("{}\n", unit);   // ()
  check(fmt::format("{}\n", f) == pollen::describe(f) && fmt::format("{}", f).find(" B") != std::string::npos,
        "fmt.hpp: {}: the tree with sizes");
  check(fmt::format("{:l}", f) == pollen::describe_line(f) && fmt::format("{:l}", f) == "Then[state: First](Ready[value waiting])",
        "fmt.hpp: {:l}: one line");
  check(fmt::format("{:s}\n", f) == pollen::describe_states(f), "fmt.hpp: {:s}: states only");
  check(fmt::format("{}", pollen::with_stats(f, observer)).find("0 polls") != std::string::npos,
        "fmt.hpp: with_stats: the counts");
  check(fmt::format("{}", poll) == "Ready(42)" && fmt::format("{}", pollen::Poll<int>(pollen::pending)) == "Pending",
        "fmt.hpp: Poll");
  check(fmt::format("{}", opt) == "Some(42)" && fmt::format("{}", pollen::Option<int>()) == "None", "fmt.hpp: Option");
  check(fmt::format("{}", unit) == "()", "fmt.hpp: Unit");
}

#if POLLEN_HAS_COROUTINES
namespace coro_example {
struct Io {
  pollen::Ready<std::string> read_file(const char*) { return pollen::ready(std::string("five!")); }
};

// The example's function and statement, as members of a class so that the
// statement (a member's initializer) may follow the function.
struct Program {
  Io io;
  pollen::EventLoop loop;
  pollen::Coro<std::size_t> some_task(Io& io) {
    std::string text = co_await io.read_file("notes.txt");  // any pollen future
    co_await pollen::sleep(std::chrono::milliseconds(10));
    co_return text.size();
  }
  std::size_t n = loop.block_on(some_task(io));   // a Coro is a future
};

void run() {
  Program p;
  check(p.n == 5, "future/coro.hpp");
}
}  // namespace coro_example
#endif

namespace from_callback_example {
struct Reply {
  std::size_t length;
};
// A callback API: fetch() calls back once, or (an unknown url) never, having
// dropped its callback.
struct Client {
  void fetch(const std::string& url, const std::function<void(Reply)>& callback) {
    if (url != "unknown") callback(Reply{url.size()});
  }
};

pollen::Option<Reply> get(pollen::EventLoop& loop, Client& client, const std::string& url) {
  pollen::FromCallback<Reply> f = pollen::from_callback<Reply>(
      [&](pollen::Completer<Reply> done) {
        client.fetch(url, [done](Reply r) { done(std::move(r)); });
      });
  pollen::Option<Reply> r = loop.block_on(std::move(f));
  // r.has_value(): the callback ran; none: the API dropped the callback
  return r;
}

void run() {
  pollen::EventLoop loop;
  Client client;
  pollen::Option<Reply> r = get(loop, client, "http://x");
  check(r.has_value() && r.value().length == 8, "from_callback.hpp: the callback ran");
  check(!get(loop, client, "unknown").has_value(), "from_callback.hpp: none when the API dropped the callback");
}
}  // namespace from_callback_example

void box_future_example() {
  auto f = pollen::ready(20).map([](int x) { return x + 1; });
  pollen::BoxFuture<int> b = pollen::boxed(std::move(f));   // one allocation
  check(pollen::block_on(std::move(b)) == 21, "core/box_future.hpp");
}

namespace unix_example {
static_assert(std::is_same<pollen::output_t<pollen::io::UnixAccept>, pollen::Result<pollen::io::UnixStream>>::value,
              "io/unix.hpp: accept()");
static_assert(std::is_same<pollen::output_t<pollen::io::UnixConnect>, pollen::Result<pollen::io::UnixStream>>::value,
              "io/unix.hpp: connect()");

void run() {
  pollen::EventLoop loop;
  char temporary[] = "/tmp/pollen_header_examples_XXXXXX";
  if (::mkdtemp(temporary) == nullptr) {
    check(false, "io/unix.hpp: mkdtemp");
    return;
  }
  std::string dir = temporary;
  std::string path = dir + "/server.sock";
  {
    auto l = pollen::io::UnixListener::bind(loop, dir + "/server.sock");
    // in a task of `loop`:
    //   l.value().accept():                 Result<UnixStream>
    //   UnixStream::connect(loop, path):    Result<UnixStream>
    auto ends = pollen::io::UnixStream::pair(loop);  // socketpair(2)
    check(l.ok(), "io/unix.hpp: bind()");
    if (l.ok()) {
      auto both = loop.block_on(pollen::join(l.value().accept(), pollen::io::UnixStream::connect(loop, path)));
      check(std::get<0>(both).ok() && std::get<1>(both).ok(), "io/unix.hpp: accept() and connect()");
    }
    check(ends.ok(), "io/unix.hpp: pair()");
    if (ends.ok()) {
      char buf[8] = {};
      pollen::Result<std::size_t> w = loop.block_on(ends.value().first.write_all("hi", 2));
      pollen::Result<std::size_t> n = loop.block_on(ends.value().second.read(buf, sizeof buf));
      check(w.ok() && n.ok() && n.value() == 2 && std::string(buf, 2) == "hi", "io/unix.hpp: pair(): connected");
    }
  }
  ::unlink(path.c_str());
  ::rmdir(dir.c_str());
}
}  // namespace unix_example

namespace split_example {
std::string read_by_the_read_half;

// A task that reads its half up to the end of the stream.
struct Reader {
  using Output = pollen::Unit;
  pollen::io::SocketReadHalf half;
  pollen::Poll<pollen::Unit> poll(pollen::Context& cx) {
    for (;;) {
      char buf[64];
      pollen::Poll<pollen::Result<std::size_t>> p = half.poll_read(cx, buf, sizeof buf);
      if (p.is_pending()) return pollen::pending;
      pollen::Result<std::size_t> n = std::move(p).value();
      if (!n.ok() || n.value() == 0) return pollen::Unit{};
      read_by_the_read_half.append(buf, n.value());
    }
  }
};
Reader reader(pollen::io::SocketReadHalf half) { return Reader{std::move(half)}; }

// A task that writes a message with its half, then ends (destroying the
// half shuts the write direction down).
struct Writer {
  using Output = pollen::Unit;
  pollen::io::SocketWriteHalf half;
  std::string message;
  std::size_t written;
  pollen::Poll<pollen::Unit> poll(pollen::Context& cx) {
    while (written < message.size()) {
      pollen::Poll<pollen::Result<std::size_t>> p =
          half.poll_write(cx, message.data() + written, message.size() - written);
      if (p.is_pending()) return pollen::pending;
      pollen::Result<std::size_t> n = std::move(p).value();
      if (!n.ok()) break;
      written += n.value();
    }
    return pollen::Unit{};
  }
};
Writer writer(pollen::io::SocketWriteHalf half) { return Writer{std::move(half), "from the write half", 0}; }

void run() {
  pollen::EventLoop loop;
  auto ends = pollen::io::UnixStream::pair(loop);
  if (!ends.ok()) {
    check(false, "io/split.hpp: UnixStream::pair()");
    return;
  }
  pollen::io::UnixStream stream = std::move(ends.value().first);
  pollen::io::UnixStream peer = std::move(ends.value().second);
  auto halves = std::move(stream).into_split();
  loop.spawn(reader(std::move(halves.first))).detach();   // only reads
  loop.spawn(writer(std::move(halves.second))).detach();  // only writes
  // The other end: writes to the read half and shuts its side down, and
  // reads what the write half wrote, up to the end of the stream.
  check(loop.block_on(peer.write_all("to the read half", 16)).ok(), "io/split.hpp: the peer writes");
  check(peer.shutdown(pollen::io::Shutdown::Write).ok(), "io/split.hpp: the peer shuts down");
  std::string got;
  for (;;) {
    char buf[64];
    pollen::Result<std::size_t> n = loop.block_on(peer.read(buf, sizeof buf));
    if (!n.ok() || n.value() == 0) break;
    got.append(buf, n.value());
  }
  loop.run();
  check(got == "from the write half", "io/split.hpp: the write half wrote, then its end shut the direction down");
  check(read_by_the_read_half == "to the read half", "io/split.hpp: the read half read up to the end");
}
}  // namespace split_example

void block_on_example() {
  auto f = pollen::ready(20).map([](int x) { return x + 1; });
  int v = pollen::block_on(std::move(f));
  check(v == 21, "core/block_on.hpp");
}

namespace describe_example {
// A hand-written future in state First of a Then, holding its first future.
struct MyThen {
  using Output = int;
  pollen::Ready<int> first_ = pollen::ready(1);
  pollen::Poll<int> poll(pollen::Context& cx) { return first_.poll(cx); }
  void describe(pollen::Describer& d) const {
    d.node("Then", "state: First");   // name and detail of this node
    d.child(first_);                  // each child, in order
  }
};

void run() {
  MyThen t;
  check(pollen::describe_states(t) == "Then [state: First]\n└─ Ready [value waiting]\n",
        "core/describe.hpp, core/describer.hpp: the node and its child");
  pollen::PollObserver observer;
  auto f = pollen::ready(1);
  fmt::print("{}", pollen::with_stats(f, observer));
  std::printf("\n");
  check(fmt::format("{}\n", pollen::with_stats(f, observer)) == pollen::describe(f, observer),
        "core/describe.hpp: with_stats formats as describe(f, observer)");
}
}  // namespace describe_example

namespace sync_examples {
void channel() {
  auto ch = pollen::channel<int>(16);
  pollen::Sender<int> tx = ch.first;          // senders are copyable
  pollen::Receiver<int> rx = std::move(ch.second);
  pollen::SendResult<int> r = pollen::block_on(tx.send(1));  // waits for room
  pollen::Option<int> v = pollen::block_on(rx.recv());       // some(1)
  check(r.is_sent() && v.has_value() && v.value() == 1, "sync/channel.hpp");
}

void oneshot() {
  std::pair<pollen::OneshotSender<int>, pollen::OneshotReceiver<int>> ch =
      pollen::oneshot<int>();
  ch.first.send(7);                                  // never blocks
  pollen::RecvResult<int> r = pollen::block_on(std::move(ch.second));
  // r.is_received(), r.value() == 7
  check(r.is_received() && r.value() == 7, "sync/oneshot.hpp");
}

void receiver() {
  auto ch = pollen::unbounded_channel<int>();
  ch.first.send(1);
  pollen::Option<int> v = pollen::block_on(ch.second.recv());  // 1
  check(v.has_value() && v.value() == 1, "sync/receiver.hpp");
}

void sender_closed() {
  {
    auto open = pollen::channel<int>(8);
    auto f = open.first.closed();
    pollen::testing::CountingWaker waker;
    pollen::Context cx(waker.waker());
    check(f.poll(cx).is_pending(), "sync/sender_closed.hpp: Pending while the receiver is open");
    open.second.close();
    check(waker.wakes() == 1 && f.poll(cx).is_ready(), "sync/sender_closed.hpp: woken, then Ready");
  }
  auto ch = pollen::channel<int>(8);
  auto gone = ch.first.closed();   // Pending while the receiver is open
  ch.second.close();               // or: the receiver is destroyed
  pollen::block_on(std::move(gone));  // Ready(Unit)
  check(ch.first.is_closed(), "sync/sender_closed.hpp: Ready once closed");
}

void unbounded() {
  auto ch = pollen::unbounded_channel<int>();
  pollen::UnboundedSender<int> tx = ch.first;   // copyable, any thread
  tx.send(1);                                   // Sent, or Closed + value back
  pollen::Option<int> v = pollen::block_on(ch.second.recv());  // some(1)
  check(v.has_value() && v.value() == 1, "sync/unbounded.hpp");
}
}  // namespace sync_examples

namespace event_loop_example {
auto compute() { return pollen::ready(6).map([](int x) { return x * 7; }); }

void run() {
  auto f = compute();
  pollen::EventLoop loop;
  pollen::JoinHandle<int> h = loop.spawn("worker", compute());
  int v = loop.block_on(std::move(f));   // drives f and every task
  check(v == 42, "runtime/event_loop.hpp: block_on");
  check(h.is_finished(), "runtime/event_loop.hpp: the spawned task ran too");
  pollen::JoinResult<int> r = loop.block_on(std::move(h));
  check(!r.is_cancelled() && r.value() == 42, "runtime/event_loop.hpp: its result");
}
}  // namespace event_loop_example

namespace spawn_blocking_example {
std::string read_whole_file(const std::string& path) { return "the text of " + path; }

void run() {
  std::string path = "notes.txt";
  auto f = pollen::spawn_blocking([path] { return read_whole_file(path); });
  // f is a future of fn's result; the loop keeps running other tasks.
  pollen::EventLoop loop;
  int other = 0;
  loop.spawn(pollen::lazy([&] { return ++other; })).detach();
  check(loop.block_on(std::move(f)) == "the text of notes.txt" && other == 1, "runtime/spawn_blocking.hpp");
}
}  // namespace spawn_blocking_example

void socket_addr_example() {
  pollen::Result<pollen::io::SocketAddr> a = pollen::io::SocketAddr::parse("127.0.0.1:8080");
  pollen::Result<pollen::io::SocketAddr> b = pollen::io::SocketAddr::parse("[::1]:0");
  if (!a.ok()) fmt::print("{}\n", a.error().message());
  check(a.ok() && a.value().port() == 8080 && b.ok() && b.value().port() == 0, "io/socket_addr.hpp");
  pollen::Result<pollen::io::SocketAddr> bad = pollen::io::SocketAddr::parse("localhost:80");
  check(!bad.ok() && !bad.error().message().empty(), "io/socket_addr.hpp: a host name is an error, with a message");
}

static_assert(std::is_same<pollen::output_t<pollen::io::TcpAccept>,
                           pollen::Result<std::pair<pollen::io::TcpStream, pollen::io::SocketAddr>>>::value,
              "io/tcp.hpp: accept()");
static_assert(std::is_same<pollen::output_t<pollen::io::TcpConnect>, pollen::Result<pollen::io::TcpStream>>::value,
              "io/tcp.hpp: connect()");
static_assert(std::is_same<pollen::output_t<pollen::io::SocketRead>, pollen::Result<std::size_t>>::value,
              "io/tcp.hpp: read()");

void tcp_example() {
  pollen::EventLoop loop;
  pollen::Result<pollen::io::TcpListener> l = pollen::io::TcpListener::bind(loop, "127.0.0.1:0");
  pollen::io::SocketAddr where = l.value().local_addr().value();
  // in a task of `loop`:
  //   accept():            Result<std::pair<TcpStream, SocketAddr>>
  //   TcpStream::connect:  Result<TcpStream>
  //   s.read(buf, n):      Result<std::size_t>, 0 = the peer closed
  check(where.port() != 0, "io/tcp.hpp: bound to a free port");
  auto both = loop.block_on(pollen::join(l.value().accept(), pollen::io::TcpStream::connect(loop, where)));
  check(std::get<0>(both).ok() && std::get<1>(both).ok(), "io/tcp.hpp: accept() and connect()");
  if (std::get<0>(both).ok() && std::get<1>(both).ok()) {
    std::get<1>(both) = pollen::Result<pollen::io::TcpStream>(pollen::ok(pollen::io::TcpStream()));  // the peer closes
    char buf[8];
    pollen::Result<std::size_t> n = loop.block_on(std::get<0>(both).value().first.read(buf, sizeof buf));
    check(n.ok() && n.value() == 0, "io/tcp.hpp: read(): 0 = the peer closed");
  }
}

static_assert(std::is_same<pollen::output_t<pollen::io::UdpSendTo>, pollen::Result<std::size_t>>::value,
              "io/udp.hpp: send_to()");
static_assert(std::is_same<pollen::output_t<pollen::io::UdpRecvFrom>,
                           pollen::Result<std::pair<std::size_t, pollen::io::SocketAddr>>>::value,
              "io/udp.hpp: recv_from()");

void udp_example() {
  pollen::EventLoop loop;
  auto s = pollen::io::UdpSocket::bind(loop, "127.0.0.1:0");
  // in a task of `loop`:
  //   s.send_to(buf, n, peer):  Result<std::size_t>
  //   s.recv_from(buf, n):      Result<std::pair<std::size_t, SocketAddr>>
  check(s.ok(), "io/udp.hpp: bind()");
  if (!s.ok()) return;
  pollen::io::SocketAddr peer = s.value().local_addr().value();  // to itself
  pollen::Result<std::size_t> sent = loop.block_on(s.value().send_to("ping", 4, peer));
  char buf[8];
  auto got = loop.block_on(s.value().recv_from(buf, sizeof buf));
  check(sent.ok() && got.ok() && got.value().first == 4 && got.value().second.port() == peer.port(),
        "io/udp.hpp: a datagram to itself");
}

// Polls the alternative it does not hold last: a ContractError.
void one_of_quoted() {
  pollen::OneOf<int, std::string> o(pollen::in_place_index<1>, "hi");
  o.index();                 // 1
  pollen::get<1>(o);         // "hi"
  o.holds<0>();              // false
  pollen::get<0>(o);         // ContractError: it holds alternative 1
}

void one_of_example() {
#if POLLEN_HAS_EXCEPTIONS
  bool threw = false;
  try {
    one_of_quoted();
  } catch (const pollen::ContractError&) {
    threw = true;
  }
  check(threw, "future/one_of.hpp: get<0> of alternative 1 is a ContractError");
#else
  (void)&one_of_quoted;  // compiled, not run: its ContractError aborts without exceptions
#endif
  pollen::OneOf<int, std::string> o(pollen::in_place_index<1>, "hi");
  check(o.index() == 1 && pollen::get<1>(o) == "hi" && !o.holds<0>(), "future/one_of.hpp");
}

void virtual_time_loop_example() {
  using pollen::never;
  pollen::testing::VirtualTimeLoop vt;
  auto r = vt.block_on(pollen::timeout(never<int>(), std::chrono::hours(1)));
  // r == none, vt.elapsed() == 1 h
  check(!r.has_value() && vt.elapsed() == std::chrono::hours(1), "testing.hpp: VirtualTimeLoop");
}

// A fresh temporary directory, the working directory while this lives; the
// files named are removed with it.
class InTemporaryDirectory {
 public:
  explicit InTemporaryDirectory(std::initializer_list<const char*> files) : files_(files) {
    char name[] = "/tmp/pollen_header_examples_XXXXXX";
    if (::mkdtemp(name) != nullptr && ::getcwd(previous_, sizeof previous_) != nullptr && ::chdir(name) == 0) {
      dir_ = name;
    }
  }
  ~InTemporaryDirectory() {
    if (dir_.empty()) return;
    for (const char* f : files_) ::unlink(f);
    if (::chdir(previous_) != 0) std::printf("cannot return to %s\n", previous_);
    ::rmdir(dir_.c_str());
  }
  InTemporaryDirectory(const InTemporaryDirectory&) = delete;
  InTemporaryDirectory& operator=(const InTemporaryDirectory&) = delete;
  bool ok() const { return !dir_.empty(); }

 private:
  std::vector<const char*> files_;
  std::string dir_;
  char previous_[4096] = {};
};

std::string contents(const char* path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

void fs_example() {
  InTemporaryDirectory here({"notes.txt", "out.txt"});
  if (!here.ok()) {
    check(false, "io/fs.hpp: a temporary directory");
    return;
  }
  std::ofstream("notes.txt") << "some notes";
  std::string text = "written";
  pollen::fs::ReadFile r = pollen::fs::read_file("notes.txt");
  // a future of Result<std::string>: the file's bytes, or the errno of
  // the open() or read() that failed (ENOENT, EACCES, EISDIR, ...)
  pollen::fs::WriteFile w = pollen::fs::write_file("out.txt", std::move(text));
  // a future of Result<Unit>: every byte written and the file closed, or
  // the errno of the call that failed (ENOSPC, EACCES, ...)
  pollen::EventLoop loop;
  pollen::Result<std::string> got = loop.block_on(std::move(r));
  pollen::Result<pollen::Unit> done = loop.block_on(std::move(w));
  check(got.ok() && got.value() == "some notes", "io/fs.hpp: read_file: the file's bytes");
  check(done.ok() && contents("out.txt") == "written", "io/fs.hpp: write_file: every byte written");
  pollen::Result<std::string> missing = loop.block_on(pollen::fs::read_file("missing.txt"));
  check(!missing.ok() && missing.error() == std::errc::no_such_file_or_directory, "io/fs.hpp: read_file: ENOENT");
}

void trace_example() {
  InTemporaryDirectory here({"loop.json", "loop.svg"});
  if (!here.ok()) {
    check(false, "runtime/trace.hpp: a temporary directory");
    return;
  }
  pollen::EventLoop loop;
  int ran = 0;
  loop.spawn("counted", pollen::lazy([&] { return ++ran; })).detach();
  {
    pollen::TextTraceSink log(stderr);          // one line per event
    pollen::ChromeTraceSink json("loop.json");  // opens in Perfetto / chrome://tracing
    pollen::SvgTraceSink svg("loop.svg");       // opens in any browser
    loop.trace_to(&json);                       // from now on, every event
    loop.run();
    loop.trace_to(nullptr);                     // off (calls json.finish())
    std::string trace = contents("loop.json");
    check(ran == 1 && trace.find("counted") != std::string::npos,
          "runtime/trace.hpp: loop.json holds the task's events, finished by trace_to(nullptr)");
  }
}

void pipe_stdin_example() {
  // stdin is a pipe here, holding one line.
  int saved = ::dup(0);
  int fds[2];
  if (saved < 0 || ::pipe(fds) != 0) {
    check(false, "io/pipe.hpp: a pipe for stdin");
    return;
  }
  check(::dup2(fds[0], 0) == 0 && ::write(fds[1], "typed\n", 6) == 6, "io/pipe.hpp: stdin replaced");
  ::close(fds[0]);
  ::close(fds[1]);
  {
    pollen::EventLoop loop;
    // stdin as a stream: it must be non-blocking first (see below)
    ::fcntl(0, F_SETFL, ::fcntl(0, F_GETFL) | O_NONBLOCK);
    pollen::io::PipeReader in = pollen::io::PipeReader::borrow_fd(loop, 0).value();
    char buf[16];
    pollen::Result<std::size_t> n = loop.block_on(in.read(buf, sizeof buf));
    check(n.ok() && std::string(buf, n.value()) == "typed\n", "io/pipe.hpp: stdin read on the loop");
    n = loop.block_on(in.read(buf, sizeof buf));
    check(n.ok() && n.value() == 0, "io/pipe.hpp: 0 at EOF");
  }
  ::dup2(saved, 0);
  ::close(saved);
}

namespace result_example {
int used = 0;
std::error_code reported;
void use(int v) { used = v; }
void report(std::error_code e) { reported = e; }

pollen::Result<int> parse(const std::string& s) {
  if (s.empty()) return pollen::err(std::make_error_code(std::errc::invalid_argument));
  return pollen::ok(std::stoi(s));
}

void run() {
  pollen::Result<int> r = parse("41").map([](int x) { return x + 1; });
  if (r.ok()) use(r.value()); else report(r.error());
  check(used == 42, "core/result.hpp: ok");
  r = parse("").map([](int x) { return x + 1; });
  if (r.ok()) use(r.value()); else report(r.error());
  check(reported == std::errc::invalid_argument, "core/result.hpp: err");
}
}  // namespace result_example

}  // namespace

int main() {
  core_examples::lazy();
  core_examples::never();
  core_examples::poll_fn();
  core_examples::ready();
  and_then_example::run();
  fuse_example();
  join_example::run();
  loop_fn_example();
  map_example();
  map_ok_example::run();
  select_example::run();
  select_all_example::run();
  then_example::run();
  try_join_example::run();
  stream_examples::buffered();
  stream_examples::chain();
  stream_examples::chunks();
  stream_examples::collect();
  stream_examples::filter();
  stream_examples::flatten();
  stream_examples::fold();
  stream_examples::for_each();
  stream_examples::interval();
  stream_examples::iter();
  stream_examples::map();
  stream_examples::merge();
  stream_examples::next();
  stream_examples::skip();
  stream_examples::take();
  stream_examples::take_while();
  stream_examples::then();
  stream_examples::unfold();
  stream_examples::zip();
  receiver_example::run();
  time_examples::sleep();
  time_examples::timeout();
  time_examples::interval();
  context_examples::budget();
  context_examples::observer();
  poll_observer_example();
  fmt_example();
#if POLLEN_HAS_COROUTINES
  coro_example::run();
#endif
  from_callback_example::run();
  box_future_example();
  unix_example::run();
  split_example::run();
  block_on_example();
  describe_example::run();
  sync_examples::channel();
  sync_examples::oneshot();
  sync_examples::receiver();
  sync_examples::sender_closed();
  sync_examples::unbounded();
  event_loop_example::run();
  spawn_blocking_example::run();
  socket_addr_example();
  tcp_example();
  udp_example();
  one_of_example();
  virtual_time_loop_example();
  fs_example();
  trace_example();
  pipe_stdin_example();
  result_example::run();
  std::printf("header examples: %s\n", failures == 0 ? "all ran as their comments say" : "FAILED");
  return failures == 0 ? 0 : 1;
}
