// Must not compile: join_all() of a vector of values, not of futures.
#include <pollen/future.hpp>
#include <pollen/pollen.hpp>

#include <vector>

int main() {
  std::vector<int> values{1, 2, 3};
  auto all = pollen::join_all(std::move(values));
  return pollen::block_on(std::move(all)).size() == 3 ? 0 : 1;
}
