// test/fuzz/libfuzzer.cpp: the libFuzzer entry point. The input's bytes make
// every choice of the same generator and driver that fuzz_driver seeds (one
// byte a choice; when they run out, a seed made from their hash goes on).
//
// Environment: POLLEN_FUZZ_AVOID (a list as for fuzz_driver --avoid;
// default "known"), POLLEN_FUZZ_THREADS=1 (cross-thread senders and wakers).
// A failure prints the scenario and aborts, so libFuzzer keeps the input:
// replay it with `fuzz_libfuzzer CRASH_FILE` or `fuzz_driver --input
// CRASH_FILE --verbose`.
#include "scenario.hpp"
#include "support.hpp"

#include <cstdio>
#include <cstdlib>
#include <string>

namespace {
fuzz::Options make_options() {
  fuzz::Options opt;
  const char* avoid = std::getenv("POLLEN_FUZZ_AVOID");
  std::string err;
  if (!opt.avoid.parse(avoid != nullptr ? avoid : "known", &err)) {
    std::fprintf(stderr, "POLLEN_FUZZ_AVOID: %s\n", err.c_str());
    std::abort();
  }
  const char* threads = std::getenv("POLLEN_FUZZ_THREADS");
  opt.threads = threads != nullptr && threads[0] == '1';
  return opt;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const fuzz::Options opt = make_options();
  fuzz::ScenarioResult r = fuzz::run_scenario(opt, fuzz::Source::from_bytes(data, size));
  if (!r.ok) {
    std::fprintf(stderr,
                 "%s\nFAILED: %s\n(replay: fuzz_driver --input <this crash file>%s%s --verbose)\n",
                 r.report.c_str(), r.failure.c_str(),
                 opt.avoid.to_string().empty() ? "" : " --avoid ", opt.avoid.to_string().c_str());
    std::abort();
  }
  return 0;
}
