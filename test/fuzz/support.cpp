// test/fuzz/support.cpp: failures, the source of choices, counted objects.
#include "support.hpp"

#include <mutex>

namespace fuzz {

// ---- failures ------------------------------------------------------------

namespace {
std::mutex g_fail_mu;
std::string g_first_failure;
std::atomic<std::size_t> g_failures{0};
}  // namespace

void fail(const std::string& message) {
  std::lock_guard<std::mutex> lock(g_fail_mu);
  if (g_failures.fetch_add(1) == 0) g_first_failure = message;
}
bool failed() noexcept { return g_failures.load() != 0; }
std::string first_failure() {
  std::lock_guard<std::mutex> lock(g_fail_mu);
  return g_first_failure;
}
std::size_t failure_count() noexcept { return g_failures.load(); }
void reset_failures() {
  std::lock_guard<std::mutex> lock(g_fail_mu);
  g_failures.store(0);
  g_first_failure.clear();
}

// ---- the source of choices -------------------------------------------------

std::uint64_t mix64(std::uint64_t x) noexcept {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

Source Source::from_seed(std::uint64_t seed) {
  Source s;
  s.state_ = seed;
  return s;
}

Source Source::from_bytes(const std::uint8_t* data, std::size_t size) {
  Source s;
  std::uint64_t h = 0x6a09e667f3bcc908ULL ^ size;
  for (std::size_t i = 0; i < size; ++i) h = mix64(h ^ data[i]);
  s.state_ = h;
  s.bytes_ = data;
  s.left_ = size;
  return s;
}

std::uint64_t Source::next64() {
  state_ += 0x9e3779b97f4a7c15ULL;
  return mix64(state_);
}

std::uint32_t Source::below(std::uint32_t n) {
  if (n <= 1) return 0;
  if (left_ != 0) {
    // One byte per choice (two for choices wider than a byte).
    std::uint32_t b = *bytes_++;
    --left_;
    if (n > 256 && left_ != 0) {
      b = (b << 8) | *bytes_++;
      --left_;
    }
    return b % n;
  }
  return static_cast<std::uint32_t>(next64() % n);
}

std::size_t Source::weighted(const std::vector<std::uint32_t>& weights) {
  std::uint32_t total = 0;
  for (std::uint32_t w : weights) total += w;
  std::uint32_t r = below(total);
  for (std::size_t i = 0; i < weights.size(); ++i) {
    if (r < weights[i]) return i;
    r -= weights[i];
  }
  return weights.size() - 1;
}

// ---- counted objects -------------------------------------------------------

Counters& counters() noexcept {
  static Counters c;
  return c;
}

namespace {
TokenHook g_token_hook = nullptr;
// Armed: the move that brings it to zero throws. Scenario thread only (other
// threads' moves never throw: arm_move_fault is used in single-threaded
// scenarios).
std::atomic<long> g_move_fault_countdown{0};
std::atomic<long> g_move_faults_thrown{0};

void token_event(std::uint32_t token, int delta) {
  if (token != 0 && g_token_hook != nullptr) g_token_hook(token, delta);
}
}  // namespace

void set_token_hook(TokenHook hook) noexcept { g_token_hook = hook; }
void arm_move_fault(long nth) noexcept { g_move_fault_countdown.store(nth); }
void disarm_move_fault() noexcept { g_move_fault_countdown.store(0); }
long move_faults_thrown() noexcept { return g_move_faults_thrown.load(); }
FaultPause::FaultPause() noexcept : saved_(g_move_fault_countdown.exchange(0)) {}
FaultPause::~FaultPause() { g_move_fault_countdown.store(saved_); }

Tracked::~Tracked() {
  if (magic_ != kAliveMagic) {
    fail("an object (function object, leaf or fuzzer future) was destroyed twice");
    return;
  }
  magic_ = kDeadMagic;
  counters().tracked_alive.fetch_sub(1, std::memory_order_relaxed);
}

Val::Val(std::uint64_t v, std::uint32_t token) : v_(v), token_(token) {
  counters().vals_alive.fetch_add(1, std::memory_order_relaxed);
  token_event(token_, +1);
}

Val::Val(Val&& o) : v_(o.v_), token_(o.token_) {
#if POLLEN_HAS_EXCEPTIONS
  if (g_move_fault_countdown.load(std::memory_order_relaxed) > 0 &&
      g_move_fault_countdown.fetch_sub(1, std::memory_order_relaxed) == 1) {
    long n = g_move_faults_thrown.fetch_add(1) + 1;
    magic_ = kDeadMagic;  // never constructed: the destructor will not run
    throw MoveFault{n};
  }
#endif
  if (o.magic_ != kAliveMagic) fail("a Val was moved from after it was destroyed");
  live_ = o.live_;
  o.live_ = false;
  counters().vals_alive.fetch_add(1, std::memory_order_relaxed);
}

Val::Val(const Val& o) : v_(o.v_), token_(o.token_) {
  if (o.magic_ != kAliveMagic) fail("a Val was copied after it was destroyed");
  live_ = o.live_;
  counters().vals_alive.fetch_add(1, std::memory_order_relaxed);
  if (live_) token_event(token_, +1);
}

Val& Val::operator=(Val&& o) {
  if (this == &o) return *this;
  if (live_) token_event(token_, -1);
  v_ = o.v_;
  token_ = o.token_;
  live_ = o.live_;
  o.live_ = false;
  return *this;
}

Val& Val::operator=(const Val& o) {
  if (this == &o) return *this;
  if (live_) token_event(token_, -1);
  v_ = o.v_;
  token_ = o.token_;
  live_ = o.live_;
  if (live_) token_event(token_, +1);
  return *this;
}

Val::~Val() {
  if (magic_ != kAliveMagic) {
    fail("a Val was destroyed twice");
    return;
  }
  magic_ = kDeadMagic;
  counters().vals_alive.fetch_sub(1, std::memory_order_relaxed);
  if (live_) token_event(token_, -1);
}

std::uint64_t Val::get(const char* where) const {
  if (magic_ != kAliveMagic) {
    fail(std::string("a destroyed Val was read (") + where + ")");
    return 0;
  }
  if (!live_) {
    fail(std::string("a moved-from Val was delivered as a result (") + where + ")");
    return 0;
  }
  return v_;
}

}  // namespace fuzz
