#include "service/journal.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>

#include "xmargin/error.hpp"
#include "xmargin/report.hpp"

namespace xm::service {
namespace {

constexpr const char* kHeader = "xmargin journal 1\n";
constexpr std::size_t kMaxRecordBytes = std::size_t{64} << 20;

std::string system_error(const std::string& what) {
  return what + ": " + std::strerror(errno);
}

void write_all(int fd, const std::string& bytes, const std::string& path) {
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t wrote = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (wrote < 0 && errno == EINTR) continue;
    if (wrote <= 0) throw JournalError(system_error("cannot append to the journal " + path));
    done += static_cast<std::size_t>(wrote);
  }
}

std::size_t line_at(const std::string& text, std::size_t offset) {
  std::size_t line = 1;
  for (std::size_t i = 0; i < offset && i < text.size(); ++i) line += text[i] == '\n' ? 1 : 0;
  return line;
}

}  // namespace

Journal::Journal(const std::string& path, std::vector<std::string>& records, std::ostream& warnings)
    : path_(path) {
  fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd_ < 0) throw InputError(path, 0, 0, system_error("cannot open the journal (--journal)"));
  std::string text;
  {
    std::ifstream in(path, std::ios::binary);
    text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  const std::string header = kHeader;
  if (text.empty()) {
    write_all(fd_, header, path);
    if (::fsync(fd_) != 0) throw RunError(system_error("cannot sync the journal " + path));
    return;
  }
  if (text.compare(0, header.size(), header) != 0) {
    // A crash while the header itself was written leaves a prefix of it.
    if (text.size() < header.size() && header.compare(0, text.size(), text) == 0) {
      warnings << "xmargin: warning: " << path << ": the journal's header was cut short by a "
               << "crash; it is written again\n";
      text.clear();
    } else {
      ::close(fd_);
      throw InputError(path, 1, 1,
                       "not an xmargin journal (it must start with \"xmargin journal 1\")");
    }
  }
  std::size_t at = std::min(text.size(), header.size());
  std::size_t good = at;
  while (at < text.size()) {
    // "<bytes> <digest>\n<payload>\n"; anything short of that at the end is a torn record.
    const std::size_t line_end = text.find('\n', at);
    const std::size_t space = text.find(' ', at);
    bool torn = line_end == std::string::npos;
    std::size_t bytes = 0;
    std::string digest;
    if (!torn) {
      const std::string count = space < line_end ? text.substr(at, space - at) : "";
      bool number = !count.empty() && count.size() <= 9;
      for (char c : count) number &= c >= '0' && c <= '9';
      if (number) bytes = std::stoul(count);
      digest = space < line_end ? text.substr(space + 1, line_end - space - 1) : "";
      if (!number || digest.size() != 64 || bytes > kMaxRecordBytes) {
        ::close(fd_);
        throw InputError(path, line_at(text, at), 1,
                         "not a journal record header (<bytes> <sha256>); the journal is damaged "
                         "before its last record: restore it from a copy or move it away");
      }
    }
    const std::size_t payload = torn ? 0 : line_end + 1;
    const std::size_t end = payload + bytes + 1;  // past the payload's '\n'
    if (!torn && end > text.size()) torn = true;
    if (!torn && (text[end - 1] != '\n' ||
                  sha256_of_text(std::string_view(text).substr(payload, bytes)) != digest)) {
      if (end < text.size()) {
        ::close(fd_);
        throw InputError(path, line_at(text, at), 1,
                         "a journal record whose SHA-256 does not match, followed by more records: "
                         "the journal is damaged, not cut short by a crash; restore it from a copy "
                         "or move it away");
      }
      torn = true;
    }
    if (torn) {
      warnings << "xmargin: warning: " << path << ":" << line_at(text, at)
               << ": the last record was cut short by a crash (never acknowledged); it is "
               << "dropped\n";
      break;
    }
    records.push_back(text.substr(payload, bytes));
    at = good = end;
  }
  if (good < text.size() || text.size() < header.size()) {
    if (::ftruncate(fd_, static_cast<off_t>(text.empty() ? 0 : good)) != 0) {
      throw RunError(system_error("cannot cut the journal " + path + " back to its last record"));
    }
    if (text.empty()) write_all(fd_, header, path);
    if (::fsync(fd_) != 0) throw RunError(system_error("cannot sync the journal " + path));
  }
  if (::lseek(fd_, 0, SEEK_END) < 0)
    throw RunError(system_error("cannot seek the journal " + path));
}

Journal::~Journal() {
  if (fd_ >= 0) ::close(fd_);
}

void Journal::append(const std::string& payload) {
  XM_EXPECTS(payload.find('\n') == std::string::npos, "a journal payload is one line");
  const off_t before = ::lseek(fd_, 0, SEEK_END);
  try {
    write_all(
        fd_, std::to_string(payload.size()) + " " + sha256_of_text(payload) + "\n" + payload + "\n",
        path_);
    if (::fdatasync(fd_) != 0) throw JournalError(system_error("cannot sync the journal " + path_));
  } catch (const JournalError&) {
    // Leave no part of a record the service did not acknowledge.
    if (before >= 0 && ::ftruncate(fd_, before) == 0) ::lseek(fd_, before, SEEK_SET);
    throw;
  }
}

}  // namespace xm::service
