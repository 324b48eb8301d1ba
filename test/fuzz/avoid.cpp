// test/fuzz/avoid.cpp: the table of avoid switches.
#include "avoid.hpp"

namespace fuzz {

const std::vector<AvoidSwitch>& avoid_switches() {
  static const std::vector<AvoidSwitch> table = {
      {Avoid::LoopDestroySpawn, "loop-destroy-spawn", true,
       "a future destroyed by ~EventLoop spawns a task (DropHook): the loop's destructor writes into "
       "a freed task block"},
      {Avoid::LoopDestroyAbort, "loop-destroy-abort", true,
       "a future destroyed by ~EventLoop aborts another task (DropHook)"},
      {Avoid::SelfWakeOnDrop, "self-wake-on-drop", true,
       "a task whose future, when destroyed (abort, or after its poll threw), wakes the task "
       "itself (a channel's receiver and a send on it, or a oneshot's receiver and its closed(), in "
       "one task): the task is queued again and finished twice"},
      {Avoid::MovedFromPollFn, "moved-from-poll-fn", true,
       "polling a moved-from poll_fn (it runs the moved-from function instead of raising)"},
      {Avoid::ThrowingMove, "throwing-move", false,
       "every injected move fault (a Val whose move constructor throws)"},
      {Avoid::ThrowingMoveMessage, "throwing-move-message", true,
       "injected move faults in channel messages (a send, the ring's growth, a receive): a bounded "
       "send overflows its wait-slot array, an unbounded channel loses messages as it grows, a "
       "receive loses the message it took"},
      {Avoid::RepollAfterMoveFault, "repoll-after-move-fault", true,
       "re-polling a combinator whose poll threw an injected move fault (join stays Running and "
       "returns Pending, fuse becomes Terminated, join_all raises an internal-sounding error)"},
      {Avoid::ForeignSpawn, "foreign-spawn", true,
       "spawn on the loop from another thread (the task block leaks before the ContractError)"},
      {Avoid::OneshotRepoll, "oneshot-repoll", false,
       "polling a oneshot receiver after try_recv() took its value"},
  };
  return table;
}

bool AvoidSet::parse(const std::string& list, std::string* error) {
  std::size_t start = 0;
  while (start <= list.size()) {
    std::size_t end = list.find(',', start);
    if (end == std::string::npos) end = list.size();
    const std::string name = list.substr(start, end - start);
    start = end + 1;
    if (name.empty() || name == "none") continue;
    if (name == "known") {
      for (const AvoidSwitch& s : avoid_switches()) {
        if (s.known) add(s.bit);
      }
      continue;
    }
    bool found = false;
    for (const AvoidSwitch& s : avoid_switches()) {
      if (name == s.name) {
        add(s.bit);
        found = true;
      }
    }
    if (!found) {
      if (error != nullptr) *error = "unknown avoid switch \"" + name + "\"";
      return false;
    }
  }
  return true;
}

std::string AvoidSet::to_string() const {
  std::string out;
  for (const AvoidSwitch& s : avoid_switches()) {
    if (!has(s.bit)) continue;
    if (!out.empty()) out += ",";
    out += s.name;
  }
  return out;
}

}  // namespace fuzz
