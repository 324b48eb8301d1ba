// The non-template half of JoinHandle (<pollen/runtime/join_handle.hpp>).
//
// Every operation first checks that it runs on the thread of the task's loop
// (the task's thread token never changes after spawn, so reading it is not a
// race): a ContractError (poll, abort, describe) or a message and abort()
// (the noexcept ones), with nothing changed. The handle shares the task's
// owner reference with the loop (state bits kHandle and kLive, see
// event_loop.cpp): whichever lets go last releases it.
#include <pollen/core/contract.hpp>
#include <pollen/runtime/join_handle.hpp>

#include "loop_core.hpp"

#include <cstdlib>

POLLEN_NAMESPACE_BEGIN
namespace detail {

namespace {
inline void check_handle_thread(const TaskHeader* t, const char* what) {
  if (POLLEN_UNLIKELY(task_thread_token(t) != t_thread_token)) report_handle_wrong_thread(t, what);
}
inline void check_handle_thread_noexcept(const TaskHeader* t, const char* what,
                                         const char* done) noexcept {
  if (POLLEN_UNLIKELY(task_thread_token(t) != t_thread_token)) {
    report_handle_wrong_thread_noexcept(t, what, done);
  }
}
}  // namespace

JoinPoll join_poll(TaskHeader* t, Context& cx) {
  check_handle_thread(t, "JoinHandle::poll");
  TaskState s(t->state);
  if (s.is_complete()) {
#if POLLEN_HAS_EXCEPTIONS
    if (s.is_failed()) return JoinPoll::Failed;
#endif
    if (s.is_cancelled()) return JoinPoll::Cancelled;
    POLLEN_ASSERT(t->stage == TaskStage::Output, "a finished task's output was taken twice");
    return JoinPoll::Output;
  }
  // Unfinished: its loop lives, and keeps the handle's waker in its table.
  HandleWakers& table = task_shared(t)->core->handle_wakers;
  switch (s.transition_to_join_waiting()) {
    case TaskState::JoinWaker::Registered: {
      Waker* w = table.find(t);
      if (!w->will_wake(cx.waker())) *w = cx.waker();
      break;
    }
    case TaskState::JoinWaker::Absent:
      table.insert(t, cx.waker());  // may throw: the bit is set only after
      t->state = s.bits();
      break;
  }
  return JoinPoll::Pending;
}

void join_rethrow(TaskHeader* t) {
#if POLLEN_HAS_EXCEPTIONS
  TaskState s(t->state);
  s.mark_error_observed();
  t->state = s.bits();
  std::rethrow_exception(take_task_error(t));
#else
  (void)t;
  POLLEN_ASSERT(false, "a task failed in a build without exceptions");
  std::abort();
#endif
}

void join_release(TaskHeader* t) noexcept {
  check_handle_thread_noexcept(t, "JoinHandle of", "dropped or detached");
  TaskState s(t->state);
  const TaskState::HandleDrop d = s.transition_to_handle_dropped();
  const bool join_waker = s.take_join_waker();
  t->state = s.bits();
  if (join_waker) (void)task_shared(t)->core->handle_wakers.take(t);  // dropped here
  if (s.is_complete()) drop_task_result(t);
  if (d == TaskState::HandleDrop::DropResult) task_release(t);
}

void join_abort(TaskHeader* t) {
  check_handle_thread(t, "JoinHandle::abort");
  TaskState s(t->state);
  const TaskState::Abort a = s.transition_to_abort_requested();
  t->state = s.bits();
  if (a == TaskState::Abort::Schedule) task_shared(t)->core->schedule(t);
}

bool task_finished(const TaskHeader* t) noexcept {
  check_handle_thread_noexcept(t, "JoinHandle::is_finished of", "called");
  return TaskState(t->state).is_complete();
}

std::string join_describe(const TaskHeader* t) {
  check_handle_thread(t, "JoinHandle::describe");
  return describe_task_for_handle(t);
}

}  // namespace detail
POLLEN_NAMESPACE_END
