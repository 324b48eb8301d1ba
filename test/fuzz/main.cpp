// test/fuzz/main.cpp: fuzz_driver, the seeded run modes.
//
//   fuzz_driver                          seeds 1..200 (the meson test)
//   fuzz_driver --seeds N --start-seed S seeds S..S+N-1
//   fuzz_driver --seconds T --start-seed S
//                                        seeds S, S+1, ... for T seconds
//   fuzz_driver --seed N [--verbose]     one seed (replay; --verbose prints
//                                        each action as it runs)
//   fuzz_driver --input FILE             the scenario a libFuzzer input makes
//   --stats            print what the run exercised (nodes per kind, ...)
//   --threads          other threads send on channels, complete leaves and
//                      wake tasks while the loop runs (for TSan)
//   --avoid LIST       keep away from these scenario classes (names, or
//                      "known": every known, unfixed bug); --list-avoid
//                      prints them
//
// On the first failure it prints the failure, the loop's setup, every tree
// and every action, and the command that replays it, and exits 1. A crash
// (sanitizer report, abort, signal) prints the replay command and the last
// action first.
#include "scenario.hpp"
#include "support.hpp"

#include <fmt/format.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <thread>
#include <vector>

#include <unistd.h>

extern "C" void __sanitizer_set_death_callback(void (*callback)(void)) __attribute__((weak));

