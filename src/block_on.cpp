// block_on's thread parker and the "inside an executor" flag.
#include <pollen/core/block_on.hpp>
#include <pollen/core/contract.hpp>

#include <fmt/core.h>


POLLEN_NAMESPACE_BEGIN
namespace detail {

void ThreadParker::on_wake() noexcept {
  {
    std::lock_guard<std::mutex> lock(mu_);
    notified_ = true;
  }
  cv_.notify_one();
}

void ThreadParker::park() {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait(lock, [this] { return notified_; });
  notified_ = false;
}

namespace {
thread_local const char* t_current_executor = nullptr;
}

EnterGuard::EnterGuard(const char* what) : previous_(t_current_executor) {
  if (previous_ != nullptr) {
    contract_violation(fmt::format(
        "{} called from inside a poll driven by {} on the same thread; it would block the thread "
        "that drives the outer executor and starve every task on it. Return the future to be "
        "awaited by the caller (or spawn it) instead of blocking on it",
        what, previous_));
  }
  t_current_executor = what;
}

EnterGuard::~EnterGuard() { t_current_executor = previous_; }

const char* EnterGuard::current() noexcept { return t_current_executor; }

}  // namespace detail
POLLEN_NAMESPACE_END
