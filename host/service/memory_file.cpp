#include "service/memory_file.hpp"

#include <sys/mman.h>
#include <unistd.h>

#include <cctype>

#include "xmargin/error.hpp"

namespace xm::service {

MemoryFile::MemoryFile(const char* name, const std::string& content) {
  fd_ = memfd_create(name, MFD_CLOEXEC);
  if (fd_ < 0) throw RunError(std::string("cannot make an in-memory file for ") + name);
  std::size_t done = 0;
  while (done < content.size()) {
    const ssize_t wrote = write(fd_, content.data() + done, content.size() - done);
    if (wrote <= 0) {
      close(fd_);
      throw RunError(std::string("cannot write the in-memory file for ") + name);
    }
    done += static_cast<std::size_t>(wrote);
  }
  path_ = "/proc/self/fd/" + std::to_string(fd_);
}

MemoryFile::~MemoryFile() {
  if (fd_ >= 0) close(fd_);
}

LocatedMessage split_location(const std::string& what, const std::string& path) {
  LocatedMessage located{0, 0, what};
  if (what.rfind(path + ":", 0) != 0) return located;
  std::size_t at = path.size() + 1;
  // Up to two numbers, each followed by ':'.
  for (std::size_t* number : {&located.line, &located.column}) {
    std::size_t end = at;
    while (end < what.size() && std::isdigit(static_cast<unsigned char>(what[end]))) ++end;
    if (end == at || end >= what.size() || what[end] != ':') break;
    *number = std::stoul(what.substr(at, end - at));
    at = end + 1;
  }
  const std::size_t text = what.find_first_not_of(' ', at);
  located.message = text == std::string::npos ? "" : what.substr(text);
  return located;
}

}  // namespace xm::service
