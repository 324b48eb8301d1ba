// block_on's thread parker and the "inside an executor" flag.
#include <pollen/core/block_on.hpp>
#include <pollen/core/contract.hpp>

#include "format.hpp"

#include <condition_variable>
#include <mutex>
#include <string>

POLLEN_NAMESPACE_BEGIN
namespace detail {

void CountingParker::on_wake() noexcept {
  wakes_.fetch_add(1, std::memory_order_relaxed);
  unpark_.wake();
}

namespace {
// A wake sets `notified_` and signals; park() waits for it and clears it. A
// wake before park() leaves it set, so park() returns at once.
class MutexParker final : public ThreadParker {
 public:
  void on_wake() noexcept override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      notified_ = true;
    }
    cv_.notify_one();
  }
  void wait() {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [this] { return notified_; });
    notified_ = false;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool notified_ = false;  // guarded by mu_
};
}  // namespace

ThreadParker::~ThreadParker() = default;

ArcPtr<ThreadParker> ThreadParker::make() { return ArcPtr<ThreadParker>(new MutexParker()); }

void ThreadParker::park() { static_cast<MutexParker*>(this)->wait(); }

namespace {
thread_local const char* t_current_executor = nullptr;
thread_local std::uint64_t t_current_loop_id = 0;

std::string label(const char* what, std::uint64_t loop_id) {
  if (loop_id == 0) return what;
  return detail::format("{} of event loop #{}", what, loop_id);
}

[[noreturn]] void nested_call(const char* what, std::uint64_t loop_id) {
  const char* relation = "";
  if (loop_id != 0 && t_current_loop_id != 0) {
    relation = loop_id == t_current_loop_id ? " (the same event loop)" : " (another event loop)";
  }
  contract_violation(detail::format(
      "{} called from inside a poll driven by {}{} on the same thread; it would block the thread "
      "that drives the outer executor and starve every task on it. Return the future to be "
      "awaited by the caller (or spawn it) instead of blocking on it",
      label(what, loop_id), label(t_current_executor, t_current_loop_id), relation));
}
}  // namespace

EnterGuard::EnterGuard(const char* what, std::uint64_t loop_id)
    : previous_(t_current_executor), previous_loop_id_(t_current_loop_id) {
  if (previous_ != nullptr) nested_call(what, loop_id);
  t_current_executor = what;
  t_current_loop_id = loop_id;
}

EnterGuard::~EnterGuard() {
  t_current_executor = previous_;
  t_current_loop_id = previous_loop_id_;
}

void EnterGuard::check(const char* what, std::uint64_t loop_id) {
  if (t_current_executor != nullptr) nested_call(what, loop_id);
}

const char* EnterGuard::current() noexcept { return t_current_executor; }

std::uint64_t EnterGuard::current_loop_id() noexcept { return t_current_loop_id; }

}  // namespace detail
POLLEN_NAMESPACE_END
