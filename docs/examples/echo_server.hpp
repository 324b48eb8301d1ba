// An echo server as two hand-written futures, shared by echo_server.cpp (a
// server program) and echo_client.cpp (which runs both ends on one loop when
// given no address). docs/net.md walks through them.
//
//   EchoSession: one connection.
//
//     Reading --bytes arrived--> Writing --all written back--> Reading
//     Reading --end of stream or an error--> Done
//     Writing --an error--> Done
//
//   EchoServer: the listener; spawns an EchoSession per connection.
//
//     Accepting --a connection: spawn its session--> Accepting
//     Accepting --`max` connections taken (when max != 0)--> Done
#pragma once

#include <pollen/io/net.hpp>
#include <pollen/pollen.hpp>
#include <pollen/runtime.hpp>

#include <fmt/core.h>

#include <cstddef>
#include <string>
#include <utility>

namespace echo {

class EchoSession {
 public:
  using Output = pollen::Unit;
  enum class State { Reading, Writing, Done };

  explicit EchoSession(pollen::io::TcpStream s) : stream_(std::move(s)) {}

  pollen::Poll<pollen::Unit> poll(pollen::Context& cx) {
    POLLEN_REQUIRE(state_ != State::Done, "EchoSession polled after it returned Ready");
    for (;;) {
      switch (state_) {
        case State::Reading: {
          // poll_read: one read(2) when the socket is readable; Pending
          // (our waker stored with the loop) when it is not.
          auto p = stream_.poll_read(cx, buf_, sizeof buf_);
          if (p.is_pending()) return pollen::pending;
          pollen::Result<std::size_t> r = std::move(p).value();
          if (!r.ok() || r.value() == 0) return finish();  // an error, or the peer is done
          len_ = r.value();
          sent_ = 0;
          state_ = State::Writing;
          break;
        }
        case State::Writing: {
          auto p = stream_.poll_write(cx, buf_ + sent_, len_ - sent_);
          if (p.is_pending()) return pollen::pending;  // the peer is slow: wait, buffer nothing more
          pollen::Result<std::size_t> r = std::move(p).value();
          if (!r.ok()) return finish();
          sent_ += r.value();
          if (sent_ == len_) state_ = State::Reading;
          break;
        }
        case State::Done:
          return pollen::Unit{};  // not reached: checked above
      }
    }
  }

  void describe(pollen::Describer& d) const {
    d.node("EchoSession(fd " + std::to_string(stream_.fd()) + ")",
           state_ == State::Reading   ? "state: Reading"
           : state_ == State::Writing ? "state: Writing, " + std::to_string(sent_) + " of " +
                                            std::to_string(len_) + " bytes back"
                                      : "state: Done");
  }

 private:
  pollen::Poll<pollen::Unit> finish() {
    state_ = State::Done;
    stream_ = pollen::io::TcpStream();  // close now, not when the task is freed
    return pollen::Unit{};
  }

  pollen::io::TcpStream stream_;
  State state_ = State::Reading;
  char buf_[4096];
  std::size_t len_ = 0;   // bytes in buf_ (Writing)
  std::size_t sent_ = 0;  // of them, written back (Writing)
};

class EchoServer {
 public:
  using Output = std::size_t;  // connections accepted
  enum class State { Accepting, Done };

  // Serves `listener` on `loop`; max == 0: without end.
  EchoServer(pollen::EventLoop& loop, pollen::io::TcpListener& listener, std::size_t max)
      : loop_(&loop), listener_(&listener), max_(max) {}

  pollen::Poll<std::size_t> poll(pollen::Context& cx) {
    while (max_ == 0 || accepted_ < max_) {
      auto p = listener_->poll_accept(cx);
      if (p.is_pending()) return pollen::pending;
      auto r = std::move(p).value();
      if (!r.ok()) {  // EMFILE, ECONNABORTED, ...: report, go on
        fmt::print(stderr, "accept: {}\n", r.error().message());
        continue;
      }
      ++accepted_;
      // Each connection is a task of its own; dropping the JoinHandle would
      // detach it too, detach() says so.
      loop_->spawn("echo session", EchoSession(std::move(r.value().first))).detach();
    }
    state_ = State::Done;
    return accepted_;
  }

  void describe(pollen::Describer& d) const {
    d.node("EchoServer(fd " + std::to_string(listener_->fd()) + ")",
           (state_ == State::Accepting ? "state: Accepting, " : "state: Done, ") +
               std::to_string(accepted_) + " accepted");
  }

 private:
  pollen::EventLoop* loop_;
  pollen::io::TcpListener* listener_;  // borrowed: outlives the server
  std::size_t max_;
  std::size_t accepted_ = 0;
  State state_ = State::Accepting;
};

}  // namespace echo
