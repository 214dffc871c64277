#pragma once
// Marks functions compiled for both the host and the device, so that the CPU
// reference backend and the CUDA backend share one copy of every formula.
#if defined(__CUDACC__)
#define XM_HD __host__ __device__
#else
#define XM_HD
#endif
