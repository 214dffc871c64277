#pragma once
#include <cuda_runtime_api.h>

#include <cstddef>
#include <limits>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "cuda_check.cuh"
#include "xmargin/error.hpp"

namespace xm::cuda_detail {

// An owning, move-only array in device memory (plain cudaMalloc, never managed
// memory). An empty buffer holds no allocation and a null pointer.
template <typename T>
class DeviceBuffer {
  static_assert(std::is_trivially_copyable_v<T>, "device buffers hold trivially copyable values");

 public:
  DeviceBuffer() = default;
  explicit DeviceBuffer(std::size_t count) { allocate(count); }
  ~DeviceBuffer() { release(); }

  DeviceBuffer(const DeviceBuffer&) = delete;
  DeviceBuffer& operator=(const DeviceBuffer&) = delete;
  DeviceBuffer(DeviceBuffer&& other) noexcept
      : data_(std::exchange(other.data_, nullptr)), count_(std::exchange(other.count_, 0)) {}
  DeviceBuffer& operator=(DeviceBuffer&& other) noexcept {
    if (this != &other) {
      release();
      data_ = std::exchange(other.data_, nullptr);
      count_ = std::exchange(other.count_, 0);
    }
    return *this;
  }

  T* data() { return data_; }
  const T* data() const { return data_; }
  std::size_t size() const { return count_; }
  std::size_t bytes() const { return count_ * sizeof(T); }

  // Host → device: count values into [offset, offset + count), ordered on stream.
  void upload(const T* host, std::size_t count, std::size_t offset, cudaStream_t stream) {
    check_range(count, offset);
    if (count == 0) return;
    XM_CUDA_TRY(
        cudaMemcpyAsync(data_ + offset, host, count * sizeof(T), cudaMemcpyHostToDevice, stream));
  }

  // Device → host: [offset, offset + count) into host, ordered on stream. The host
  // memory must stay alive until the stream has been synchronised.
  void download(T* host, std::size_t count, std::size_t offset, cudaStream_t stream) const {
    check_range(count, offset);
    if (count == 0) return;
    XM_CUDA_TRY(
        cudaMemcpyAsync(host, data_ + offset, count * sizeof(T), cudaMemcpyDeviceToHost, stream));
  }

 private:
  T* data_ = nullptr;
  std::size_t count_ = 0;

  void allocate(std::size_t count) {
    if (count == 0) return;
    if (count > std::numeric_limits<std::size_t>::max() / sizeof(T)) {
      throw RunError("device buffer of " + std::to_string(count) + " elements is too large");
    }
    void* memory = nullptr;
    XM_CUDA_TRY(cudaMalloc(&memory, count * sizeof(T)));
    data_ = static_cast<T*>(memory);
    count_ = count;
  }

  void release() noexcept {
    // cudaFree synchronises with the device before freeing; its error (a sticky
    // error of an earlier kernel) has already been reported by then.
    if (data_ != nullptr) static_cast<void>(cudaFree(data_));
    data_ = nullptr;
    count_ = 0;
  }

  void check_range(std::size_t count, std::size_t offset) const {
    if (offset > count_ || count > count_ - offset) {
      throw LogicError("device buffer copy of [" + std::to_string(offset) + ", +" +
                       std::to_string(count) + ") outside its " + std::to_string(count_) +
                       " elements");
    }
  }
};

// A device copy of a host vector, ordered on stream (the vector must outlive the
// copy: synchronise the stream before it goes).
template <typename T>
DeviceBuffer<T> upload_vector(const std::vector<T>& host, cudaStream_t stream) {
  DeviceBuffer<T> buffer(host.size());
  buffer.upload(host.data(), host.size(), 0, stream);
  return buffer;
}

}  // namespace xm::cuda_detail
