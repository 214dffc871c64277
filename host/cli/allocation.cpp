// In a file of its own: GCC's -Wmismatched-new-delete misreads a replaced
// operator delete inlined beside its callers.
#include "cli/allocation.hpp"

#include <atomic>
#include <cstdlib>
#include <new>

namespace {

std::atomic<std::size_t> failed_bytes{0};

}  // namespace

namespace xm::cli {

std::size_t failed_allocation_bytes() {
  return failed_bytes;
}

}  // namespace xm::cli

// Not under AddressSanitizer, which replaces every form of operator new
// itself: mixing its forms with these would read as mismatched frees, and its
// own checks are worth more there than the size in a message.
#if !defined(__SANITIZE_ADDRESS__)
void* operator new(std::size_t bytes) {
  if (bytes == 0) bytes = 1;
  for (;;) {
    if (void* memory = std::malloc(bytes)) return memory;
    const std::new_handler handler = std::get_new_handler();
    if (!handler) {
      failed_bytes = bytes;
      throw std::bad_alloc();
    }
    handler();
  }
}
void operator delete(void* memory) noexcept {
  std::free(memory);
}
void operator delete(void* memory, std::size_t) noexcept {
  std::free(memory);
}
#endif
