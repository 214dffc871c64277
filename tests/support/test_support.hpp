#pragma once
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>
#include "xmargin/error.hpp"
#include "xmargin/inputs.hpp"
#include "xmargin/pipeline.hpp"

namespace xm::test {

// A fresh folder under the system temp dir, removed at the end of the test.
class TempDir {
 public:
  TempDir() {
    std::random_device entropy;
    path_ = std::filesystem::temp_directory_path() /
            ("xmargin-test-" + std::to_string(entropy()) + std::to_string(entropy()));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  std::string path() const { return path_.string(); }
  std::string file(const std::string& name) const { return (path_ / name).string(); }
  std::string write(const std::string& name, const std::string& content) const {
    std::ofstream out(file(name), std::ios::binary);
    out << content;
    return file(name);
  }

 private:
  std::filesystem::path path_;
};

inline std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::ostringstream content;
  content << in.rdbuf();
  return content.str();
}

struct CommandResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr together
};

inline CommandResult run_command(const std::string& command) {
  CommandResult result;
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  if (!pipe) throw std::runtime_error("cannot run " + command);
  char buffer[4096];
  std::size_t read = 0;
  while ((read = fread(buffer, 1, sizeof buffer, pipe)) > 0) result.output.append(buffer, read);
  const int status = pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

// A small valid book (two underlyings, a future, a European call on spot, an
// American put on the future, two accounts in one group) whose files tests
// then break one at a time.
inline std::map<std::string, std::string> small_book_files() {
  std::map<std::string, std::string> files;
  files["market.json"] =
      "{\n"
      "  \"valuation_date\": \"2001-01-02\",\n"
      "  \"underlyings\": [\n"
      "    {\"id\": \"AA\", \"price\": 100, \"vol\": 0.3, \"rate\": 0.05, \"dividend_yield\": "
      "0.01},\n"
      "    {\"id\": \"BB\", \"price\": 50, \"vol\": 0.2}\n"
      "  ]\n"
      "}\n";
  files["instruments.csv"] =
      "instrument,type,underlying,expiry,multiplier,strike,right,style,on,vol\n"
      "FAA,future,AA,2001-03-16,100,,,,,\n"
      "CAA,option,AA,2001-03-16,100,100,C,european,spot,\n"
      "PBB,option,BB,2001-06-15,100,50,P,american,future,0.25\n";
  files["positions.csv"] =
      "account,instrument,quantity\n"
      "A1,FAA,1\n"
      "A1,CAA,-2\n"
      "A2,PBB,3\n";
  files["accounts.csv"] =
      "account,mode,group,collateral\n"
      "A1,cross,G1,1000\n"
      "A2,isolated,G1,500\n";
  files["history.csv"] =
      "date,AA,BB,AA.vol\n"
      "2000-12-20,90,48,0.30\n"
      "2000-12-21,92,49,0.31\n"
      "2000-12-22,95,47,0.29\n"
      "2000-12-26,97,50,0.33\n"
      "2000-12-27,99,51,0.30\n"
      "2000-12-28,98,52,0.28\n"
      "2000-12-29,100,50,0.30\n";
  files["config.json"] =
      "{\"measure\": \"es\", \"confidence\": 0.8, \"time_decay\": true,\n"
      " \"scenarios\": {\"historical\": {\"lookback_days\": 5, \"mpor_days\": 2}}}\n";
  return files;
}

// Writes small_book_files() into `dir`.
inline void write_small_book(const TempDir& dir) {
  for (const auto& [name, content] : small_book_files()) dir.write(name, content);
}

// The paths of small_book_files() written into `dir`.
inline InputPaths small_book_paths(const TempDir& dir) {
  return InputPaths{dir.file("market.json"),
                    dir.file("instruments.csv"),
                    dir.file("positions.csv"),
                    dir.file("accounts.csv"),
                    dir.file("history.csv"),
                    dir.file("config.json"),
                    ""};
}

// A book (small_book_files() unless changed) that a test breaks one file at a
// time: each call writes it with one file changed into `dir`, runs everything
// before the backend, and returns the InputError's text with the folder
// stripped, or "no error".
struct BookToBreak {
  TempDir dir;
  std::map<std::string, std::string> files = small_book_files();

  std::string error_with(const std::string& name, const std::string& content) const {
    for (const auto& [file, text] : files) dir.write(file, file == name ? content : text);
    try {
      prepare_run(small_book_paths(dir));
    } catch (const InputError& error) {
      std::string message = error.what();
      const std::string prefix = dir.path() + "/";
      if (message.rfind(prefix, 0) == 0) message.erase(0, prefix.size());
      return message;
    }
    return "no error";
  }

  // The same with the first `from` in file `name` replaced by `to`.
  std::string replace(const std::string& name, const std::string& from,
                      const std::string& to) const {
    std::string text = files.at(name);
    const auto at = text.find(from);
    if (at == std::string::npos) throw std::invalid_argument("not in " + name + ": " + from);
    return error_with(name, text.replace(at, from.size(), to));
  }
};

// The input files of a book folder by their standard names (accounts.csv
// only where the folder has one), as `--dir` resolves them.
inline InputPaths book_paths(const std::string& dir) {
  InputPaths paths;
  paths.market = dir + "/market.json";
  paths.instruments = dir + "/instruments.csv";
  paths.positions = dir + "/positions.csv";
  if (std::filesystem::exists(dir + "/accounts.csv")) paths.accounts = dir + "/accounts.csv";
  paths.history = dir + "/history.csv";
  paths.config = dir + "/config.json";
  return paths;
}

}  // namespace xm::test
