// `xmargin serve`: the margin service (README "Intraday service",
// docs/service.md). It loads and checks the inputs exactly as `run` does
// (the same errors, exit 2 before it listens), computes every margin and
// components row, then answers HTTP (HTTPS with a certificate) until SIGTERM
// or SIGINT: on 127.0.0.1 by default, elsewhere only with a bearer token; with
// a bounded number of workers and waiting connections, and a deadline per
// request (docs/service.md "Limits").
#include <pthread.h>
#include <signal.h>

#include <atomic>
#include <charconv>
#include <chrono>
#include <fstream>
#include <iostream>
#include <iterator>
#include <thread>

#include "cli/commands.hpp"
#include "cli/flag_values.hpp"
#include "cli/input_options.hpp"
#include "service/http_server.hpp"
#include "service/service_state.hpp"
#include "xmargin/error.hpp"

namespace xm::cli {
namespace {

struct ServeOptions {
  InputOptions inputs;
  BackendFlags backend;
  std::string listen = "127.0.0.1:8080";
  std::string token_file, tls_cert, tls_key;
  std::string journal;
  // Read strictly by serve (whole_in_range); "" is the flag left out.
  // --threads stays the backend's: the CPU threads that evaluate rows.
  std::string workers, queue, deadline;
};

// --workers, --queue and --deadline into the server's options.
void set_limits(const ServeOptions& options, service::ServerOptions& server) {
  if (!options.workers.empty()) {
    server.workers = whole_in_range("--workers", options.workers, 1, service::kMostWorkers);
  }
  if (!options.queue.empty()) {
    server.queue = whole_in_range("--queue", options.queue, 0, service::kMostQueue);
  }
  if (!options.deadline.empty()) {
    server.deadline = std::chrono::seconds(whole_in_range(
        "--deadline", options.deadline, 1,
        static_cast<std::uint64_t>(service::kMostDeadline.count()), "a whole number of seconds"));
  }
}

// The token of --token-file: its text without the line end, at least 16
// characters, so that it cannot be guessed in a few tries.
std::string read_token(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path, 0, 0, "cannot read the token file (--token-file)");
  std::string token((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  while (!token.empty() && (token.back() == '\n' || token.back() == '\r')) token.pop_back();
  if (token.size() < 16 || token.find_first_of(" \t\r\n") != std::string::npos) {
    throw InputError(path, 1, 0,
                     "the bearer token must be one line of at least 16 characters without "
                     "spaces (--token-file)");
  }
  return token;
}

bool is_loopback(const std::string& host) {
  return host == "127.0.0.1" || host == "localhost" || host == "::1";
}

// HOST:PORT; a host other machines reach only with a bearer token.
service::ServerOptions listen_address(const std::string& text, bool with_token) {
  const std::size_t colon = text.rfind(':');
  service::ServerOptions options;
  int port = -1;
  if (colon != std::string::npos) {
    options.host = text.substr(0, colon);
    const char* first = text.data() + colon + 1;
    const char* last = text.data() + text.size();
    const auto [end, error] = std::from_chars(first, last, port);
    if (error != std::errc() || end != last || first == last) port = -1;
  }
  if (port < 0 || port > 65535) {
    throw InputError(
        "--listen must be HOST:PORT with a port from 0 (any free port) to 65535: got '" + text +
        "'");
  }
  if (!is_loopback(options.host) && !with_token) {
    throw InputError("--listen " + text +
                     ": an address other machines reach needs --token-file (a bearer token every "
                     "request must carry); without one the service answers on 127.0.0.1 only");
  }
  options.port = port;
  return options;
}

int serve(const ServeOptions& options) {
  // SIGTERM and SIGINT are blocked before any thread starts (OpenMP's
  // included), so that every thread inherits the mask and only the waiter
  // below takes them: the requests in flight finish, then serve returns 0.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  if (options.tls_cert.empty() != options.tls_key.empty()) {
    throw InputError("--tls-cert and --tls-key go together");
  }
  service::ServerOptions address = listen_address(options.listen, !options.token_file.empty());
  if (!options.token_file.empty()) address.token = read_token(options.token_file);
  address.tls_cert = options.tls_cert;
  address.tls_key = options.tls_key;
  set_limits(options, address);
  const BackendOptions backend_settings = backend_options(options.backend);
  const InputPaths paths = resolve_input_paths(options.inputs);
  if (backend_kind(options.backend.backend) == BackendKind::cuda) {
    // Refuse a cuda that cannot run here as run does, before any work.
    chosen_backend(options.backend.backend, backend_settings);
    std::cerr << "xmargin: note: the service keeps its P&L matrices in host memory and "
                 "evaluates on the CPU (a device-resident matrix is not built yet)\n";
  }
  auto prepared = std::make_shared<const PreparedRun>(prepare_run(paths, terminal_progress()));
  service::MarginService service(service::build_state(prepared, backend_settings.cpu_threads,
                                                      backend_settings.memory_budget_bytes));
  if (!options.journal.empty()) service.open_journal(options.journal, std::cerr);
  service::MarginServer server(service, address);
  const int port = server.bind();

  std::atomic<bool> finished{false};
  std::thread waiter([&] {
    int signal_number = 0;
    sigwait(&signals, &signal_number);
    // A signal may come before the server listens: stop it once it does.
    while (!finished && !server.is_running()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    server.stop();
  });
  const auto state = service.state();
  std::cout << "xmargin: serving " << state->info.accounts << " accounts and " << state->info.groups
            << " groups on " << (address.tls_cert.empty() ? "http" : "https") << "://"
            << address.host << ":" << port << " (state version " << state->version << ")"
            << std::endl;
  server.run();
  finished = true;
  // run() also returns when the server fails: wake a waiter still in sigwait.
  pthread_kill(waiter.native_handle(), SIGTERM);
  waiter.join();
  std::cout << "xmargin: stopped" << std::endl;
  return 0;
}

}  // namespace

void add_serve_command(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<ServeOptions>();
  CLI::App* command = app.add_subcommand(
      "serve", "compute every margin, then serve them over HTTP (docs/service.md)");
  add_input_options(*command, options->inputs);
  add_backend_options(*command, options->backend, true);
  command
      ->add_option("--listen", options->listen,
                   "HOST:PORT to answer on (port 0: any free port); an address other than "
                   "127.0.0.1 or localhost needs --token-file")
      ->capture_default_str();
  command->add_option("--token-file", options->token_file,
                      "a file holding the bearer token every request must carry");
  command->add_option("--tls-cert", options->tls_cert, "PEM certificate: serve HTTPS");
  command->add_option("--tls-key", options->tls_key, "PEM private key of --tls-cert");
  command->add_option("--journal", options->journal,
                      "append every accepted trade batch here (fsync'ed before the answer) and "
                      "replay it after the input files on start");
  command
      ->add_option("--workers", options->workers,
                   "threads answering HTTP connections, 1 to " +
                       std::to_string(service::kMostWorkers) + " (default: max(32, 4 × cores), " +
                       std::to_string(service::default_workers()) +
                       " here); --threads is the CPU threads evaluating rows")
      ->type_name("INT");
  command
      ->add_option("--queue", options->queue,
                   "connections that may wait for a worker, 0 to " +
                       std::to_string(service::kMostQueue) +
                       " (default 64); beyond them the answer is 503 with Retry-After: 1")
      ->type_name("INT");
  command
      ->add_option("--deadline", options->deadline,
                   "seconds a request may spend waiting on its client (to arrive in full, then "
                   "for its answer to be taken), 1 to " +
                       std::to_string(service::kMostDeadline.count()) +
                       " (default 10); a slower client is dropped (408 when an answer can still "
                       "be sent)")
      ->type_name("SECONDS");
  command->callback([command, options, &exit_code] {
    refuse_empty_values(*command);
    exit_code = serve(*options);
  });
}

}  // namespace xm::cli
