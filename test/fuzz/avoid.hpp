// test/fuzz/avoid.hpp: named switches that keep the generator and the driver
// away from a class of scenarios, so that a known bug does not stop the hunt
// for others (`fuzz_driver --avoid loop-destroy-spawn,...`).
//
// `--avoid known` names every switch of a bug that is known and not fixed
// yet (the `known` column below). When a fix is merged, clear its mark (or
// remove the switch): the runs in `scripts/dev test`, CI and `scripts/dev
// fuzz` all say `--avoid known`.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace fuzz {

enum class Avoid : std::uint32_t {
  LoopDestroySpawn = 1u << 0,
  SelfWakeOnDrop = 1u << 1,
  MovedFromPollFn = 1u << 2,
  ForeignSpawn = 1u << 3,
  ThrowingMove = 1u << 4,
  ThrowingMoveSend = 1u << 5,
  ThrowingMoveRecv = 1u << 6,
  ThrowingMoveDrop = 1u << 7,
  RepollAfterMoveFault = 1u << 8,
};

struct AvoidSwitch {
  Avoid bit;
  const char* name;
  bool known;  // a known bug, not fixed yet: part of `--avoid known`
  const char* what;
};

const std::vector<AvoidSwitch>& avoid_switches();

class AvoidSet {
 public:
  bool has(Avoid a) const noexcept { return (bits_ & static_cast<std::uint32_t>(a)) != 0; }
  void add(Avoid a) noexcept { bits_ |= static_cast<std::uint32_t>(a); }
  // Parses "name,name,..." (or "known", "none"); false on an unknown name.
  bool parse(const std::string& list, std::string* error);
  // "name,name" ("" when empty).
  std::string to_string() const;

 private:
  std::uint32_t bits_ = 0;
};

}  // namespace fuzz
