// test/bench/workloads: the six workloads of docs/performance.md.
//
//   workloads list                       the workloads and their default n
//   workloads sizes                      sizeof of composed futures
//   workloads <workload> [n] [--impl=pollen|handsm]
//
// Each run prints one line (its format: docs/performance.md). Run every
// workload in a fresh process; scripts/dev bench does that three times per
// impl and prints the medians.
#include "common.hpp"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

namespace workloads {

const std::vector<Workload>& all_workloads() {
  static const std::vector<Workload> table = {
      {"spawn_complete", 1000000, handsm_spawn_complete, pollen_spawn_complete},
      {"ping_pong", 1000000, handsm_ping_pong, pollen_ping_pong},
      {"ping_pong_chan", 1000000, handsm_ping_pong_chan, pollen_ping_pong_chan},
      {"ping_pong_chan_bounded", 1000000, handsm_ping_pong_chan_bounded,
       pollen_ping_pong_chan_bounded},
      {"chain_static", 1000000, handsm_chain_static, pollen_chain_static},
      {"chain_dyn", 10000, handsm_chain_dyn, pollen_chain_dyn},
      {"chain_await", 100000, handsm_chain_await, pollen_chain_await},
      {"join_wide", 100000, handsm_join_wide, pollen_join_wide},
      {"timers", 1000000, handsm_timers, pollen_timers},
      {"timers_virtual", 1000000, handsm_timers_virtual, pollen_timers_virtual},
      {"select_loop", 100000000, handsm_select_loop, pollen_select_loop},
      {"buffer_unordered", 1000000, handsm_buffer_unordered, pollen_buffer_unordered},
      {"mutex_contended", 1000000, handsm_mutex_contended, pollen_mutex_contended},
      {"echo_rr", 1000000, handsm_echo_rr, pollen_echo_rr},
  };
  return table;
}

}  // namespace workloads

namespace {
int usage() {
  std::fprintf(stderr,
               "usage: workloads list | sizes | <workload> [n] [--impl=pollen|handsm]\n");
  return 2;
}
}  // namespace

int main(int argc, char** argv) {
  using workloads::all_workloads;
  if (argc < 2) return usage();
  std::string cmd = argv[1];
  if (cmd == "list") {
    for (const auto& w : all_workloads()) {
      std::printf("%s %llu%s\n", w.name, static_cast<unsigned long long>(w.default_n),
                  w.pollen == nullptr ? " (handsm only so far)" : "");
    }
    return 0;
  }
  if (cmd == "sizes") {
    workloads::handsm_sizes();
    workloads::pollen_sizes();
    return 0;
  }
  std::string impl = "pollen";
  std::uint64_t n = 0;
  for (int i = 2; i < argc; ++i) {
    if (std::strncmp(argv[i], "--impl=", 7) == 0) {
      impl = argv[i] + 7;
    } else {
      n = std::strtoull(argv[i], nullptr, 10);
    }
  }
  for (const auto& w : all_workloads()) {
    if (cmd != w.name) continue;
    if (n == 0) n = w.default_n;
    workloads::WorkloadFn fn = impl == "handsm" ? w.handsm : impl == "pollen" ? w.pollen : nullptr;
    if (fn == nullptr) {
      std::fprintf(stderr, "workloads: %s has no impl=%s\n", w.name, impl.c_str());
      return 2;
    }
    fn(n);
    return 0;
  }
  std::fprintf(stderr, "workloads: unknown workload '%s' (see `workloads list`)\n", cmd.c_str());
  return 2;
}
