#pragma once
#include <cuda_runtime_api.h>
#include <nvtx3/nvToolsExt.h>

#include <array>
#include <string>
#include <vector>

#include "cuda_check.cuh"
#include "xmargin/backend.hpp"

namespace xm::cuda_detail {

// Device time per stage from CUDA events recorded around each step on its
// stream; read once the run has synchronised, so timing adds no waits. Each
// step is also an NVTX range, so a profile shows the pipeline by stage.
class StageEvents {
 public:
  enum Stage { upload, draw, revalue, select, tail, download, stage_count };

  StageEvents() = default;
  ~StageEvents() {
    for (auto& pairs : events_) {
      for (auto& [start, stop] : pairs) {
        static_cast<void>(cudaEventDestroy(start));
        static_cast<void>(cudaEventDestroy(stop));
      }
    }
  }
  StageEvents(const StageEvents&) = delete;
  StageEvents& operator=(const StageEvents&) = delete;

  template <typename Work>
  void time(Stage stage, cudaStream_t stream, Work&& work) {
    cudaEvent_t start = nullptr, stop = nullptr;
    XM_CUDA_TRY(cudaEventCreate(&start));
    events_[stage].push_back({start, nullptr});
    XM_CUDA_TRY(cudaEventCreate(&stop));
    events_[stage].back().second = stop;
    nvtxRangePushA(kNames[stage]);
    XM_CUDA_TRY(cudaEventRecord(start, stream));
    work();
    XM_CUDA_TRY(cudaEventRecord(stop, stream));
    nvtxRangePop();
  }

  // Seconds per stage; call after the streams have been synchronised.
  std::vector<StageTiming> timings() const {
    std::vector<StageTiming> out;
    for (int stage = 0; stage < stage_count; ++stage) {
      double seconds = 0.0;
      for (const auto& [start, stop] : events_[stage]) {
        float milliseconds = 0.0f;
        XM_CUDA_TRY(cudaEventElapsedTime(&milliseconds, start, stop));
        seconds += static_cast<double>(milliseconds) / 1000.0;
      }
      out.push_back({kNames[stage], seconds});
    }
    return out;
  }

 private:
  static constexpr std::array<const char*, stage_count> kNames = {"upload", "draw", "revalue",
                                                                  "select", "tail", "download"};
  std::array<std::vector<std::pair<cudaEvent_t, cudaEvent_t>>, stage_count> events_;
};

}  // namespace xm::cuda_detail
