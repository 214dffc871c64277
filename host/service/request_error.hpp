#pragma once
// A request the service refuses: the HTTP status, the JSON pointer of the
// field at fault (empty for the body as a whole) and what was expected.
#include <stdexcept>
#include <string>

namespace xm::service {

class RequestError : public std::runtime_error {
 public:
  RequestError(int status, std::string pointer, const std::string& message)
      : std::runtime_error(message), status_(status), pointer_(std::move(pointer)) {}
  int status() const { return status_; }
  const std::string& pointer() const { return pointer_; }

 private:
  int status_;
  std::string pointer_;
};

}  // namespace xm::service
