#pragma once
// Request content read by the input files' own loaders: written to an
// in-memory file (memfd, nothing on disk) whose path a loader opens, and the
// loader's "path:line:column: message" taken apart again so the service can
// point at the request's field instead.
#include <cstddef>
#include <string>

namespace xm::service {

class MemoryFile {
 public:
  MemoryFile(const char* name, const std::string& content);
  ~MemoryFile();
  MemoryFile(const MemoryFile&) = delete;
  MemoryFile& operator=(const MemoryFile&) = delete;
  const std::string& path() const { return path_; }

 private:
  int fd_ = -1;
  std::string path_;
};

// An InputError's text about `path`: its line and column (0 where it names
// none) and the message after them.
struct LocatedMessage {
  std::size_t line = 0, column = 0;
  std::string message;
};
LocatedMessage split_location(const std::string& what, const std::string& path);

}  // namespace xm::service
