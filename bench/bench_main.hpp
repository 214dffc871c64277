#pragma once
// A benchmark's command line and run, with xmargin's exit codes: 2 for bad
// usage or input, 1 for a failed run, the run's own code otherwise.
#include <cstdio>
#include <exception>

#include <CLI/CLI.hpp>

#include "xmargin/error.hpp"

namespace xm::bench {

template <typename Run>
int parse_and_run(CLI::App& app, int argc, char** argv, const char* name, Run&& run) {
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    const int code = app.exit(error);
    return code == 0 ? 0 : 2;
  }
  try {
    return run();
  } catch (const xm::InputError& error) {
    std::fprintf(stderr, "%s: %s\n", name, error.what());
    return 2;
  } catch (const std::exception& error) {
    std::fprintf(stderr, "%s: %s\n", name, error.what());
    return 1;
  }
}

}  // namespace xm::bench
