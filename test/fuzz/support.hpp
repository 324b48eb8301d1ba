// test/fuzz/support.hpp: what every part of the fuzzer shares.
//
// * Source: where every random choice comes from: a seed (splitmix64), or
//   the bytes of a libFuzzer input (then a seed derived from them once the
//   bytes run out), so the same generator serves both run modes.
// * Val: the value that flows through the generated futures. Move-only,
//   counted, and it knows when it was moved from: a result or a message that
//   is a moved-from shell is a failure, and so is an object destroyed twice
//   or never (the counters must be back at zero after every scenario).
// * Tracked: the same counting for everything else the scenario creates
//   (function objects, leaf futures, the fuzzer's own futures): put one in
//   as a member.
// * fail(): records a failure (the first message is kept) without stopping
//   the program; the scenario checks failed() after each action and stops.
#pragma once

#include <pollen/config.hpp>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace fuzz {

// ---- failures ------------------------------------------------------------

// Records a failure (thread-safe). The first message is the one reported.
void fail(const std::string& message);
bool failed() noexcept;
std::string first_failure();
std::size_t failure_count() noexcept;
void reset_failures();

// ---- the source of choices -------------------------------------------------

class Source {
 public:
  static Source from_seed(std::uint64_t seed);
  // libFuzzer: the bytes decide, one per choice; once they run out, a
  // splitmix64 seeded with their hash goes on (short inputs still make
  // whole scenarios).
  static Source from_bytes(const std::uint8_t* data, std::size_t size);

  std::uint64_t next64();
  // A number in [0, n), n >= 1.
  std::uint32_t below(std::uint32_t n);
  // True with probability percent/100.
  bool chance(std::uint32_t percent) { return below(100) < percent; }
  // An index into `weights`, chosen with probability weight/sum (a zero
  // weight is never chosen; at least one weight must be positive).
  std::size_t weighted(const std::vector<std::uint32_t>& weights);

 private:
  std::uint64_t state_ = 0;
  const std::uint8_t* bytes_ = nullptr;
  std::size_t left_ = 0;
};

// splitmix64's mixing step, also used for the values the model computes.
std::uint64_t mix64(std::uint64_t x) noexcept;
// How a combinator combines two values (map's function, join's fold, ...).
inline std::uint64_t combine(std::uint64_t acc, std::uint64_t v) noexcept {
  return mix64(acc ^ (v + 0x9e3779b97f4a7c15ULL));
}

// ---- counted objects -------------------------------------------------------

struct Counters {
  std::atomic<long> vals_alive{0};     // Val objects constructed and not destroyed
  std::atomic<long> tracked_alive{0};  // Tracked objects constructed and not destroyed
};
Counters& counters() noexcept;

// Called when a live instance of a channel message appears (+1: made, or
// copied) or goes away (-1: destroyed, or assigned over); a moved-from shell
// does not count. The scenario sets it: its token ledger follows every message.
using TokenHook = void (*)(std::uint32_t token, int delta);
void set_token_hook(TokenHook hook) noexcept;

// Fault injection for moves: when armed, the n-th Val move from now throws
// MoveFault (exception builds only). Only the scenario's thread arms it.
void arm_move_fault(long nth) noexcept;
void disarm_move_fault() noexcept;
long move_faults_thrown() noexcept;
// No move fault fires while one of these lives (the fuzzer's own work inside
// destructors: a DropHook building the task it spawns).
class FaultPause {
 public:
  FaultPause() noexcept;
  ~FaultPause();
  FaultPause(const FaultPause&) = delete;
  FaultPause& operator=(const FaultPause&) = delete;

 private:
  long saved_;
};

const std::uint32_t kAliveMagic = 0x7a11feedu;
const std::uint32_t kDeadMagic = 0xdeadbeefu;

// An object that must be destroyed exactly once.
class Tracked {
 public:
  Tracked() noexcept { counters().tracked_alive.fetch_add(1, std::memory_order_relaxed); }
  Tracked(const Tracked&) noexcept : Tracked() {}
  Tracked(Tracked&&) noexcept : Tracked() {}
  Tracked& operator=(const Tracked&) noexcept { return *this; }
  Tracked& operator=(Tracked&&) noexcept { return *this; }
  ~Tracked();

 private:
  std::uint32_t magic_ = kAliveMagic;
};

// The thrown type of an injected move fault.
struct MoveFault {
  long nth;
};

// The value of the generated futures: a 64-bit number, and for a channel
// message the message's token (0: not a message). Copyable (a channel may
// copy where a move could throw) and counted either way; its move
// constructor is not noexcept, so that move faults can be injected.
class Val {
 public:
  explicit Val(std::uint64_t v, std::uint32_t token = 0);
  Val(Val&& o);  // may throw MoveFault when armed (the source is then untouched)
  Val& operator=(Val&& o);
  Val(const Val& o);
  Val& operator=(const Val& o);
  ~Val();

  // The number; a failure when this Val is a moved-from shell.
  std::uint64_t get(const char* where) const;
  bool live() const noexcept { return live_ && magic_ == kAliveMagic; }
  std::uint32_t token() const noexcept { return token_; }

 private:
  std::uint32_t magic_ = kAliveMagic;
  bool live_ = true;
  std::uint64_t v_;
  std::uint32_t token_;
};

// What a controlled leaf throws.
struct LeafError {
  std::uint64_t code;
};

}  // namespace fuzz
