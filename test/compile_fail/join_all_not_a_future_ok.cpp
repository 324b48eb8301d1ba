// The twin of join_all_not_a_future.cpp: a vector of futures.
#include <pollen/future.hpp>
#include <pollen/pollen.hpp>

#include <vector>

int main() {
  std::vector<pollen::Ready<int>> futures;
  for (int i = 1; i <= 3; ++i) futures.push_back(pollen::ready(i));
  auto all = pollen::join_all(std::move(futures));
  return pollen::block_on(std::move(all)).size() == 3 ? 0 : 1;
}
