// The short ```cpp snippets of the guides (docs/*.md), each compiled and run
// here inside a function of its own, with the names it uses defined around
// it. The guides quote these lines verbatim (check_quotes.py checks it,
// allowing the indentation of the function body); a snippet changed here
// or there fails the test example/guide_quotes. The program fails if a
// snippet's result is not what its guide says.
#include <pollen/io.hpp>   // not part of <pollen/pollen.hpp>: it brings the system's headers
#include <pollen/io/fs.hpp>
#include <pollen/io/net.hpp>   // TCP, Unix and UDP sockets; part of <pollen/io.hpp>
#include <pollen/fmt.hpp>
#include <pollen/pollen.hpp>

#include <fmt/core.h>

#include "echo_server.hpp"

#include <csignal>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <system_error>
#include <tuple>
#include <utility>
#include <vector>

namespace {

int failures = 0;
void check(bool ok, const char* what) {
  std::printf("%s: %s\n", ok ? "ok" : "FAILED", what);
  if (!ok) ++failures;
}

// docs/channels.md, "Cancel safety": send through a reserved permit.
namespace channels {
void reserve_then_send() {
  auto ch = pollen::channel<int>(1);
  auto& tx = ch.first;
  int v = 5;
  auto r = pollen::block_on(tx.reserve());   // or an arm of select
  if (r.has_value()) r->send(std::move(v));  // never waits
  pollen::RecvResult<int> got = ch.second.try_recv();
  check(got.is_received() && got.value() == 5, "channels: a reserved permit sends");
}
}  // namespace channels

// docs/combinators.md
namespace combinators {
struct Seven : pollen::FutureExt<Seven> {
  using Output = int;
  pollen::Poll<int> poll(pollen::Context&) { return 7; }
};

void chaining() {
  auto f = Seven{}.map([](int x) { return x * 2; })
                  .then([](int x) { return pollen::ready(x + 1); });  // 15
  check(pollen::block_on(std::move(f)) == 15, "combinators: Seven, map, then");
}

void loops() {
  using L = pollen::Loop<int, int>;
  auto count = pollen::loop_fn(0, [](int i) {
    return pollen::ready(i == 1000000 ? L(pollen::loop_break(i))
                                      : L(pollen::loop_continue(i + 1)));
  });
  check(pollen::block_on(std::move(count)) == 1000000, "combinators: loop_fn");
}

// One step of a recursion: n, ready at once.
pollen::Ready<long> read_step(long n) { return pollen::ready(n - 1); }

pollen::BoxFuture<long> count_down(long n) {
  if (n == 0) return pollen::boxed(pollen::ready(0L));
  return pollen::boxed(pollen::then(read_step(n), &count_down));
}

struct Config {
  int port;
};
int served = 0;
auto load_config() { return pollen::lazy([] { return Config{8080}; }); }
template <class F>
auto serve(F config) {
  return std::move(config).map([](Config c) { served += c.port; return pollen::Unit{}; });
}
template <class F>
auto watch(F config) {
  return std::move(config).map([](Config c) { served += c.port; return pollen::Unit{}; });
}

void shared() {
  pollen::EventLoop loop;
  auto config = pollen::shared(load_config());
  loop.spawn(serve(config)).detach();   // each task awaits its own copy
  loop.spawn(watch(config)).detach();
  loop.run();
  check(served == 2 * 8080, "combinators: shared, awaited by two tasks");
}
}  // namespace combinators

// docs/errors.md
namespace errors {
pollen::Result<int> parse(const std::string& s) {
  if (s.empty()) return pollen::err(std::make_error_code(std::errc::invalid_argument));
  return pollen::ok(std::stoi(s));
}

int used = 0;
void use(int v) { used = v; }
void report(std::error_code) { used = -1; }

void result() {
  pollen::Result<int> r = parse("41").map([](int x) { return x + 1; });
  if (r.ok()) use(r.value()); else report(r.error());
  check(used == 42, "errors: parse, map");
}

struct User {
  std::string name;
};
struct Orders {
  int count;
};
using Summary = std::string;
Summary summary(const User& u, const Orders& o) { return u.name + ": " + std::to_string(o.count); }
auto fetch_user(int) { return pollen::ready(pollen::Result<User>(pollen::ok(User{"ada"}))); }
auto fetch_orders(int) { return pollen::ready(pollen::Result<Orders>(pollen::ok(Orders{3}))); }

void try_join() {
  int id = 1;
  auto both = pollen::try_join(fetch_user(id), fetch_orders(id));  // Result<User>, Result<Orders>
  auto report = std::move(both)
      .map_ok([](std::tuple<User, Orders> t) { return summary(std::get<0>(t), std::get<1>(t)); })
      .map_err([](std::error_code e) { return e.message(); });       // Result<Summary, std::string>
  pollen::Result<Summary, std::string> s = pollen::block_on(std::move(report));
  check(s.ok() && s.value() == "ada: 3", "errors: try_join, map_ok, map_err");
}
}  // namespace errors

// docs/event_loop.md
namespace event_loop {
auto fetch_thing() { return pollen::lazy([] { return 1; }); }

void overview() {
  auto other = pollen::ready(2);
  pollen::EventLoop loop;
  pollen::JoinHandle<int> h = loop.spawn("fetch", fetch_thing());  // runs from the next turn on
  int v = loop.block_on(std::move(other));    // drives `other` and every task
  loop.run();                                  // until no task is left
  check(v == 2 && h.is_finished(), "event_loop: spawn, block_on, run");
}

void seed() {
  std::uint64_t seed = 7;
  pollen::LoopOptions opts;
  opts.schedule_seed = seed;  // pollen::Option<std::uint64_t>; none (the default): off
  pollen::EventLoop loop(opts);
  check(loop.block_on(pollen::ready(3)) == 3, "event_loop: a seeded loop runs");
}

void tracing() {
  pollen::EventLoop loop;
  loop.spawn(pollen::ready(1)).detach();
  pollen::TextTraceSink log(stderr);          // a readable line per event
  pollen::ChromeTraceSink json("loop.json");  // Chrome Trace Event JSON
  pollen::SvgTraceSink svg("loop.svg");       // a picture any browser shows
  loop.trace_to(&json);                       // from now on
  loop.run();
  loop.trace_to(nullptr);                     // off; json.finish() closes the file
  check(true, "event_loop: trace sinks");
}

void slow_polls() {
  pollen::EventLoop loop;
  loop.set_slow_poll_threshold(std::chrono::microseconds(100));  // 0: off (the default)
  check(loop.block_on(pollen::ready(4)) == 4, "event_loop: slow-poll threshold");
}

void due_timers() {
  pollen::EventLoop loop(pollen::ClockKind::Virtual);
  auto sleeper = loop.spawn(pollen::sleep(loop.timer_driver(), std::chrono::milliseconds(1)));
  loop.tick();                                                  // the sleep registers
  loop.timer_driver().pass_time(std::chrono::milliseconds(1));  // due; nothing fired yet
  loop.tick();                                                  // fired first, then polled
  check(sleeper.is_finished(), "event_loop: pass_time, then tick");
}
}  // namespace event_loop

// docs/files.md
namespace files {
void read_and_write() {
  pollen::EventLoop loop;
  std::remove("notes.txt");
  pollen::Result<std::string> text = loop.block_on(pollen::fs::read_file("notes.txt"));
  if (!text.ok()) std::fprintf(stderr, "notes.txt: %s\n", text.error().message().c_str());

  pollen::Result<pollen::Unit> done = loop.block_on(pollen::fs::write_file("out.txt", "hello\n"));
  check(!text.ok() && done.ok(), "files: read_file, write_file");
}
}  // namespace files

// docs/introspection.md
namespace introspection {
void describe() {
  auto f = pollen::join(pollen::ready(1), pollen::never<int>());
  std::string s = pollen::describe(f);       // the tree, sizeof on every node
  std::string t = pollen::describe_states(f); // names and states only
  std::string l = pollen::describe_line(f);   // one line
  pollen::DescribeNode n = pollen::describe_tree(f);  // as data
  check(!s.empty() && !t.empty() && !l.empty() && !n.children.empty(), "introspection: describe");
}

void observe_by_hand() {
  auto f = pollen::join(pollen::ready(1), pollen::ready(2));
  pollen::Waker waker;  // a no-op waker
  std::uint64_t wakes_so_far = 0;
  pollen::PollObserver obs;
  pollen::Context cx(waker, obs);             // or Context(waker, &budget, &obs)
  obs.begin_task_poll(wakes_so_far);          // before each poll of the root
  auto p = f.poll(cx);                        // Ready or Pending
  fmt::print("{}", pollen::describe(f, obs)); // the tree with counts
  obs.total_polls(); obs.total_spurious();
  check(p.is_ready() && obs.total_polls() >= 1, "introspection: a PollObserver in a Context");
}

void block_on_observed() {
  auto f = pollen::lazy([] { return 5; });
  pollen::PollObserver obs;
  int v = pollen::block_on(std::move(f), obs);
  // obs.total_polls(), obs.total_spurious() (0: block_on polls only when woken)
  check(v == 5 && obs.total_polls() > 0 && obs.total_spurious() == 0, "introspection: block_on with an observer");
}
}  // namespace introspection

// docs/io.md
namespace io {
void pipes_and_signals() {
  pollen::EventLoop loop;
  pollen::io::Pipe p = pollen::io::pipe(loop).value();
  // one task: p.writer.write_all(buf, n); another: p.reader.read(buf, sizeof buf), 0 at EOF
  pollen::io::Signals sigs = pollen::io::signals(loop, {SIGINT, SIGTERM}).value();
  // in a task: next(sigs) is Ready with some(SIGINT) on Ctrl-C
  check(true, "io: pipe, signals");
}
}  // namespace io

// docs/net.md
namespace net {
int halves = 0;
auto reader(pollen::io::SocketReadHalf h) {
  auto half = std::make_shared<pollen::io::SocketReadHalf>(std::move(h));
  return pollen::lazy([half] { ++halves; });
}
auto writer(pollen::io::SocketWriteHalf h) {
  auto half = std::make_shared<pollen::io::SocketWriteHalf>(std::move(h));
  return pollen::lazy([half] { ++halves; });
}

// Not run by the test (it serves until killed); compiled so that it holds.
int serve_forever() {
  pollen::EventLoop loop;
  pollen::Result<pollen::io::TcpListener> l = pollen::io::TcpListener::bind(loop, "127.0.0.1:0");
  if (!l.ok()) { fmt::print("{}\n", l.error().message()); return 1; }   // a value, not an exception
  fmt::print("listening on {}\n", l.value().local_addr().value().to_string());
  loop.block_on(echo::EchoServer(loop, l.value(), 0));   // accepts; a task per connection
  return 0;
}

void split() {
  pollen::EventLoop loop;
  auto ends = pollen::io::UnixStream::pair(loop).value();
  pollen::io::UnixStream stream = std::move(ends.first);
  std::pair<pollen::io::SocketReadHalf, pollen::io::SocketWriteHalf> h = std::move(stream).into_split();
  loop.spawn(reader(std::move(h.first))).detach();    // reads only
  loop.spawn(writer(std::move(h.second))).detach();   // writes only
  loop.run();
  check(halves == 2, "net: into_split, a task per half");
}
}  // namespace net

}  // namespace

int main(int argc, char**) {
  if (argc > 1) return net::serve_forever();  // docs/net.md's server, by hand
  channels::reserve_then_send();
  combinators::chaining();
  combinators::loops();
  check(pollen::block_on(combinators::count_down(1000)) == 0, "combinators: count_down");
  combinators::shared();
  errors::result();
  errors::try_join();
  event_loop::overview();
  event_loop::seed();
  event_loop::tracing();
  event_loop::slow_polls();
  event_loop::due_timers();
  files::read_and_write();
  introspection::describe();
  introspection::observe_by_hand();
  introspection::block_on_observed();
  io::pipes_and_signals();
  net::split();
  return failures == 0 ? 0 : 1;
}
