#pragma once
#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace xm::bench {

// Runs `work` in a forked child process and returns the JSON object it
// returned, with "peak_host_bytes" added: the child's peak resident set.
//
// Why a child per measurement: the peak resident set (VmHWM, ru_maxrss) is a
// high-water mark of the whole process that never goes down, so measured in
// one process every figure after the largest would only repeat it. A child
// starts from the parent's resident set at the fork, which the parent keeps
// small (it never loads a book). A child also gives each backend a fresh CUDA
// context and OpenMP pool; the parent calls neither, since neither survives a
// fork.
//
// When the child throws, the object is {"error": what()}; when it dies, the
// error says by which signal.
nlohmann::ordered_json run_in_child(const std::function<nlohmann::ordered_json()>& work);

// Runs a program with `arguments`, its standard output sent to our standard
// error (our standard output is the report), and waits for it. Returns its
// exit status, or throws std::runtime_error when it cannot run or is killed.
int run_program(const std::string& program, const std::vector<std::string>& arguments);

// This process's peak resident set (VmHWM) and current one (VmRSS), in bytes.
std::size_t peak_resident_bytes();
std::size_t resident_bytes();

}  // namespace xm::bench
