#pragma once
// The service's journal (--journal FILE, docs/service.md "Journal"): every
// accepted change appended and fsync'ed before the service answers, replayed
// after the input files on the next start.
//
// Format: the line "xmargin journal 1", then one record per change:
//   <payload bytes> <SHA-256 of the payload, hex>\n<payload>\n
// the payload one line of JSON. A crash mid-append leaves the last record
// short or with a wrong digest: it is dropped with a warning and the file
// cut back to the last whole record. Damage before the last record is not a
// crash's: the service refuses to start (exit 2) naming the line.
#include <ostream>
#include <string>
#include <vector>

#include "xmargin/error.hpp"

namespace xm::service {

// A change the journal could not write: the server's fault, not the
// request's (HTTP 500); the change is not applied.
class JournalError : public RunError {
 public:
  using RunError::RunError;
};

class Journal {
 public:
  // Opens `path`, creating it with its header when missing; the records it
  // holds go to `records`, oldest first.
  Journal(const std::string& path, std::vector<std::string>& records, std::ostream& warnings);
  ~Journal();
  Journal(const Journal&) = delete;
  Journal& operator=(const Journal&) = delete;

  // Appends one record and waits for it to reach the disk (fsync): a
  // JournalError when it cannot, the change then not made.
  void append(const std::string& payload);
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  int fd_ = -1;
};

}  // namespace xm::service
