// The twin of select_not_a_future.cpp: every argument is a future.
#include <pollen/future.hpp>
#include <pollen/pollen.hpp>

int main() {
  auto s = pollen::select(pollen::ready(1), pollen::ready(42));
  return static_cast<int>(pollen::block_on(std::move(s)).index()) < 2 ? 0 : 1;
}
