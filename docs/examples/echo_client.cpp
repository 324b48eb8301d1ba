// echo_client: sends lines to an echo server and checks that each comes back.
//
//   echo_client [ADDRESS] [--connections C] [--messages M]
//
// With an ADDRESS it talks to that server (echo_server, say). Without one it
// runs both ends on one event loop: it starts echo_server.hpp's server on
// 127.0.0.1:0 itself, which is how the test suite runs it. C connections
// (default 8) each send M messages (default 100) one at a time and read each
// echo back whole; the exit status says whether every byte came back in
// order.
//
// The client is a hand-written future too:
//
//   Connecting --connected--> Sending --the message written--> Receiving
//   Receiving --the echo read back whole--> Sending (the next message)
//   Receiving --the last echo read back--> Done
//   any state --an error, or the echo differs--> Done (with the error)
#include "echo_server.hpp"

#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace {

class EchoClient {
 public:
  using Output = std::string;  // empty: every echo was right; else what went wrong
  enum class State { Connecting, Sending, Receiving, Done };

  EchoClient(pollen::EventLoop& loop, pollen::io::SocketAddr to, int id, int messages)
      : connect_(pollen::io::TcpStream::connect(loop, to)), id_(id), messages_(messages) {}

  pollen::Poll<std::string> poll(pollen::Context& cx) {
    POLLEN_REQUIRE(state_ != State::Done, "EchoClient polled after it returned Ready");
    for (;;) {
      switch (state_) {
        case State::Connecting: {
          auto p = connect_.poll(cx);
          if (p.is_pending()) return pollen::pending;
          pollen::Result<pollen::io::TcpStream> r = std::move(p).value();
          if (!r.ok()) return fail("connect: " + r.error().message());  // ECONNREFUSED, ...
          stream_ = std::move(r).value();
          (void)stream_.set_nodelay(true);  // small messages: no Nagle delay
          next_message();
          break;
        }
        case State::Sending: {
          auto p = stream_.poll_write(cx, out_.data() + done_, out_.size() - done_);
          if (p.is_pending()) return pollen::pending;
          auto r = std::move(p).value();
          if (!r.ok()) return fail("write: " + r.error().message());
          done_ += r.value();
          if (done_ == out_.size()) {
            in_.assign(out_.size(), '\0');
            done_ = 0;
            state_ = State::Receiving;
          }
          break;
        }
        case State::Receiving: {
          auto p = stream_.poll_read(cx, &in_[done_], in_.size() - done_);
          if (p.is_pending()) return pollen::pending;
          auto r = std::move(p).value();
          if (!r.ok()) return fail("read: " + r.error().message());
          if (r.value() == 0) return fail("the server closed the connection");
          done_ += r.value();
          if (done_ < in_.size()) break;
          if (in_ != out_) return fail("the echo differs: sent \"" + out_ + "\", got \"" + in_ + "\"");
          if (++sent_ == messages_) {
            state_ = State::Done;
            return std::string();
          }
          next_message();
          break;
        }
        case State::Done:
          return std::string();  // not reached: checked above
      }
    }
  }

 private:
  void next_message() {
    out_ = "connection " + std::to_string(id_) + " says hello #" + std::to_string(sent_) + "\n";
    done_ = 0;
    state_ = State::Sending;
  }
  pollen::Poll<std::string> fail(const std::string& what) {
    state_ = State::Done;
    return "connection " + std::to_string(id_) + ": " + what;
  }

  pollen::io::TcpConnect connect_;  // valid in Connecting
  pollen::io::TcpStream stream_;    // valid from Sending on
  int id_;
  int messages_;
  int sent_ = 0;
  std::string out_, in_;
  std::size_t done_ = 0;  // bytes of out_ written (Sending) or of in_ read (Receiving)
  State state_ = State::Connecting;
};

}  // namespace

int main(int argc, char** argv) {
  std::string addr;
  int connections = 8;
  int messages = 100;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--connections") == 0 && i + 1 < argc) {
      connections = std::atoi(argv[++i]);
    } else if (std::strcmp(argv[i], "--messages") == 0 && i + 1 < argc) {
      messages = std::atoi(argv[++i]);
    } else {
      addr = argv[i];
    }
  }
  pollen::EventLoop loop;
  pollen::io::TcpListener own;  // the in-process server's, when no address was given
  pollen::io::SocketAddr to;
  if (addr.empty()) {
    own = pollen::io::TcpListener::bind(loop, "127.0.0.1:0").value();
    to = own.local_addr().value();
    loop.spawn("echo server", echo::EchoServer(loop, own, static_cast<std::size_t>(connections))).detach();
  } else {
    pollen::Result<pollen::io::SocketAddr> a = pollen::io::SocketAddr::parse(addr);
    if (!a.ok()) {
      fmt::print(stderr, "echo_client: {}: {}\n", addr, a.error().message());
      return 2;
    }
    to = a.value();
  }
  std::vector<pollen::JoinHandle<std::string>> clients;
  for (int c = 0; c < connections; ++c) clients.push_back(loop.spawn(EchoClient(loop, to, c, messages)));
  int failed = 0;
  for (auto& h : clients) {
    std::string error = loop.block_on(std::move(h)).value();
    if (!error.empty()) {
      fmt::print(stderr, "{}\n", error);
      ++failed;
    }
  }
  fmt::print("{} connections x {} messages to {}: {} failed\n", connections, messages, to.to_string(), failed);
  return failed == 0 ? 0 : 1;
}
