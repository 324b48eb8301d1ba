// The kernel waits behind detail::Poller: eventfd + epoll on Linux, a pipe +
// poll(2) everywhere else. Both keep one rule: fd() is readable from
// signal() until clear(), and wait() returns early when it is readable.
#include <pollen/core/contract.hpp>
#include <pollen/runtime/poller.hpp>

#include <fmt/core.h>

#include <cerrno>
#include <climits>
#include <cstdint>
#include <cstring>

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#if defined(__linux__)
#include <sys/epoll.h>
#include <sys/eventfd.h>
#define POLLEN_HAVE_EPOLL 1
#else
#define POLLEN_HAVE_EPOLL 0
#endif

POLLEN_NAMESPACE_BEGIN
namespace detail {

namespace {

[[noreturn]] void os_failure(const char* call) {
  contract_violation(fmt::format("the event loop could not set up its kernel wait: {} failed: {}",
                                 call, std::strerror(errno)));
}

#if POLLEN_HAVE_EPOLL
class EpollPoller final : public Poller {
 public:
  EpollPoller() {
    event_fd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (event_fd_ < 0) os_failure("eventfd()");
    epoll_fd_ = ::epoll_create1(EPOLL_CLOEXEC);
    if (epoll_fd_ < 0) {
      ::close(event_fd_);
      os_failure("epoll_create1()");
    }
    struct epoll_event ev;
    std::memset(&ev, 0, sizeof ev);
    ev.events = EPOLLIN;
    ev.data.fd = event_fd_;
    if (::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, event_fd_, &ev) != 0) {
      ::close(event_fd_);
      ::close(epoll_fd_);
      os_failure("epoll_ctl()");
    }
  }
  ~EpollPoller() override {
    ::close(epoll_fd_);
    ::close(event_fd_);
  }
  int fd() const noexcept override { return epoll_fd_; }
  void signal() noexcept override {
    std::uint64_t one = 1;
    ssize_t r;
    do {
      r = ::write(event_fd_, &one, sizeof one);
    } while (r < 0 && errno == EINTR);
  }
  void clear() noexcept override {
    std::uint64_t value;
    ssize_t r;
    do {
      r = ::read(event_fd_, &value, sizeof value);
    } while (r < 0 && errno == EINTR);
  }
  void wait(int timeout_ms) noexcept override {
    struct epoll_event events[4];
    int r;
    do {
      r = ::epoll_wait(epoll_fd_, events, 4, timeout_ms);
    } while (r < 0 && errno == EINTR);
  }
  const char* name() const noexcept override { return "epoll"; }

 private:
  int event_fd_ = -1;
  int epoll_fd_ = -1;
};
#endif

class PollPoller final : public Poller {
 public:
  PollPoller() {
    if (::pipe(fds_) != 0) os_failure("pipe()");
    for (int fd : fds_) {
      ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
      ::fcntl(fd, F_SETFD, ::fcntl(fd, F_GETFD) | FD_CLOEXEC);
    }
  }
  ~PollPoller() override {
    ::close(fds_[0]);
    ::close(fds_[1]);
  }
  int fd() const noexcept override { return fds_[0]; }
  void signal() noexcept override {
    char byte = 1;
    ssize_t r;
    do {
      r = ::write(fds_[1], &byte, 1);  // EAGAIN: the pipe is full, so readable anyway
    } while (r < 0 && errno == EINTR);
  }
  void clear() noexcept override {
    char buf[64];
    for (;;) {
      ssize_t r = ::read(fds_[0], buf, sizeof buf);
      if (r < 0 && errno == EINTR) continue;
      if (r < static_cast<ssize_t>(sizeof buf)) return;
    }
  }
  void wait(int timeout_ms) noexcept override {
    struct pollfd p;
    p.fd = fds_[0];
    p.events = POLLIN;
    p.revents = 0;
    int r;
    do {
      r = ::poll(&p, 1, timeout_ms);
    } while (r < 0 && errno == EINTR);
  }
  const char* name() const noexcept override { return "poll"; }

 private:
  int fds_[2] = {-1, -1};
};

}  // namespace

std::unique_ptr<Poller> Poller::create(PollerKind kind) {
  switch (kind) {
    case PollerKind::Default:
#if POLLEN_HAVE_EPOLL
      return std::unique_ptr<Poller>(new EpollPoller());
#else
      return std::unique_ptr<Poller>(new PollPoller());
#endif
    case PollerKind::Epoll:
#if POLLEN_HAVE_EPOLL
      return std::unique_ptr<Poller>(new EpollPoller());
#else
      contract_violation(
          "PollerKind::Epoll asked for on a system without epoll; use PollerKind::Default "
          "(poll(2) there)");
#endif
    case PollerKind::Poll:
      return std::unique_ptr<Poller>(new PollPoller());
  }
  return std::unique_ptr<Poller>(new PollPoller());
}

int poll_timeout_ms(Option<std::chrono::nanoseconds> timeout) noexcept {
  if (!timeout.has_value()) return -1;
  const std::int64_t ns = timeout->count();
  if (ns <= 0) return 0;
  // Round up without overflow: ns / 1e6, plus one when there is a remainder.
  const std::int64_t ms = ns / 1000000 + (ns % 1000000 != 0 ? 1 : 0);
  return ms > INT_MAX ? INT_MAX : static_cast<int>(ms);
}

}  // namespace detail
POLLEN_NAMESPACE_END
