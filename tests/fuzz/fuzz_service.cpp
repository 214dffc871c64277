// libFuzzer target for the margin service's request handlers (tools/fuzz.sh):
// no request may crash the server or leave a partial change.
//
// The first byte of the input picks the handler and the book, the rest is the
// request body:
//   bit 0: 0 = POST /v1/whatif (read_what_if + evaluate_what_if),
//          1 = POST /v1/trades (read_trades + MarginService::apply_trades);
//   bit 1: 0 = the small book of tests/support with accounts.csv (a trade on an
//              unknown account is a 404),
//          1 = the same book without accounts.csv (a trade on an unknown account
//              opens it, the path that inserts accounts and renumbers positions);
//   bit 2: 1 = PUT /v1/market (read_market_change + MarginService::update_market)
//          whatever bit 0 says;
// the other bits are ignored (tools/fuzz.sh's seeds start with '0' to '7').
//
// A handler may refuse a request only with a RequestError or an xm::RunError,
// which http_server.cpp answers with a 4xx status. Any other exception, a
// crash, a leak or a sanitizer report is a finding. So is a change that is not
// all or nothing: a refused batch must leave the service's state (pointer and
// version) as it was, an accepted one must make version + 1 the current state,
// and a what-if must change nothing. The service is reset to its first state
// every kResetEvery inputs, or once its book has grown past kMostPositions
// positions or kMostVersions versions, so that millions of accepted batches
// do not grow it without bound.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <memory>
#include <string>
#include <vector>

#include "service/book_changes.hpp"
#include "service/margin_service.hpp"
#include "service/request_error.hpp"
#include "service/request_json.hpp"
#include "service/service_state.hpp"
#include "support/test_support.hpp"
#include "xmargin/error.hpp"
#include "xmargin/pipeline.hpp"

namespace {

using xm::service::MarginService;
using xm::service::RequestError;
using xm::service::ServiceState;

constexpr std::uint64_t kResetEvery = 1000;
constexpr std::uint64_t kMostVersions = 64;
constexpr std::size_t kMostPositions = 20'000;

[[noreturn]] void finding(const std::string& what) {
  std::fprintf(stderr, "fuzz_service: %s\n", what.c_str());
  std::fflush(stderr);
  std::abort();
}

// One book and the service over it: the first state is kept, to reset to.
struct Served {
  std::shared_ptr<const ServiceState> first;
  std::unique_ptr<MarginService> service;
  std::uint64_t inputs = 0;

  explicit Served(const xm::InputPaths& paths)
      : first(xm::service::build_state(
            std::make_shared<const xm::PreparedRun>(xm::prepare_run(paths)), 1,
            std::size_t{1} << 30)),
        service(std::make_unique<MarginService>(first)) {}

  MarginService& next() {
    const std::shared_ptr<const ServiceState> now = service->state();
    if (++inputs % kResetEvery == 0 || now->version - first->version >= kMostVersions ||
        now->book.positions.size() > kMostPositions) {
      service = std::make_unique<MarginService>(first);
    }
    return *service;
  }
};

// The service reads its input files once, when it prepares the run: the
// folder goes once both states are built.
struct Books {
  std::unique_ptr<Served> with_accounts, without_accounts;

