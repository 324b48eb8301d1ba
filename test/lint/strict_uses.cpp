// Uses every public header the way a program does, so that the templates a
// user instantiates are compiled under the strictest warnings a consumer may
// turn on (test/lint/strict_warnings.sh compiles it with -Werror). Warnings
// in templates show only when they are instantiated: including the headers
// is not enough. The program is compiled, never run.
#include <pollen/io.hpp>
#include <pollen/pollen.hpp>

#include <chrono>
#include <cstddef>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include <unistd.h>

namespace stream = pollen::stream;

namespace {

struct Countdown {
  using Output = int;
  int left;
  pollen::Poll<int> poll(pollen::Context& cx) {
    if (left == 0) return 42;
    --left;
    cx.waker().wake();
    return pollen::pending;
  }
};

template <class F>
std::size_t use(F f) {
  std::string tree = pollen::describe(f);
  return tree.size() + sizeof(pollen::block_on(std::move(f)));
}

template <class F>
std::size_t spawn_and_describe(pollen::EventLoop& loop, F f) {
  std::string tree = pollen::describe(f);
  auto handle = loop.spawn(std::move(f));
  tree += pollen::describe(handle);
  return tree.size();
}

std::size_t futures() {
  std::size_t n = 0;
  n += use(pollen::ready(20).map([](int x) { return x + 1; }).then([](int x) { return pollen::ready(x * 2); }));
  n += use(pollen::join(pollen::ready(1), pollen::lazy([] { return std::string("two"); }), Countdown{2}));
  n += use(pollen::select(pollen::never<int>(), pollen::ready(7)));
  n += use(pollen::select_biased(Countdown{1}, pollen::ready(7)));
  n += use(pollen::join_all(std::vector<Countdown>{Countdown{1}, Countdown{2}}));
  n += use(pollen::select_all(std::vector<Countdown>{Countdown{1}, Countdown{2}}));
  n += use(pollen::fuse(Countdown{1}));
  n += use(pollen::boxed(Countdown{3}));
  n += use(pollen::poll_fn([](pollen::Context&) -> pollen::Poll<int> { return 3; }));
  using L = pollen::Loop<long, long>;
  n += use(pollen::loop_fn(0L, [](long i) {
    return pollen::ready(i == 10 ? L(pollen::loop_break(i)) : L(pollen::loop_continue(i + 1)));
  }));
  using R = pollen::Result<int>;
  n += use(pollen::try_join(pollen::ready(R(pollen::ok(1))), pollen::ready(R(pollen::ok(2))))
               .map_ok([](std::tuple<int, int> t) { return std::get<0>(t) + std::get<1>(t); })
               .and_then([](int v) { return pollen::ready(R(pollen::ok(v))); })
               .map_err([](std::error_code e) { return e.value(); }));
  std::vector<pollen::Ready<R>> rs;
  rs.push_back(pollen::ready(R(pollen::ok(1))));
  n += use(pollen::try_join_all(std::move(rs)));
  R r = pollen::ok(3);
  n += static_cast<std::size_t>(r.map([](int v) { return v + 1; }).value_or(0));
  auto s = pollen::shared(Countdown{2});
  auto s2 = s;
  n += use(std::move(s)) + use(std::move(s2));
  return n;
}

std::size_t runtime_and_time() {
  pollen::EventLoop loop;
  std::size_t n = 0;
  n += spawn_and_describe(loop, Countdown{3});
  n += spawn_and_describe(loop, pollen::sleep(std::chrono::milliseconds(1)));  // built before the loop polls
  n += spawn_and_describe(loop, pollen::timeout(Countdown{2}, std::chrono::milliseconds(5)));
  n += spawn_and_describe(loop, pollen::yield_now());
  n += spawn_and_describe(loop, pollen::spawn_blocking([] { return 5; }));
  n += spawn_and_describe(loop, pollen::sleep(loop.timer_driver(), std::chrono::milliseconds(1)));
  n += spawn_and_describe(loop, pollen::timeout(loop.timer_driver(), Countdown{2}, std::chrono::milliseconds(5)));
  pollen::JoinSet<int> set;
  set.spawn(loop, Countdown{1});
  n += set.len();
  loop.run();
  return n;
}

std::size_t channels() {
  std::size_t n = 0;
  auto ch = pollen::channel<int>(2);
  n += use(ch.first.send(1));
  n += use(stream::collect(stream::take(std::move(ch.second), 1)));
  auto u = pollen::unbounded_channel<std::string>();
  (void)u.first.send(std::string("x"));
  n += use(stream::next(u.second));
  auto o = pollen::oneshot<int>();
  (void)o.first.send(1);
  n += use(std::move(o.second));
  auto w = pollen::watch<int>(0);
  w.first.send(1);
  n += use(w.second.changed());
  auto b = pollen::broadcast<int>(4);
  (void)b.first.send(1);
  n += use(b.second.recv());
  pollen::Mutex<int> m(0);
  n += use(m.lock());
  pollen::Semaphore sem(2);
  n += use(sem.acquire(1));
  pollen::Notify notify;
  notify.notify_one();
  n += use(notify.notified());
  return n;
}

std::size_t streams() {
  std::size_t n = 0;
  auto nums = [] { return stream::iter(std::vector<int>{1, 2, 3, 4}); };
  n += use(stream::fold(stream::map(stream::filter(nums(), [](const int& x) { return x % 2 == 0; }),
                                    [](int x) { return x * x; }),
                        0, [](int acc, int x) { return acc + x; }));
  n += use(stream::collect(stream::merge(nums(), nums())));
  n += use(stream::collect(stream::zip(nums(), nums())));
  n += use(stream::collect(stream::chain(nums(), nums())));
  n += use(stream::collect(stream::skip(nums(), 1)));
  n += use(stream::collect(stream::take_while(nums(), [](const int& x) { return x < 3; })));
  n += use(stream::collect(stream::chunks(nums(), 2)));
  n += use(stream::collect(stream::fuse(nums())));
  n += use(stream::collect(stream::then(nums(), [](int x) { return pollen::ready(x + 1); })));
  n += use(stream::collect(stream::buffer_unordered(stream::map(nums(), [](int x) { return pollen::ready(x); }), 2)));
  n += use(stream::collect(stream::buffered(stream::map(nums(), [](int x) { return pollen::ready(x); }), 2)));
  n += use(stream::collect(stream::flatten(stream::map(nums(), [](int x) { return stream::iter(std::vector<int>{x, x}); }))));
  n += use(stream::for_each(nums(), [](int) {}));
  n += use(stream::collect(stream::unfold(0, [](int st) {
    return pollen::ready(st < 3 ? pollen::Option<std::pair<int, int>>(std::make_pair(st, st + 1))
                                : pollen::Option<std::pair<int, int>>());
  })));
  return n;
}

// The I/O templates: poll_read_io / poll_write_io and a guard's try_io.
std::size_t io() {
  pollen::EventLoop loop;
  pollen::io::AsyncFd fd;
  std::size_t n = 0;
  char buf[8];
  n += use(pollen::poll_fn([&](pollen::Context& cx) -> pollen::Poll<std::size_t> {
    pollen::Poll<pollen::Result<std::size_t>> r =
        fd.poll_read_io(cx, [&] { return ::read(fd.fd(), buf, sizeof buf); });
    if (r.is_pending()) return pollen::pending;
    pollen::Poll<pollen::Result<std::size_t>> w =
        fd.poll_write_io(cx, [&] { return ::write(fd.fd(), buf, 1); });
    (void)w;
    return r.value().value_or(0);
  }));
  n += use(fd.readable().map([&](pollen::io::ReadyGuard g) {
    pollen::Option<pollen::Result<std::size_t>> r = g.try_io([&] { return ::read(g.fd(), buf, 1); });
    return r.has_value() ? r->value_or(0) : std::size_t{0};
  }));
  pollen::io::Signals sigs;
  n += use(pollen::stream::next(sigs));
  return n;
}

// Files on the blocking pool: a read of a missing file and a write to /dev/null.
std::size_t files() {
  pollen::EventLoop loop;
  pollen::Result<std::string> r = loop.block_on(pollen::fs::read_file("/nonexistent/pollen"));
  pollen::Result<pollen::Unit> w = loop.block_on(pollen::fs::write_file("/dev/null", std::string("x")));
  return (r.ok() ? 1u : 0u) + (w.ok() ? 1u : 0u) + pollen::describe(pollen::fs::read_file("/dev/null")).size();
}

}  // namespace

int main() {
  return static_cast<int>(futures() + runtime_and_time() + channels() + streams() + io() +
                          files());
}
