// xmargin: initial margin per account by full revaluation under scenarios.
// Exit codes (SPEC §1): 0 success, 1 run or validation failed, 2 bad input or usage.
#include <iostream>
#include <new>

#include "cli/allocation.hpp"
#include "cli/commands.hpp"
#include "xmargin/error.hpp"
#include "xmargin/pipeline.hpp"

int main(int argc, char** argv) {
  CLI::App app{"xmargin — scenario margin engine (CPU reference and CUDA backends)", "xmargin"};
  app.set_version_flag("--version", XM_VERSION);
  app.require_subcommand(1);
  int exit_code = 0;
  xm::cli::add_run_command(app, exit_code);
  xm::cli::add_validate_command(app, exit_code);
  xm::cli::add_scenarios_command(app, exit_code);
  xm::cli::add_serve_command(app, exit_code);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& help) {
    return app.exit(help);
  } catch (const CLI::CallForAllHelp& help) {
    return app.exit(help);
  } catch (const CLI::CallForVersion& version) {
    return app.exit(version);
  } catch (const CLI::ParseError& error) {
    app.exit(error);
    return 2;
  } catch (const xm::InputError& error) {
    std::cerr << "xmargin: error: " << error.what() << "\n";
    return 2;
  } catch (const std::bad_alloc&) {
    // Nothing is written: the outputs are renamed into place only at the end.
    std::cerr << "xmargin: error: out of memory in stage '" << xm::current_stage() << "'";
    if (const std::size_t bytes = xm::cli::failed_allocation_bytes()) {
      std::cerr << " (an allocation of " << bytes << " bytes failed)";
    }
    std::cerr << "; nothing was written\n";
    return 1;
  } catch (const std::exception& error) {
    std::cerr << "xmargin: error: " << error.what() << "\n";
    return 1;
  }
  return exit_code;
}