  Books() {
    const xm::test::TempDir dir;
    xm::test::write_small_book(dir);
    xm::InputPaths paths = xm::test::small_book_paths(dir);
    with_accounts = std::make_unique<Served>(paths);
    paths.accounts.clear();
    without_accounts = std::make_unique<Served>(paths);
  }
};

Books& books() {
  static Books* const made = new Books;  // never freed: alive until the fuzzer exits
  return *made;
}

const bool kVerbose = std::getenv("XM_FUZZ_VERBOSE") != nullptr;

void say(const char* what, const std::string& detail) {
  if (kVerbose) std::fprintf(stderr, "fuzz_service: %s: %s\n", what, detail.c_str());
}

// The book's invariants that positions_of and find_account rely on: accounts
// sorted by id without repeats, positions sorted by account then instrument,
// one margin row for each account.
void check_book(const ServiceState& state) {
  const xm::Book& book = state.book;
  for (std::size_t a = 1; a < book.accounts.size(); ++a) {
    if (!(book.accounts[a - 1].id < book.accounts[a].id)) finding("accounts not sorted by id");
  }
  for (std::size_t p = 0; p < book.positions.size(); ++p) {
    const xm::Position& position = book.positions[p];
    if (position.account >= book.accounts.size() ||
        position.instrument >= book.instruments.size()) {
      finding("a position out of the book");
    }
    if (p > 0) {
      const xm::Position& before = book.positions[p - 1];
      if (before.account > position.account ||
          (before.account == position.account && before.instrument >= position.instrument)) {
        finding("positions not sorted by account and instrument");
      }
    }
  }
  if (state.account_row.size() != book.accounts.size()) finding("an account without its row");
}

void what_if(MarginService& service, const std::string& body) {
  const std::shared_ptr<const ServiceState> before = service.state();
  const std::uint64_t version = before->version;
  try {
    const auto answer = xm::service::evaluate_what_if(
        *before, xm::service::read_what_if(body, before->book.market));
    // What the handler reads to answer.
    if (answer.group_before.has_value() != answer.group_after.has_value()) {
      finding("a what-if with a group row before or after only");
    }
    say("what-if", answer.account_after.margin.id);
  } catch (const RequestError& error) {
    say("what-if refused",
        std::to_string(error.status()) + " " + error.pointer() + ": " + error.what());
  } catch (const xm::RunError& error) {
    say("what-if refused", std::string("422 ") + error.what());
  }
  if (service.state() != before || before->version != version)
    finding("a what-if changed the state");
}

void trades(MarginService& service, const std::string& body) {
  const std::shared_ptr<const ServiceState> before = service.state();
  const std::uint64_t version = before->version;
  try {
    const xm::service::TradeOutcome outcome = service.apply_trades(xm::service::read_trades(body));
    const std::shared_ptr<const ServiceState> now = service.state();
    if (now != outcome.state || now->version != version + 1) {
      finding("an accepted batch is not version + 1");
    }
    // What the handler reads to answer.
    for (const std::string& id : outcome.accounts) (void)now->account_row.at(id);
    for (const std::string& id : outcome.groups) (void)now->group_row.at(id);
    check_book(*now);
    say("trades", "version " + std::to_string(now->version));
    return;
  } catch (const RequestError& error) {
    say("trades refused",
        std::to_string(error.status()) + " " + error.pointer() + ": " + error.what());
  } catch (const xm::RunError& error) {
    say("trades refused", std::string("422 ") + error.what());
  }
  if (service.state() != before || before->version != version) {
    finding("a refused batch changed the state");
  }
}

void market(MarginService& service, const std::string& body) {
  const std::shared_ptr<const ServiceState> before = service.state();
  const std::uint64_t version = before->version;
  try {
    const std::shared_ptr<const ServiceState> now =
        service.update_market(xm::service::read_market_change(body));
    if (service.state() != now || now->version != version + 1) {
      finding("an accepted market change is not version + 1");
    }
    check_book(*now);
    say("market", "version " + std::to_string(now->version));
    return;
  } catch (const RequestError& error) {
    say("market refused",
        std::to_string(error.status()) + " " + error.pointer() + ": " + error.what());
  } catch (const xm::RunError& error) {
    say("market refused", std::string("422 ") + error.what());
  }
  if (service.state() != before || before->version != version) {
    finding("a refused market change changed the state");
  }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  books();  // built once, outside the leak check of the first input
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::uint8_t pick = data[0];
  const std::string body(reinterpret_cast<const char*>(data) + 1, size - 1);
  Books& all = books();
  Served& served = (pick & 2) == 0 ? *all.with_accounts : *all.without_accounts;
  try {
    MarginService& service = served.next();
    if ((pick & 4) != 0) {
      market(service, body);
    } else if ((pick & 1) == 0) {
      what_if(service, body);
    } else {
      trades(service, body);
    }
  } catch (const std::exception& error) {
    finding(std::string("a handler threw neither a RequestError nor a RunError: ") + error.what());
  }
  return 0;
}
