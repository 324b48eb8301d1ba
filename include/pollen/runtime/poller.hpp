// pollen/runtime/poller.hpp: the kernel wait of the event loop, behind a
// small interface so that the loop does not care how it sleeps.
//
// A Poller is a file descriptor that becomes readable when the loop has
// work, plus a way to sleep on it with a timeout:
//   * signal(): makes fd() readable. Any thread; what a cross-thread wake
//     calls to wake a sleeping loop.
//   * clear(): makes it unreadable again (the loop's thread).
//   * wait(timeout_ms): sleeps until fd() is readable or the timeout passes
//     (-1: no timeout, 0: just look).
// Two implementations: PollerKind::Epoll (Linux: an eventfd registered in an
// epoll set; fd() is the epoll descriptor, so the file descriptors of
// pollen::io registered with it make it readable too) and PollerKind::Poll
// (any Unix: a non-blocking pipe and poll(2); fd() is the pipe's read end).
//
// I/O. add() / remove() put a registered file descriptor (pollen::io) in
// the wait set; wait() then also reports their readiness: it marks each
// ready registration and wakes its waiting tasks before it returns. Epoll
// registers edge-triggered; poll(2) asks, at each wait, only for the
// directions not already known ready (level-triggered, so nothing spins).
#pragma once

#include <pollen/config.hpp>
#include <pollen/core/option.hpp>

#include <chrono>
#include <memory>

POLLEN_NAMESPACE_BEGIN

enum class PollerKind {
  Default,  // Epoll on Linux, Poll elsewhere
  Epoll,
  Poll,
};

namespace detail {

struct IoRegistration;

class Poller {
 public:
  Poller() = default;
  Poller(const Poller&) = delete;
  Poller& operator=(const Poller&) = delete;
  virtual ~Poller() = default;

  virtual int fd() const noexcept = 0;
  virtual void signal() noexcept = 0;
  virtual void clear() noexcept = 0;
  // Sleeps as above, and reports the readiness of the registered fds.
  virtual void wait(int timeout_ms) noexcept = 0;
  virtual const char* name() const noexcept = 0;

  // Watches r->fd for r->interest; 0 or the errno of the failure.
  virtual int add(IoRegistration* r) = 0;
  // Stops watching r->fd (before it is closed).
  virtual void remove(IoRegistration* r) noexcept = 0;

  // The poller of that kind; Epoll where it does not exist is a ContractError.
  static std::unique_ptr<Poller> create(PollerKind kind);
};

// A timeout for wait(): none gives -1 (sleep until signalled); zero or
// negative gives 0; otherwise whole milliseconds rounded UP (a 0.2 ms
// deadline must not turn into a busy loop of 0 ms waits), at most INT_MAX.
int poll_timeout_ms(Option<std::chrono::nanoseconds> timeout) noexcept;

}  // namespace detail
POLLEN_NAMESPACE_END
