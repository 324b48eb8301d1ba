// The loop's half of pollen::io: the list of registrations, and keeping one
// fd on one loop. The poller (poller.cpp) does the waiting and the marking;
// src/io/async_fd.cpp is the AsyncFd's half.
#include "loop_core.hpp"

#include <cstdint>
#include <mutex>
#include <unordered_map>

POLLEN_NAMESPACE_BEGIN
namespace detail {

namespace {
// Which loop each registered fd is on, process-wide: registering one fd
// with two loops would deliver its events to both (two owners, one fd).
std::mutex g_fds_mu;
std::unordered_map<int, std::uint64_t>& registered_fds() {
  static std::unordered_map<int, std::uint64_t>* fds = new std::unordered_map<int, std::uint64_t>();
  return *fds;  // never destroyed: AsyncFds may outlive static destruction
}
}  // namespace

// -1 when `fd` was free and is now this loop's; otherwise the id of the
// loop that has it.
std::int64_t claim_fd(int fd, std::uint64_t loop_id) {
  std::lock_guard<std::mutex> lock(g_fds_mu);
  auto inserted = registered_fds().emplace(fd, loop_id);
  if (inserted.second) return -1;
  return static_cast<std::int64_t>(inserted.first->second);
}

void unclaim_fd(int fd) noexcept {
  std::lock_guard<std::mutex> lock(g_fds_mu);
  registered_fds().erase(fd);
}

int LoopCore::io_attach(IoRegistration* r) {
  const int e = poller->add(r);
  if (e != 0) return e;
  r->core = this;
  r->loop_id = id;
  r->prev = nullptr;
  r->next = io_head;
  if (io_head != nullptr) io_head->prev = r;
  io_head = r;
  ++io_count;
  return 0;
}

void LoopCore::io_detach(IoRegistration* r) noexcept {
  poller->remove(r);
  if (r->prev != nullptr) r->prev->next = r->next;
  else io_head = r->next;
  if (r->next != nullptr) r->next->prev = r->prev;
  r->prev = r->next = nullptr;
  r->core = nullptr;
  --io_count;
}

void LoopCore::io_orphan_all() noexcept {
  while (io_head != nullptr) {
    IoRegistration* r = io_head;
    io_detach(r);
    // The wakers point into the loop's tasks: drop them with the loop.
    r->reader = Waker();
    r->writer = Waker();
  }
}

}  // namespace detail
POLLEN_NAMESPACE_END
