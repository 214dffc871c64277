#pragma once
#include <memory>
#include <ostream>
#include <string>
#include <vector>

namespace xm {

// The files one command writes, made visible all together or not at all.
// Each is written to a temporary file in its own folder (so the final rename
// stays on one file system and is atomic); commit() flushes and syncs every
// one, and only when all are complete renames them onto their paths. A set
// destroyed before commit() (an error, bad_alloc, a failed write) removes its
// temporary files, so the previous outputs stay as they were.
class AtomicFiles {
 public:
  AtomicFiles();
  ~AtomicFiles();
  AtomicFiles(const AtomicFiles&) = delete;
  AtomicFiles& operator=(const AtomicFiles&) = delete;

  // Opens the temporary file that will become `path`, creating its folder if
  // needed. Called before any computation, so that an output that cannot be
  // written is an InputError (exit 2) naming the path, found in a moment
  // rather than after the run. The stream stays valid until commit().
  std::ostream& open(const std::string& path);

  // Flushes, syncs and closes every file, then renames each onto its path.
  // A write that failed at any point is a RunError (exit 1) naming the file
  // and the system's reason; nothing is renamed then.
  void commit();

 private:
  struct File;
  std::vector<std::unique_ptr<File>> files_;
};

// Writes one file all or nothing: `write(stream)` fills it, then it is
// committed as above.
template <typename Write>
void write_atomically(const std::string& path, Write write) {
  AtomicFiles files;
  write(files.open(path));
  files.commit();
}

// The folder `path` is in ("." for a bare file name).
std::string folder_of(const std::string& path);

}  // namespace xm
