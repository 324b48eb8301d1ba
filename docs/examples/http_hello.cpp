// http_hello: a minimal HTTP/1.1 server on one pollen event loop. Every
// request gets the same small response; connections are kept alive (and
// pipelined requests answered in order) until the client closes or sends
// "Connection: close".
//
//   http_hello [ADDRESS] [--requests N]
//
// ADDRESS defaults to 127.0.0.1:8080 (port 0: any free port). It prints the
// URL it serves; with --requests N it exits after N responses (the test
// suite runs curl against it that way). Try `curl -v http://127.0.0.1:8080/
// http://127.0.0.1:8080/` (two requests, one connection) or
// `wrk -c 64 -t 1 -d 5s http://127.0.0.1:8080/`.
//
// It is not a web server: it does not read request bodies (a request with
// one is answered and its body taken for the next request), and it answers
// any method and path alike.
//
//   HttpSession: one connection.
//
//     Reading --a whole request head ("\r\n\r\n") arrived: queue the response--> Writing
//     Writing --every queued response written--> Reading (or Done after "Connection: close")
//     Reading --end of stream, an error, or a head over 16 KiB--> Done
//     Writing --an error--> Done
#include <pollen/io/net.hpp>
#include <pollen/pollen.hpp>
#include <pollen/runtime.hpp>

#include <fmt/core.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>

namespace {

const char kResponse[] =
    "HTTP/1.1 200 OK\r\n"
    "Content-Type: text/plain\r\n"
    "Content-Length: 14\r\n"
    "\r\n"
    "Hello, world!\n";

// How many responses were sent, and who waits for a number of them.
struct Served {
  std::size_t count = 0;
  std::size_t limit = 0;  // 0: no limit
  pollen::Waker waiter;
  void one_more() {
    if (++count == limit) waiter.wake();
  }
};

class HttpSession {
 public:
  using Output = pollen::Unit;
  enum class State { Reading, Writing, Done };

  HttpSession(pollen::io::TcpStream s, std::shared_ptr<Served> served)
      : stream_(std::move(s)), served_(std::move(served)) {}

  pollen::Poll<pollen::Unit> poll(pollen::Context& cx) {
    POLLEN_REQUIRE(state_ != State::Done, "HttpSession polled after it returned Ready");
    for (;;) {
      switch (state_) {
        case State::Reading: {
          char buf[4096];
          auto p = stream_.poll_read(cx, buf, sizeof buf);
          if (p.is_pending()) return pollen::pending;
          pollen::Result<std::size_t> r = std::move(p).value();
          if (!r.ok() || r.value() == 0) return finish();
          in_.append(buf, r.value());
          take_requests();
          if (!out_.empty()) state_ = State::Writing;
          else if (in_.size() > 16 * 1024) return finish();  // no end of head in sight
          break;
        }
        case State::Writing: {
          auto p = stream_.poll_write(cx, out_.data() + sent_, out_.size() - sent_);
          if (p.is_pending()) return pollen::pending;
          pollen::Result<std::size_t> r = std::move(p).value();
          if (!r.ok()) return finish();
          sent_ += r.value();
          if (sent_ < out_.size()) break;
          out_.clear();
          sent_ = 0;
          if (close_after_) return finish();
          state_ = State::Reading;
          break;
        }
        case State::Done:
          return pollen::Unit{};  // not reached: checked above
      }
    }
  }

 private:
  // Every complete request head in in_ gets a response in out_.
  void take_requests() {
    for (;;) {
      std::size_t end = in_.find("\r\n\r\n");
      if (end == std::string::npos) return;
      std::string head = in_.substr(0, end);
      in_.erase(0, end + 4);
      std::transform(head.begin(), head.end(), head.begin(),
                     [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
      bool http10 = head.find("http/1.0") != std::string::npos;
      if (head.find("connection: close") != std::string::npos ||
          (http10 && head.find("connection: keep-alive") == std::string::npos)) {
        close_after_ = true;
      }
      out_.append(kResponse, sizeof kResponse - 1);
      served_->one_more();
      if (close_after_) return;
    }
  }

  pollen::Poll<pollen::Unit> finish() {
    state_ = State::Done;
    stream_ = pollen::io::TcpStream();  // close now
    return pollen::Unit{};
  }

  pollen::io::TcpStream stream_;
  std::shared_ptr<Served> served_;
  State state_ = State::Reading;
  std::string in_;           // bytes read, not yet a whole request head
  std::string out_;          // responses to write (Writing)
  std::size_t sent_ = 0;     // of out_, written
  bool close_after_ = false;  // the client asked to close after this response
};

// Accepts forever, a session task per connection.
class HttpServer {
 public:
  using Output = pollen::Unit;
  HttpServer(pollen::EventLoop& loop, pollen::io::TcpListener& l, std::shared_ptr<Served> served)
      : loop_(&loop), listener_(&l), served_(std::move(served)) {}

  pollen::Poll<pollen::Unit> poll(pollen::Context& cx) {
    for (;;) {
      auto p = listener_->poll_accept(cx);
      if (p.is_pending()) return pollen::pending;
      auto r = std::move(p).value();
      if (!r.ok()) {
        fmt::print(stderr, "accept: {}\n", r.error().message());
        continue;
      }
      (void)r.value().first.set_nodelay(true);
      loop_->spawn("http session", HttpSession(std::move(r.value().first), served_)).detach();
    }
  }

 private:
  pollen::EventLoop* loop_;
  pollen::io::TcpListener* listener_;
  std::shared_ptr<Served> served_;
};

}  // namespace

int main(int argc, char** argv) {
  std::string addr = "127.0.0.1:8080";
  auto served = std::make_shared<Served>();
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--requests") == 0 && i + 1 < argc) {
      served->limit = static_cast<std::size_t>(std::strtoul(argv[++i], nullptr, 10));
    } else {
      addr = argv[i];
    }
  }
  pollen::EventLoop loop;
  pollen::Result<pollen::io::TcpListener> l = pollen::io::TcpListener::bind(loop, addr);
  if (!l.ok()) {
    fmt::print(stderr, "http_hello: cannot listen on {}: {}\n", addr, l.error().message());
    return 1;
  }
  fmt::print("serving http://{}/\n", l.value().local_addr().value().to_string());
  std::fflush(stdout);
  auto server = loop.spawn("http server", HttpServer(loop, l.value(), served));
  if (served->limit == 0) {
    loop.block_on(std::move(server));  // forever
    return 0;
  }
  // Until the limit: then the loop goes, closing the sockets its tasks hold.
  loop.block_on(pollen::poll_fn([&](pollen::Context& cx) -> pollen::Poll<pollen::Unit> {
    if (served->count >= served->limit) return pollen::Unit{};
    served->waiter = cx.waker();
    return pollen::pending;
  }));
  fmt::print("served {} responses\n", served->count);
  return 0;
}
