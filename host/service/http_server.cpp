#include "service/http_server.hpp"

#include <httplib.h>
#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include <charconv>
#include <chrono>
#include <ctime>

#include "service/bounded_pool.hpp"
#include "service/guarded_server.hpp"
#include "service/request_error.hpp"
#include "service/request_json.hpp"
#include "stopwatch.hpp"
#include "xmargin/error.hpp"

namespace xm::service {
namespace {

// A margins.csv row and its components.csv row by column name, with the worst
// scenario's source and label.
Json row_json(const MarginRow& row, const ComponentRow& components, const ServiceState& state) {
  Json json = {{"level", row.level == RowLevel::account ? "account" : "group"},
               {"id", row.id},
               {"margin", row.margin},
               {"var", row.var},
               {"es", row.es},
               {"worst_loss", row.worst_loss},
               {"worst_scenario", row.worst_scenario},
               {"isolated_margin", row.isolated_margin},
               {"offset_benefit", row.offset_benefit},
               {"collateral", row.collateral},
               {"excess", row.excess},
               {"positions", row.positions}};
  const ScenarioSet& scenarios = state.resident->prepared().scenarios;
  if (row.worst_scenario >= 0 && static_cast<std::size_t>(row.worst_scenario) < scenarios.count()) {
    json["worst_scenario_source"] = scenarios.source[static_cast<std::size_t>(row.worst_scenario)];
    json["worst_scenario_label"] = scenarios.label[static_cast<std::size_t>(row.worst_scenario)];
  }
  Json values = Json::object();
  for (std::size_t k = 0; k < kComponentCount; ++k) {
    if (state.info.components[k]) {
      values[component_name(static_cast<Component>(k))] = components.values.value[k];
    }
  }
  json["components"] = std::move(values);
  return json;
}

Json row_json(const ServiceState& state, std::size_t r) {
  return row_json(state.rows()[r], state.components()[r], state);
}

// after − before of every number of a row (not the worst scenario's index).
Json change_json(const Json& before, const Json& after) {
  Json change = Json::object();
  for (const auto& [key, value] : after.items()) {
    if (key == "components") {
      change[key] = change_json(before.at(key), value);
    } else if (value.is_number_integer() && key != "worst_scenario") {
      change[key] = value.get<std::int64_t>() - before.at(key).get<std::int64_t>();
    } else if (value.is_number() && key != "worst_scenario") {
      change[key] = value.get<double>() - before.at(key).get<double>();
    }
  }
  return change;
}

Json pair_json(const RowPair& before, const RowPair& after, const ServiceState& state) {
  const Json b = row_json(before.margin, before.components, state);
  const Json a = row_json(after.margin, after.components, state);
  return Json{{"before", b}, {"after", a}, {"change", change_json(b, a)}};
}

std::string iso_utc(std::chrono::system_clock::time_point when) {
  const std::time_t seconds = std::chrono::system_clock::to_time_t(when);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text;
}

void reply_json(httplib::Response& response, int status, const Json& body) {
  response.status = status;
  response.set_content(body.dump() + "\n", "application/json");
}

void reply_error(httplib::Response& response, int status, const std::string& message,
                 const std::string& pointer = {}) {
  Json body{{"error", message}};
  if (!pointer.empty()) body["pointer"] = pointer;
  reply_json(response, status, body);
}

// Runs a handler that may refuse the request: a RequestError answers its
// status and pointer; a change the journal could not write, 500; another
// RunError (a P&L that is not finite), 422.
template <typename Handler>
void refusing(httplib::Response& response, Handler&& handler) {
  try {
    handler();
  } catch (const RequestError& error) {
    reply_error(response, error.status(), error.what(), error.pointer());
  } catch (const JournalError& error) {
    reply_error(response, 500, std::string(error.what()) + "; the change was not applied");
  } catch (const RunError& error) {
    reply_error(response, 422, error.what());
  }
}

// Equal in time independent of where the texts differ, so that the answer
// does not tell how much of a guessed token was right.
bool same_secret(const std::string& given, const std::string& secret) {
  unsigned char difference = given.size() == secret.size() ? 0 : 1;
  for (std::size_t i = 0; i < given.size(); ++i) {
    difference |= static_cast<unsigned char>(given[i] ^ secret[i % secret.size()]);
  }
  return difference == 0;
}

// A connection only answered 503 needs no more than a second to send its
// request line and headers.
// A request's line and headers may take 64 KiB beside the body.
ConnectionLimits connection_limits(const ServerOptions& options) {
  return {options.deadline, std::min(options.deadline, std::chrono::seconds(1)),
          options.max_body_bytes + (std::size_t{64} << 10)};
}

// The request's body, read through cpp-httplib's content reader so that a
// chunked body is held to the limit as one with Content-Length is (the
// reader refuses the latter before reading it). 0 when it is read, else the
// status to answer: 413 over the limit, 400 when it could not be read.
int read_body(const httplib::Request& request, const httplib::ContentReader& reader,
              std::size_t limit, std::string& body) {
  bool within = true;
  const bool read = reader([&](const char* data, std::size_t size) {
    within = body.size() + size <= limit;
    if (within) body.append(data, size);
    return within;
  });
  const std::string length = request.get_header_value("Content-Length");
  std::size_t declared = 0;
  const auto [end, error] = std::from_chars(length.data(), length.data() + length.size(), declared);
  const bool too_long =
      error == std::errc::result_out_of_range ||
      (error == std::errc() && end == length.data() + length.size() && declared > limit);
  if (!within || (!read && too_long)) return 413;
  return read ? 0 : 400;
}

// A plain server, or an HTTPS one from the certificate and key files (an
// InputError naming them when they cannot be used).
std::unique_ptr<httplib::Server> make_http(const ServerOptions& options, ConnectionEvents events) {
  auto http = make_guarded_server(options.tls_cert, options.tls_key, connection_limits(options),
                                  std::move(events));
  if (!http->is_valid()) {
    throw InputError("--tls-cert " + options.tls_cert + " and --tls-key " + options.tls_key +
                     ": not a PEM certificate and its private key");
  }
  return http;
}

}  // namespace

struct MarginServer::Impl {
  // The events only come once the server listens, after every member is made.
  explicit Impl(const ServerOptions& options)
      : http_owner(make_http(
            options, ConnectionEvents{[this] { shed(); }, [this] { error("deadline", 408); }})) {}
  std::unique_ptr<httplib::Server> http_owner;
  httplib::Server& http = *http_owner;
  std::shared_ptr<prometheus::Registry> registry = std::make_shared<prometheus::Registry>();
  prometheus::Family<prometheus::Counter>& requests =
      prometheus::BuildCounter()
          .Name("xmargin_requests_total")
          .Help("HTTP requests answered, by endpoint and status")
          .Register(*registry);
  prometheus::Family<prometheus::Counter>& errors =
      prometheus::BuildCounter()
          .Name("xmargin_errors_total")
          .Help(
              "requests refused (4xx), shed (503: busy), past their deadline (the client too "
              "slow; 408 when an answer could still be sent) or failed (other 5xx), by kind "
              "and status")
          .Register(*registry);
  prometheus::Family<prometheus::Histogram>& latency =
      prometheus::BuildHistogram()
          .Name("xmargin_request_seconds")
          .Help("time to answer a request, by endpoint")
          .Register(*registry);
  prometheus::Family<prometheus::Gauge>& book =
      prometheus::BuildGauge()
          .Name("xmargin_book_size")
          .Help("the resident book: accounts, groups, instruments, positions, scenarios")
          .Register(*registry);
  prometheus::Gauge& version = prometheus::BuildGauge()
                                   .Name("xmargin_state_version")
                                   .Help("the version of the state new requests read")
                                   .Register(*registry)
                                   .Add({});
  prometheus::Gauge& revaluation = prometheus::BuildGauge()
                                       .Name("xmargin_revaluation_seconds")
                                       .Help("time of the last full revaluation")
                                       .Register(*registry)
                                       .Add({});

