// test/fuzz/generate.hpp: the seeded generator of combinator trees.
#pragma once

#include "support.hpp"
#include "world.hpp"

namespace fuzz {

// Adds a task (not spawned yet) to the world with a generated tree, and
// returns its index. Its name is `prefix` + its index ("t3"; "h5" for a
// task that a DropHook spawns, whose tree is small).
int reserve_task(World& w, Source& src, const char* prefix);

}  // namespace fuzz
