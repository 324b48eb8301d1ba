// test/fuzz/avoid.cpp: the table of avoid switches.
#include "avoid.hpp"

namespace fuzz {

const std::vector<AvoidSwitch>& avoid_switches() {
  static const std::vector<AvoidSwitch> table = {
      {Avoid::LoopDestroySpawn, "loop-destroy-spawn", false,
       "a future destroyed by ~EventLoop spawns a task (DropHook): the loop's destructor writes "
       "into "
       "a freed task block"},
      {Avoid::SelfWakeOnDrop, "self-wake-on-drop", false,
       "a task whose future, when destroyed (abort, or after its poll threw), wakes the task "
       "itself (a channel's receiver and a send on it, or a oneshot's receiver and its closed(), "
       "in "
       "one task): the task is queued again and finished twice"},
      {Avoid::MovedFromPollFn, "moved-from-poll-fn", false,
       "polling a moved-from poll_fn (it runs the moved-from function instead of raising)"},
      {Avoid::ThrowingMove, "throwing-move", false,
       "every injected move fault (a Val whose move constructor throws)"},
      {Avoid::ThrowingMoveSend, "throwing-move-send", false,
       "an injected move fault in a send: a bounded Send that was granted a slot and whose value "
       "throws while it is pushed stays Waiting without a slot, and its destructor cancels wait "
       "slot SIZE_MAX (out of bounds)"},
      {Avoid::ThrowingMoveRecv, "throwing-move-recv", false,
       "an injected move fault in a receive: Receiver::poll_next has taken the message out of the "
       "channel when moving it into its result throws, and the message is destroyed"},
      {Avoid::ThrowingMoveDrop, "throwing-move-drop", false,
       "an injected move fault while a oneshot receiver holding an unreceived value is destroyed: "
       "its destructor moves the value out and the exception ends the program (std::terminate)"},
      {Avoid::RepollAfterMoveFault, "repoll-after-move-fault", false,
       "re-polling a combinator whose poll threw an injected move fault (join stays Running and "
       "returns Pending, fuse becomes Terminated, join_all raises an internal-sounding error)"},
      {Avoid::ForeignSpawn, "foreign-spawn", false,
       "spawn on the loop from another thread (the task block leaks before the ContractError)"},
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
