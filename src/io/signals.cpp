// pollen::io::signals: the self-pipe behind the Signals stream (see
// <pollen/io/signals.hpp> for why a self-pipe and not signalfd).
//
// The handler's table: for each signal number, kSlots slots, each 0 (free)
// or the write end of a listening stream's pipe plus one. The handler reads
// it with atomic loads and writes one byte per listener; it counts itself in
// g_in_handler, so that a stream that stops can wait until no handler still
// holds its old fd before it closes it (no write to a recycled fd number).
#include <pollen/core/contract.hpp>
#include <pollen/io/signals.hpp>

#include "../format.hpp"

#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <mutex>
#include <thread>

#include <fcntl.h>
#include <unistd.h>

POLLEN_NAMESPACE_BEGIN
namespace io {

namespace {

constexpr int kMaxSignal = 65;  // numbers 1..64 (Linux's NSIG is 65)
constexpr int kSlots = 64;      // listening streams per signal

std::atomic<int> g_fds[kMaxSignal][kSlots];  // static: zero (free) before main
std::atomic<int> g_in_handler{0};

// Guards the registrations (not the handler, which only reads g_fds).
std::mutex g_mu;
struct sigaction g_saved[kMaxSignal];  // the action before the first listener
int g_listeners[kMaxSignal];

extern "C" void pollen_signal_handler(int signo) {
  const int saved_errno = errno;
  g_in_handler.fetch_add(1);
  if (signo > 0 && signo < kMaxSignal) {
    const unsigned char byte = static_cast<unsigned char>(signo);
    for (int i = 0; i < kSlots; ++i) {
      const int v = g_fds[signo][i].load();
      if (v != 0) {
        ssize_t r = ::write(v - 1, &byte, 1);  // full pipe: merged with the ones unread
        (void)r;
      }
    }
  }
  g_in_handler.fetch_sub(1);
  errno = saved_errno;
}

void check_number(int signo) {
  if (signo <= 0 || signo >= kMaxSignal) {
    detail::contract_violation(detail::format(
        "pollen::io::signals: {} is not a signal number (1..{}); use the SIG* constants of "
        "<csignal>",
        signo, kMaxSignal - 1));
  }
  if (signo == SIGKILL || signo == SIGSTOP) {
    detail::contract_violation(detail::format(
        "pollen::io::signals: signal {} ({}) cannot be caught by any program; listen for "
        "SIGTERM or SIGINT to shut down cleanly",
        signo, signo == SIGKILL ? "SIGKILL" : "SIGSTOP"));
  }
}

// Under g_mu: removes `fd` from the slots of `signo`, and puts the saved
// action back when it was the last listener.
void remove_listener(int signo, int fd) noexcept {
  for (int i = 0; i < kSlots; ++i) {
    if (g_fds[signo][i].load() == fd + 1) {
      g_fds[signo][i].store(0);
      break;
    }
  }
  if (--g_listeners[signo] == 0) ::sigaction(signo, &g_saved[signo], nullptr);
}

}  // namespace

Result<Signals> signals(EventLoop& loop, std::initializer_list<int> numbers) {
  if (numbers.size() == 0) {
    detail::contract_violation(
        "pollen::io::signals(loop, {}) listens for no signal; name at least one, e.g. "
        "{SIGINT, SIGTERM}");
  }
  for (int signo : numbers) check_number(signo);
  int fds[2];
  if (::pipe2(fds, O_NONBLOCK | O_CLOEXEC) != 0) {
    return err(std::error_code(errno, std::system_category()));
  }
  Result<AsyncFd> rd = AsyncFd::adopt(loop, fds[0], Interest::Readable);
  if (!rd.ok()) {
    ::close(fds[0]);
    ::close(fds[1]);
    return err(rd.error());
  }
  Signals s;
  s.read_ = std::move(rd).value();
  s.write_ = fds[1];
  std::lock_guard<std::mutex> lock(g_mu);
  for (int signo : numbers) {
    bool listed = false;
    for (int done : s.numbers_) listed = listed || done == signo;
    if (listed) continue;  // {SIGINT, SIGINT}: one listener
    int slot = -1;
    for (int i = 0; i < kSlots && slot < 0; ++i) {
      if (g_fds[signo][i].load() == 0) slot = i;
    }
    if (slot < 0) {
      detail::contract_violation(detail::format(
          "pollen::io::signals: {} streams already listen for signal {}; share one stream "
          "(for example through a broadcast channel) instead of making one per task",
          kSlots, signo));
    }
    if (g_listeners[signo] == 0) {
      struct sigaction action;
      std::memset(&action, 0, sizeof action);
      action.sa_handler = pollen_signal_handler;
      action.sa_flags = SA_RESTART;
      sigemptyset(&action.sa_mask);
      if (::sigaction(signo, &action, &g_saved[signo]) != 0) {
        const int e = errno;
        return err(std::error_code(e, std::system_category()));  // s's destructor undoes the rest
      }
    }
    ++g_listeners[signo];
    g_fds[signo][slot].store(s.write_ + 1);
    s.numbers_.push_back(signo);
  }
  return ok(std::move(s));
}

Signals::Signals(Signals&& o) noexcept
    : read_(std::move(o.read_)), write_(o.write_), numbers_(std::move(o.numbers_)) {
  o.write_ = -1;
  o.numbers_.clear();
}

Signals& Signals::operator=(Signals&& o) noexcept {
  if (this != &o) {
    stop();
    read_ = std::move(o.read_);
    write_ = o.write_;
    numbers_ = std::move(o.numbers_);
    o.write_ = -1;
    o.numbers_.clear();
  }
  return *this;
}

Signals::~Signals() { stop(); }

void Signals::stop() noexcept {
  if (write_ < 0) return;
  {
    std::lock_guard<std::mutex> lock(g_mu);
    for (int signo : numbers_) remove_listener(signo, write_);
  }
  // A handler that loaded the old slot may still be writing to write_.
  while (g_in_handler.load() != 0) std::this_thread::yield();
  ::close(write_);
  write_ = -1;
  numbers_.clear();
  read_.reset();
}

Poll<Option<int>> Signals::poll_next(Context& cx) {
  if (!read_) return Option<int>(none);
  unsigned char byte = 0;
  Poll<Result<std::size_t>> r = read_.poll_read_io(cx, [&] { return ::read(read_.fd(), &byte, 1); });
  if (r.is_pending()) return pending;
  // Our own pipe, whose write end we hold: a read cannot fail or end.
  POLLEN_ASSERT(r.value().ok() && r.value().value() == 1, "the signal pipe failed or ended");
  return Option<int>(static_cast<int>(byte));
}

void Signals::describe(Describer& d) const {
  std::string list;
  for (int signo : numbers_) {
    if (!list.empty()) list += ", ";
    list += std::to_string(signo);
  }
  d.node("io::Signals", write_ < 0 ? std::string("stopped") : "listening for " + list);
}

}  // namespace io
POLLEN_NAMESPACE_END
