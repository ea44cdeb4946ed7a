#include <iostream>

#include "app.hpp"

int main(int argc, char** argv) {
  std::ios::sync_with_stdio(false);
  cdcctl::app::IO io{&std::cin, &std::cout, &std::cerr, cdcctl::process_environment(), cdcctl::detect_terminal()};
  const int code = cdcctl::app::run(argc, argv, io);
  std::cout.flush();
  return code;
}
