#pragma once
#include <cuda_runtime_api.h>

#include <cstddef>
#include <string>
#include <utility>

#include "cuda_check.cuh"
#include "xmargin/kernel/device_plan.hpp"

namespace xm::cuda_detail {

// Device memory for a run: one cudaMalloc, kept by the backend and reused by
// later runs that fit in it, carved into buffers aligned to kPoolAlignment.
// Nothing is allocated or freed between chunks; carving is pointer arithmetic.
class DevicePool {
 public:
  DevicePool() = default;
  ~DevicePool() { release(); }
  DevicePool(const DevicePool&) = delete;
  DevicePool& operator=(const DevicePool&) = delete;

  // Starts a run needing `bytes` (as planned with kernel::pool_bytes): grows
  // the allocation when it is too small, then carves from its start.
  void reserve(std::size_t bytes) {
    if (bytes > capacity_) {
      release();
      void* memory = nullptr;
      const cudaError_t status = cudaMalloc(&memory, bytes);
      if (status == cudaErrorMemoryAllocation) {
        static_cast<void>(cudaGetLastError());
        throw RunError("the cuda backend could not allocate its " + std::to_string(bytes) +
                       " bytes of device memory (out of memory); set a smaller --memory-budget");
      }
      XM_CUDA_TRY(status);
      base_ = static_cast<unsigned char*>(memory);
      capacity_ = bytes;
    }
    used_ = 0;
  }

  // `count` elements of T from the pool (null for none).
  template <typename T>
  T* carve(std::size_t count) {
    if (count == 0) return nullptr;
    const std::size_t bytes = kernel::pool_bytes(count * sizeof(T));
    if (bytes > capacity_ - used_) {
      throw LogicError("device pool overrun: " + std::to_string(used_ + bytes) + " of " +
                       std::to_string(capacity_) + " planned bytes");
    }
    T* pointer = reinterpret_cast<T*>(base_ + used_);
    used_ += bytes;
    return pointer;
  }

  std::size_t used() const { return used_; }
  std::size_t capacity() const { return capacity_; }

 private:
  unsigned char* base_ = nullptr;
  std::size_t capacity_ = 0;
  std::size_t used_ = 0;

  void release() noexcept {
    // cudaFree synchronises with the device first; an error it returns (a sticky
    // error of an earlier kernel) has already been reported.
    if (base_ != nullptr) static_cast<void>(cudaFree(base_));
    base_ = nullptr;
    capacity_ = used_ = 0;
  }
};

// Page-locked host memory, so that device-to-host copies run asynchronously and
// overlap the kernels. Grows, never shrinks, across runs.
class PinnedBuffer {
 public:
  PinnedBuffer() = default;
  ~PinnedBuffer() {
    if (data_ != nullptr) static_cast<void>(cudaFreeHost(data_));
  }
  PinnedBuffer(const PinnedBuffer&) = delete;
  PinnedBuffer& operator=(const PinnedBuffer&) = delete;

  double* reserve(std::size_t count) {
    if (count > count_) {
      if (data_ != nullptr) XM_CUDA_TRY(cudaFreeHost(data_));
      data_ = nullptr;
      count_ = 0;
      void* memory = nullptr;
      XM_CUDA_TRY(cudaMallocHost(&memory, count * sizeof(double)));
      data_ = static_cast<double*>(memory);
      count_ = count;
    }
    return data_;
  }

 private:
  double* data_ = nullptr;
  std::size_t count_ = 0;
};

}  // namespace xm::cuda_detail