namespace {

void write_str(const char* s) {
  ssize_t n = ::write(2, s, std::strlen(s));
  (void)n;
}

void print_crash_context() {
  write_str("\nfuzz_driver: crashed while running: ");
  write_str(fuzz::crash_context());
  write_str("\nfuzz_driver: last action: ");
  write_str(fuzz::last_action());
  write_str("\n");
}

void on_signal(int sig) {
  print_crash_context();
  std::signal(sig, SIG_DFL);
  std::raise(sig);
}

std::atomic<long> g_seed_started_ms{0};
long now_ms() {
  return static_cast<long>(std::chrono::duration_cast<std::chrono::milliseconds>(
                               std::chrono::steady_clock::now().time_since_epoch())
                               .count());
}

int usage(const char* why) {
  std::fprintf(
      stderr,
      "fuzz_driver: %s\n"
      "usage: fuzz_driver [--seed N | --seeds N | --seconds T] [--start-seed S] [--threads]\n"
      "                   [--avoid LIST] [--verbose] [--input FILE] [--list-avoid]\n",
      why);
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  fuzz::Options opt;
  std::uint64_t start_seed = 1;
  long seeds = 200;
  double seconds = 0;
  bool one = false;
  std::string input;
  int hang_seconds = 30;
  bool stats = false;
  fuzz::Coverage coverage;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) {
        usage(("missing value after " + a).c_str());
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--seed") {
      start_seed = std::stoull(value());
      one = true;
      seeds = 1;
    } else if (a == "--seeds") {
      seeds = std::stol(value());
    } else if (a == "--start-seed") {
      start_seed = std::stoull(value());
    } else if (a == "--seconds") {
      seconds = std::stod(value());
    } else if (a == "--threads") {
      opt.threads = true;
    } else if (a == "--stats") {
      stats = true;
    } else if (a == "--verbose") {
      opt.verbose = true;
    } else if (a == "--input") {
      input = value();
    } else if (a == "--hang-seconds") {
      hang_seconds = std::stoi(value());
    } else if (a == "--avoid") {
      std::string err;
      if (!opt.avoid.parse(value(), &err)) return usage(err.c_str());
    } else if (a == "--list-avoid") {
      for (const fuzz::AvoidSwitch& s : fuzz::avoid_switches()) {
        std::printf("%-24s %s%s\n", s.name, s.known ? "[known bug] " : "", s.what);
      }
      return 0;
    } else {
      return usage(("unknown argument " + a).c_str());
    }
  }
  std::signal(SIGSEGV, on_signal);
  std::signal(SIGABRT, on_signal);
  std::signal(SIGBUS, on_signal);
  std::signal(SIGFPE, on_signal);
  std::signal(SIGILL, on_signal);
  if (&__sanitizer_set_death_callback != nullptr)
    __sanitizer_set_death_callback(print_crash_context);

  // A scenario that runs for minutes is a hang (a lost wake that blocks
  // block_on, a loop that never stalls): say which one, and stop.
  std::thread watchdog([hang_seconds]() {
    for (;;) {
      std::this_thread::sleep_for(std::chrono::seconds(1));
      const long started = g_seed_started_ms.load();
      if (started > 0 && now_ms() - started > hang_seconds * 1000L) {
        write_str("\nfuzz_driver: a scenario has run for too long (a hang?)\n");
        print_crash_context();
        std::_Exit(3);
      }
    }
  });
  watchdog.detach();

  std::string flags;
  if (opt.threads) flags += " --threads";
  if (!opt.avoid.to_string().empty()) flags += " --avoid " + opt.avoid.to_string();

  if (!input.empty()) {
    std::ifstream f(input, std::ios::binary);
    if (!f) return usage(("cannot read " + input).c_str());
    const std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(f)),
                                          std::istreambuf_iterator<char>());
    const std::string replay = "fuzz_driver --input " + input + flags;
    fuzz::set_crash_context(replay);
    g_seed_started_ms.store(now_ms());
    fuzz::ScenarioResult r =
        fuzz::run_scenario(opt, fuzz::Source::from_bytes(bytes.data(), bytes.size()));
    if (!r.ok) {
      std::fprintf(stderr, "%s\nFAILED: %s\nreplay: %s --verbose\n", r.report.c_str(),
                   r.failure.c_str(), replay.c_str());
      return 1;
    }
    std::printf("fuzz_driver: the input's scenario passed (%ld actions)\n", r.actions);
    return 0;
  }

  const auto t0 = std::chrono::steady_clock::now();
  long ran = 0;
  long actions = 0;
  for (std::uint64_t seed = start_seed;; ++seed) {
    if (seconds > 0) {
      const double el =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      if (el >= seconds) break;
    } else if (ran >= seeds) {
      break;
    }
    const std::string replay = fmt::format("fuzz_driver --seed {}{}", seed, flags);
    fuzz::set_crash_context(replay);
    g_seed_started_ms.store(now_ms());
    fuzz::ScenarioResult r = fuzz::run_scenario(opt, fuzz::Source::from_seed(seed));
    g_seed_started_ms.store(0);
    ++ran;
    actions += r.actions;
    coverage.add(r.coverage);
    if (!r.ok) {
      std::fprintf(stderr,
                   "==== seed %llu failed ====\n%s\nFAILED (seed %llu): %s\nreplay: %s --verbose\n",
                   static_cast<unsigned long long>(seed), r.report.c_str(),
                   static_cast<unsigned long long>(seed), r.failure.c_str(), replay.c_str());
      return 1;
    }
    if (one)
      std::printf("fuzz_driver: seed %llu passed (%ld actions)\n",
                  static_cast<unsigned long long>(seed), r.actions);
  }
  const double el = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (stats) std::printf("%s", coverage.to_string().c_str());
  std::printf(
      "fuzz_driver: %ld seeds (%llu..%llu) passed in %.1f s, %ld actions%s; avoid: %s; schedule "
      "seed: %s\n",
      ran, static_cast<unsigned long long>(start_seed),
      static_cast<unsigned long long>(start_seed + static_cast<std::uint64_t>(ran) - 1), el,
      actions, opt.threads ? ", with threads" : "",
      opt.avoid.to_string().empty() ? "nothing" : opt.avoid.to_string().c_str(),
      fuzz::schedule_seed_supported() ? "on" : "n/a (LoopOptions has no schedule_seed)");
  return 0;
}