  // From 10 µs to 1 s: a what-if aims at under 1 ms.
  const prometheus::Histogram::BucketBoundaries latency_buckets{1e-5,   1e-4, 2.5e-4, 5e-4, 1e-3,
                                                                2.5e-3, 1e-2, 0.1,    1.0};

  void observe(const std::string& endpoint, int status, double seconds) {
    requests.Add({{"endpoint", endpoint}, {"status", std::to_string(status)}}).Increment();
    latency.Add({{"endpoint", endpoint}}, latency_buckets).Observe(seconds);
  }

  void error(const char* kind, int status) {
    errors.Add({{"kind", kind}, {"status", std::to_string(status)}}).Increment();
  }

  // A connection answered 503 on the accepting thread: no request was read.
  void shed() {
    observe("shed", 503, 0.0);
    error("shed", 503);
  }

  void publish(const ServiceState& state) {
    version.Set(static_cast<double>(state.version));
    revaluation.Set(state.revaluation_seconds);
    const std::pair<const char*, std::size_t> sizes[] = {{"accounts", state.info.accounts},
                                                         {"groups", state.info.groups},
                                                         {"instruments", state.info.instruments},
                                                         {"positions", state.info.positions},
                                                         {"scenarios", state.info.scenario_count}};
    for (const auto& [what, count] : sizes) {
      book.Add({{"what", what}}).Set(static_cast<double>(count));
    }
  }
};

MarginServer::MarginServer(MarginService& service, const ServerOptions& options)
    : service_(service), options_(options), impl_(std::make_unique<Impl>(options)) {
  impl_->publish(*service_.state());
  httplib::Server& http = impl_->http;
  http.set_payload_max_length(options_.max_body_bytes);
  // cpp-httplib's bounds on each read and each write; the guarded server
  // bounds their sum by the same deadline (guarded_server.hpp).
  const auto deadline = static_cast<time_t>(options_.deadline.count());
  http.set_read_timeout(deadline);
  http.set_write_timeout(deadline);
  http.set_keep_alive_timeout(std::min<time_t>(5, deadline));
  // A kept-alive connection gives its worker up when another connection
  // waits for one (guarded_server.cpp), so it may serve many requests:
  // cpp-httplib's default of 5 made every fifth what-if open a new connection.
  http.set_keep_alive_max_count(1000);
  // cpp-httplib writes an answer's headers and its body in two sends. With
  // Nagle's algorithm the body then waits for the client's delayed ACK of the
  // headers, about 40 ms on a kept-alive connection. Accepted sockets inherit
  // the option from the listening one.
  http.set_tcp_nodelay(true);
  http.new_task_queue = [workers = options_.workers, queue = options_.queue,
                         shed = options_.shed_queue] {
    return new BoundedPool(workers, queue, shed);
  };
  // Shedding comes before the token: a busy answer costs nothing and tells
  // nothing, and a connection refused on the accepting thread is answered
  // 503 without its request (and token) being read at all, so both busy
  // answers are alike.
  http.set_pre_routing_handler(
      [this](const httplib::Request& request, httplib::Response& response) {
        if (BoundedPool::admission() == Admission::shed) {
          // The guarded server makes it the connection's last answer, with
          // "Connection: close".
          response.set_header("Retry-After", "1");
          reply_error(response, 503, kBusyMessage);
          impl_->observe("shed", 503, 0.0);
          return httplib::Server::HandlerResponse::Handled;
        }
        if (options_.token.empty() ||
            same_secret(request.get_header_value("Authorization"), "Bearer " + options_.token)) {
          return httplib::Server::HandlerResponse::Unhandled;
        }
        response.set_header("WWW-Authenticate", "Bearer");
        reply_error(response, 401, "a bearer token is required (Authorization: Bearer <token>)");
        impl_->observe("unauthorised", 401, 0.0);
        return httplib::Server::HandlerResponse::Handled;
      });
  // Each handler takes the current state once, so a request reads one version.
  const auto timed = [this](const char* endpoint, auto handler) {
    return [this, endpoint, handler](const httplib::Request& request, httplib::Response& response) {
      const auto start = std::chrono::steady_clock::now();
      handler(*service_.state(), request, response);
      impl_->observe(
          endpoint, response.status,
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    };
  };
  http.Get("/v1/health", timed("health", [](const ServiceState& s, const httplib::Request&,
                                            httplib::Response& response) {
             reply_json(response, 200,
                        Json{{"status", "ok"},
                             {"state_version", s.version},
                             {"backend", s.info.backend},
                             {"device", s.info.device},
                             {"accounts", s.info.accounts},
                             {"groups", s.info.groups},
                             {"instruments", s.info.instruments},
                             {"positions", s.info.positions},
                             {"scenarios", s.info.scenario_count},
                             {"revalued_at", iso_utc(s.revalued_at)},
                             {"revaluation_seconds", s.revaluation_seconds},
                             {"resident_bytes", s.resident->bytes()}});
           }));
  http.Get(
      "/v1/margins", timed("margins", [](const ServiceState& s, const httplib::Request& request,
                                         httplib::Response& response) {
        const std::string format =
            request.has_param("format") ? request.get_param_value("format") : "json";
        if (format == "csv") {
          response.status = 200;
          response.set_content(s.margins_csv, "text/csv");
          return;
        }
        if (format != "json") {
          reply_error(response, 400,
                      "format must be \"json\" or \"csv\", found \"" + format + "\"");
          return;
        }
        Json accounts = Json::array(), groups = Json::array();
        for (std::size_t r = 0; r < s.rows().size(); ++r) {
          (s.rows()[r].level == RowLevel::account ? accounts : groups).push_back(row_json(s, r));
        }
        reply_json(response, 200,
                   Json{{"state_version", s.version},
                        {"accounts", std::move(accounts)},
                        {"groups", std::move(groups)}});
      }));
  http.Get(R"(/v1/accounts/([^/]+))",
           timed("account", [](const ServiceState& s, const httplib::Request& request,
                               httplib::Response& response) {
             const std::string id = request.matches[1];
             const auto found = s.account_row.find(id);
             if (found == s.account_row.end()) {
               reply_error(response, 404, "unknown account '" + id + "'");
               return;
             }
             Json positions = Json::array();
             const auto [first, last] = s.positions_of(found->second);
             for (std::size_t p = first; p < last; ++p) {
               const Position& position = s.book.positions[p];
               positions.push_back(Json{{"instrument", s.book.instruments[position.instrument].id},
                                        {"quantity", position.quantity}});
             }
             Json group = nullptr;
             if (const std::string& in = s.book.accounts[found->second].group; !in.empty()) {
               group = row_json(s, s.group_row.at(in));
             }
             reply_json(response, 200,
                        Json{{"state_version", s.version},
                             {"account", row_json(s, found->second)},
                             {"positions", std::move(positions)},
                             {"group", std::move(group)}});
           }));
  // The endpoints with a body: read whole within the limit (413 past it), then
  // answered from the state current when the body is in.
  const auto with_body = [this](const char* endpoint, auto handler) {
    return [this, endpoint, handler](const httplib::Request& request, httplib::Response& response,
                                     const httplib::ContentReader& reader) {
      const auto start = std::chrono::steady_clock::now();
      std::string body;
      if (const int refused = read_body(request, reader, options_.max_body_bytes, body)) {
        // What is left of the body is not read: the connection cannot go on.
        response.set_header("Connection", "close");
        reply_error(
            response, refused,
            refused == 413 ? "request body over the limit" : "the request body could not be read");
      } else {
        refusing(response, [&] { handler(body, response); });
      }
      impl_->observe(
          endpoint, response.status,
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    };
  };
  http.Post("/v1/whatif",
            with_body("whatif", [this](const std::string& body, httplib::Response& response) {
              const std::shared_ptr<const ServiceState> state = service_.state();
              const ServiceState& s = *state;
              const WhatIfAnswer answer = evaluate_what_if(s, read_what_if(body, s.book.market));
              Json group = nullptr;
              if (answer.group_before)
                group = pair_json(*answer.group_before, *answer.group_after, s);
              reply_json(
                  response, 200,
                  Json{{"state_version", s.version},
                       {"account", pair_json(answer.account_before, answer.account_after, s)},
                       {"group", std::move(group)}});
            }));
  http.Post("/v1/trades",
            with_body("trades", [this](const std::string& body, httplib::Response& response) {
              const TradeOutcome outcome = service_.apply_trades(read_trades(body));
              const ServiceState& s = *outcome.state;
              Json accounts = Json::array(), groups = Json::array();
              for (const std::string& id : outcome.accounts) {
                accounts.push_back(row_json(s, s.account_row.at(id)));
              }
              for (const std::string& id : outcome.groups) {
                groups.push_back(row_json(s, s.group_row.at(id)));
              }
              impl_->publish(s);
              reply_json(response, 200,
                         Json{{"state_version", s.version},
                              {"accounts", std::move(accounts)},
                              {"groups", std::move(groups)}});
            }));
  http.Put("/v1/market",
           with_body("market", [this](const std::string& body, httplib::Response& response) {
             const Stopwatch whole;
             const std::shared_ptr<const ServiceState> s =
                 service_.update_market(read_market_change(body));
             Json stages = Json::object();
             for (const StageTiming& stage : s->revaluation_stages)
               stages[stage.stage] = stage.seconds;
             stages["total"] = whole.seconds();
             impl_->publish(*s);
             reply_json(response, 200,
                        Json{{"state_version", s->version},
                             {"accounts", s->info.accounts},
                             {"groups", s->info.groups},
                             {"revalued_at", iso_utc(s->revalued_at)},
                             {"timings", std::move(stages)}});
           }));
  http.Get("/metrics", [this](const httplib::Request&, httplib::Response& response) {
    response.set_content(prometheus::TextSerializer().Serialize(impl_->registry->Collect()),
                         "text/plain; version=0.0.4");
  });
  // Every answer of 400 or more passes here before it is written: the errors
  // by kind are counted here, so that a client's next request sees them.
  // Unmatched routes, bodies over the limit and requests that did not arrive
  // within the deadline answer JSON too.
  http.set_error_handler([this](const httplib::Request&, httplib::Response& response) {
    if (response.status == 400 && request_deadline_passed()) {
      // The guarded server closes the connection after it; say so.
      if (!request_is_last()) response.set_header("Connection", "close");
      const ConnectionLimits limits = connection_limits(options_);
      const std::chrono::seconds allowed =
          BoundedPool::admission() == Admission::shed ? limits.shed_deadline : limits.deadline;
      reply_error(response, 408,
                  "the request did not arrive within the deadline (" +
                      std::to_string(allowed.count()) + " s)");
      return;  // counted where the deadline passes, answered or not
    }
    impl_->error(response.status == 503  ? "shed"
                 : response.status < 500 ? "refused"
                                         : "failed",
                 response.status);
    if (!response.body.empty()) return;
    const std::string what = response.status == 404   ? "no such endpoint"
                             : response.status == 413 ? "request body over the limit"
                                                      : "request refused";
    reply_error(response, response.status, what);
  });
}

MarginServer::~MarginServer() = default;

int MarginServer::bind() {
  const int port =
      options_.port == 0
          ? impl_->http.bind_to_any_port(options_.host)
          : (impl_->http.bind_to_port(options_.host, options_.port) ? options_.port : -1);
  if (port < 0) {
    throw InputError("--listen " + options_.host + ":" + std::to_string(options_.port) +
                     ": cannot listen there (in use, or not an address of this machine)");
  }
  return port;
}

void MarginServer::run() {
  impl_->http.listen_after_bind();
}

void MarginServer::stop() {
  impl_->http.stop();
}

bool MarginServer::is_running() const {
  return impl_->http.is_running();
}

}  // namespace xm::service
