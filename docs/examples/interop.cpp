// docs/interop.md: its examples, built and run by the tests (the coroutine
// part only where the compiler has C++20 coroutines).
#include <pollen/future/coro.hpp>
#include <pollen/pollen.hpp>

#include <chrono>
#include <cstdio>
#include <functional>
#include <future>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace {

struct Reply {
  int status;
  std::string body;
};

// A callback API of the usual kind: it answers later, from a thread of its own.
class Client {
 public:
  Client() = default;
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;
  ~Client() {
    for (std::thread& t : threads_) t.join();
  }
  void fetch(const std::string& url, std::function<void(Reply)> on_done) {
    threads_.emplace_back([url, on_done] { on_done(Reply{200, "hello from " + url}); });
  }

 private:
  std::vector<std::thread> threads_;
};

// client.fetch(url, std::function<void(Reply)> on_done) is the callback API.
pollen::FromCallback<Reply> fetch(Client& client, std::string url) {
  return pollen::from_callback<Reply>([&](pollen::Completer<Reply> done) {
    client.fetch(url, [done](Reply r) { done(std::move(r)); });
  });
}

std::future<int> legacy_compute_async() {
  return std::async(std::launch::async, [] { return 42; });
}

#if POLLEN_HAS_COROUTINES
// Something with a future-returning read, for the coroutine below.
struct Io {
  pollen::Ready<std::string> read_file(const std::string& name) {
    return pollen::ready("contents of " + name);
  }
};

pollen::Coro<std::size_t> some_task(Io& io) {
  std::string text = co_await io.read_file("notes.txt");  // any pollen future
  co_await pollen::sleep(std::chrono::milliseconds(10));
  co_return text.size();
}
#endif

}  // namespace

int main() {
  Client client;
  pollen::EventLoop loop;
  bool ok = true;

  pollen::Option<Reply> r = loop.block_on(fetch(client, "/index.html"));
  std::printf("from_callback: %s\n", r.has_value() ? r.value().body.c_str() : "(dropped)");
  ok = ok && r.has_value() && r.value().body == "hello from /index.html";

  std::future<int> fut = legacy_compute_async();
  auto f = pollen::spawn_blocking([fut = std::move(fut)]() mutable { return fut.get(); });
  int v = loop.block_on(std::move(f));  // the loop keeps running other tasks
  std::printf("std::future through spawn_blocking: %d\n", v);
  ok = ok && v == 42;

#if POLLEN_HAS_COROUTINES
  Io io;
  std::size_t n = loop.block_on(some_task(io));  // a Coro is a pollen future
  std::printf("Coro: %zu\n", n);
  ok = ok && n == std::string("contents of notes.txt").size();
#else
  std::printf("Coro: not built (needs C++20 coroutines)\n");
#endif
  return ok ? 0 : 1;
}
