// test/fuzz/scenario.hpp: one scenario: a virtual-clock EventLoop, a few
// tasks with generated trees, a seeded sequence of driver actions, and the
// model's checks after each of them (see world.hpp for what is checked).
#pragma once

#include "support.hpp"
#include "world.hpp"

#include <string>

namespace fuzz {

// What a run exercised (fuzz_driver --stats): per node kind, how many were
// built, finished with a value, threw, or were destroyed unfinished.
struct Coverage {
  long built[32] = {};
  long value[32] = {};
  long thrown[32] = {};
  long cancelled[32] = {};
  long tasks = 0, tasks_value = 0, tasks_thrown = 0, tasks_cancelled = 0;
  long stalls = 0, loop_destroyed_live = 0, move_faults = 0;
  void add(const Coverage& o);
  std::string to_string() const;
};

struct ScenarioResult {
  Coverage coverage;
  bool ok = true;
  long actions = 0;
  std::string failure;  // the first failure
  std::string report;   // on failure: the trees, the actions, the failure
};

// Runs one scenario whose every choice comes from `src`. Not reentrant: one
// scenario at a time per process.
ScenarioResult run_scenario(const Options& opt, Source src);

// Whether LoopOptions has `schedule_seed` (then every scenario sets it).
bool schedule_seed_supported();

// What the current scenario is doing, for a crash handler: "seed N" (set by
// the caller) and the last action.
void set_crash_context(const std::string& replay);
const char* crash_context() noexcept;
const char* last_action() noexcept;

}  // namespace fuzz
