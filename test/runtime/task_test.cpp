#include <pollen/core/ready.hpp>
#include <pollen/runtime/event_loop.hpp>
#include <pollen/runtime/task.hpp>

#include "alloc_counter.hpp"
#include "runtime_support.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>

TEST(Task, TheHeaderStaysSmall) {
  // What every task costs beyond its future (x86-64: 112 bytes with
  // exceptions, 104 without). Grows only on purpose.
  EXPECT_LE(sizeof(pollen::detail::TaskHeader), 112u);
  RecordProperty("sizeof_task_header", static_cast<int>(sizeof(pollen::detail::TaskHeader)));
}

TEST(Task, TheBlockIsTheHeaderPlusTheLargerOfFutureAndOutput) {
  using Small = pollen::detail::Task<pollen::Ready<std::uint64_t>>;
  EXPECT_LE(sizeof(Small), sizeof(pollen::detail::TaskHeader) + 16u);
}

TEST(Task, OneAllocationHoldsHeaderFutureAndName) {
  pollen::EventLoop loop;
  std::string name = "a name long enough to defeat the small string buffer";
  auto g = rt::gate();
  pollen::test::AllocCounter allocs;
  auto h = loop.spawn(name, std::move(g.second));
  EXPECT_EQ(allocs.allocations(), 1u);
  name.assign("changed");  // the task keeps its own copy
  EXPECT_EQ(loop.dump_tasks()[0].name, "a name long enough to defeat the small string buffer");
}

TEST(Task, TheBlockIsFreedWhenTheLastReferenceGoes) {
  pollen::test::AllocCounter allocs;
  {
    pollen::EventLoop loop;
    allocs.reset();
    auto h = loop.spawn(pollen::ready(1));
    loop.run();
    EXPECT_EQ(allocs.deallocations(), 0u);  // the handle holds it
  }
  EXPECT_GE(allocs.deallocations(), 1u);
}
