// The twin of try_join_mixed_errors.cpp: the second error converted with map_err.
#include <pollen/future.hpp>
#include <pollen/pollen.hpp>

#include <string>
#include <system_error>

int main() {
  auto j = pollen::try_join(
      pollen::ready(pollen::Result<int>(pollen::ok(1))),
      pollen::ready(pollen::Result<int, std::string>(pollen::ok(2))).map_err([](std::string) {
        return std::make_error_code(std::errc::invalid_argument);
      }));
  return pollen::block_on(std::move(j)).ok() ? 0 : 1;
}
