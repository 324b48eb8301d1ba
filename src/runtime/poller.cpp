// The kernel waits behind detail::Poller: eventfd + epoll on Linux, a pipe +
// poll(2) everywhere else. Both keep one rule: fd() is readable from
// signal() until clear(), and wait() returns early when it is readable.
// Both report the readiness of pollen::io's registrations in two steps (see
// io_registration.hpp): mark the whole batch, then wake.
#include <pollen/core/contract.hpp>
#include <pollen/runtime/poller.hpp>

#include "io_registration.hpp"

#include "../format.hpp"

#include <cerrno>
#include <climits>
#include <cstdint>
#include <cstring>
#include <vector>

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
  contract_violation(detail::format("the event loop could not set up its kernel wait: {} failed: {}",
                                 call, std::strerror(errno)));
}

// Wakes the wakers a batch of reports took, and empties the list (its room
// is kept: two per registration, reserved by add()).
void wake_all(std::vector<Waker>& woken) noexcept {
  for (Waker& w : woken) static_cast<Waker&&>(w).wake();
  woken.clear();
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
    ev.data.ptr = nullptr;  // the registrations carry their own pointer
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
    // More ready fds than room: the rest stay in the kernel's ready list
    // and come with the next wait (edge-triggered reports are not lost).
    struct epoll_event events[64];
    int r;
    do {
      r = ::epoll_wait(epoll_fd_, events, 64, timeout_ms);
    } while (r < 0 && errno == EINTR);
    if (r <= 0 || registered_ == 0) return;
    for (int i = 0; i < r; ++i) {
      IoRegistration* reg = static_cast<IoRegistration*>(events[i].data.ptr);
      if (reg == nullptr) continue;  // the eventfd
      const std::uint32_t e = events[i].events;
      std::uint8_t bits = 0;
      std::uint8_t closing = 0;
      if ((e & (EPOLLIN | EPOLLPRI)) != 0) bits |= IoRegistration::kReadable;
      if ((e & EPOLLOUT) != 0) bits |= IoRegistration::kWritable;
      if ((e & EPOLLRDHUP) != 0) closing |= IoRegistration::kReadable;
      if ((e & (EPOLLHUP | EPOLLERR)) != 0) {
        closing |= IoRegistration::kReadable | IoRegistration::kWritable;
      }
      reg->mark(bits, closing, woken_);
    }
    wake_all(woken_);
  }
  const char* name() const noexcept override { return "epoll"; }

  int add(IoRegistration* r) override {
    woken_.reserve(2 * (registered_ + 1));
    struct epoll_event ev;
    std::memset(&ev, 0, sizeof ev);
    ev.events = EPOLLET | EPOLLRDHUP;
    if ((r->interest & IoRegistration::kReadable) != 0) ev.events |= EPOLLIN;
    if ((r->interest & IoRegistration::kWritable) != 0) ev.events |= EPOLLOUT;
    ev.data.ptr = r;
    if (::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, r->fd, &ev) != 0) return errno;
    ++registered_;
    return 0;
  }
  void remove(IoRegistration* r) noexcept override {
    struct epoll_event ev;  // ignored, but kernels before 2.6.9 wanted one
    std::memset(&ev, 0, sizeof ev);
    (void)::epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, r->fd, &ev);
    --registered_;
  }

 private:
  int event_fd_ = -1;
  int epoll_fd_ = -1;
  std::size_t registered_ = 0;
  std::vector<Waker> woken_;
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
    // Slot 0 is the pipe; slot i + 1 is regs_[i], asking for the directions
    // it watches that are not known ready (none: fd -1, which poll skips).
    set_[0].fd = fds_[0];
    set_[0].events = POLLIN;
    set_[0].revents = 0;
    for (std::size_t i = 0; i < regs_.size(); ++i) {
      const IoRegistration* reg = regs_[i];
      const std::uint8_t want =
          static_cast<std::uint8_t>(reg->interest & ~(reg->ready | reg->closed));
      int events = 0;
      if ((want & IoRegistration::kReadable) != 0) events |= POLLIN;
      if ((want & IoRegistration::kWritable) != 0) events |= POLLOUT;
      set_[i + 1].fd = events != 0 ? reg->fd : -1;
      set_[i + 1].events = static_cast<short>(events);
      set_[i + 1].revents = 0;
    }
    int r;
    do {
      r = ::poll(set_.data(), static_cast<nfds_t>(regs_.size() + 1), timeout_ms);
    } while (r < 0 && errno == EINTR);
    if (r <= 0) return;
    for (std::size_t i = 0; i < regs_.size(); ++i) {
      const int e = set_[i + 1].revents;
      if (e == 0) continue;
      std::uint8_t bits = 0;
      if ((e & (POLLIN | POLLPRI)) != 0) bits |= IoRegistration::kReadable;
      if ((e & POLLOUT) != 0) bits |= IoRegistration::kWritable;
      // A hangup, an error or a closed fd: both directions, for good, so
      // that the next syscall reports it.
      std::uint8_t closing = 0;
      if ((e & (POLLHUP | POLLERR | POLLNVAL)) != 0) {
        closing = IoRegistration::kReadable | IoRegistration::kWritable;
      }
      regs_[i]->mark(bits, closing, woken_);
    }
    wake_all(woken_);
  }
  const char* name() const noexcept override { return "poll"; }

  int add(IoRegistration* r) override {
    woken_.reserve(2 * (regs_.size() + 1));
    set_.resize(regs_.size() + 2);
    r->poll_index = regs_.size();
    regs_.push_back(r);
    return 0;
  }
  void remove(IoRegistration* r) noexcept override {
    IoRegistration* last = regs_.back();
    regs_[r->poll_index] = last;
    last->poll_index = r->poll_index;
    regs_.pop_back();
  }

 private:
  int fds_[2] = {-1, -1};
  std::vector<IoRegistration*> regs_;
  std::vector<struct pollfd> set_ = std::vector<struct pollfd>(1);
  std::vector<Waker> woken_;
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
