#include "report/atomic_files.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <streambuf>

#include "xmargin/error.hpp"

namespace xm {
namespace {

namespace fs = std::filesystem;

std::string reason(int error) {
  return std::strerror(error);
}

// A stream buffer over a file descriptor that keeps the errno of the first
// failed write: std::ofstream reports only that something failed, and a user
// with a full disk needs to be told so.
class FileBuffer : public std::streambuf {
 public:
  explicit FileBuffer(int fd) : fd_(fd), buffer_(kBytes) {
    setp(buffer_.data(), buffer_.data() + buffer_.size());
  }

  int error() const { return error_; }

 protected:
  int_type overflow(int_type c) override {
    if (!drain()) return traits_type::eof();
    if (!traits_type::eq_int_type(c, traits_type::eof())) {
      *pptr() = traits_type::to_char_type(c);
      pbump(1);
    }
    return traits_type::not_eof(c);
  }

  int sync() override { return drain() ? 0 : -1; }

 private:
  static constexpr std::size_t kBytes = 1 << 16;
  int fd_;
  int error_ = 0;
  std::vector<char> buffer_;

  // Writes out the buffer; false (and the errno kept) on the first failure,
  // after which nothing more is written.
  bool drain() {
    const char* next = pbase();
    while (error_ == 0 && next < pptr()) {
      const ssize_t written = ::write(fd_, next, static_cast<std::size_t>(pptr() - next));
      if (written < 0) {
        if (errno != EINTR) error_ = errno;
        continue;
      }
      next += written;
    }
    setp(buffer_.data(), buffer_.data() + buffer_.size());
    return error_ == 0;
  }
};

}  // namespace

struct AtomicFiles::File {
  std::string path, temporary;
  int fd = -1;
  std::unique_ptr<FileBuffer> buffer;
  std::unique_ptr<std::ostream> stream;
  bool renamed = false;
};

std::string folder_of(const std::string& path) {
  const fs::path folder = fs::path(path).parent_path();
  return folder.empty() ? "." : folder.string();
}

AtomicFiles::AtomicFiles() = default;

AtomicFiles::~AtomicFiles() {
  for (const auto& file : files_) {
    if (file->fd >= 0) ::close(file->fd);
    if (!file->renamed) ::unlink(file->temporary.c_str());
  }
}

std::ostream& AtomicFiles::open(const std::string& path) {
  if (path.empty()) throw InputError("an output path is empty");
  std::error_code error;
  if (fs::is_directory(path, error)) {
    throw InputError(path, 0, 0, "is a directory; expected a file to write");
  }
  const std::string folder = folder_of(path);
  fs::create_directories(folder, error);
  if (error) throw InputError(folder, 0, 0, "cannot create the folder: " + error.message());

  auto file = std::make_unique<File>();
  file->path = path;
  // A hidden name beside the final one, unique to this process: the rename
  // then never crosses a file system, and concurrent runs do not collide.
  const std::string stem = (fs::path(folder) / ("." + fs::path(path).filename().string() + ".tmp-" +
                                                std::to_string(::getpid()) + "-"))
                               .string();
  for (int attempt = 0; file->fd < 0; ++attempt) {
    file->temporary = stem + std::to_string(files_.size()) + "-" + std::to_string(attempt);
    // 0666 so the umask alone decides the mode, as it would for std::ofstream.
    file->fd = ::open(file->temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (file->fd < 0 && (errno != EEXIST || attempt > 100)) {
      throw InputError(path, 0, 0, "cannot write: " + reason(errno));
    }
  }
  file->buffer = std::make_unique<FileBuffer>(file->fd);
  file->stream = std::make_unique<std::ostream>(file->buffer.get());
  files_.push_back(std::move(file));
  return *files_.back()->stream;
}

void AtomicFiles::commit() {
  for (const auto& file : files_) {
    file->stream->flush();
    int error = file->buffer->error();
    if (error == 0 && ::fsync(file->fd) != 0) error = errno;
    if (::close(file->fd) != 0 && error == 0) error = errno;
    file->fd = -1;
    if (error != 0) throw RunError("cannot write " + file->path + ": " + reason(error));
  }
  for (const auto& file : files_) {
    if (::rename(file->temporary.c_str(), file->path.c_str()) != 0) {
      throw RunError("cannot write " + file->path + ": " + reason(errno));
    }
    file->renamed = true;
  }
  // The renames are entries of the folders: syncing those makes them last
  // through a power cut. A folder that cannot be opened for that (no read
  // permission) still has its files, so that is not an error.
  for (const auto& file : files_) {
    const int folder = ::open(folder_of(file->path).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (folder < 0) continue;
    ::fsync(folder);
    ::close(folder);
  }
}

}  // namespace xm
