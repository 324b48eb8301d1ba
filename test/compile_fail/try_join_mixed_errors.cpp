// Must not compile: try_join() of futures with two different error types.
#include <pollen/future.hpp>
#include <pollen/pollen.hpp>

#include <string>

int main() {
  auto j = pollen::try_join(pollen::ready(pollen::Result<int>(pollen::ok(1))),
                            pollen::ready(pollen::Result<int, std::string>(pollen::ok(2))));
  return pollen::block_on(std::move(j)).ok() ? 0 : 1;
}
