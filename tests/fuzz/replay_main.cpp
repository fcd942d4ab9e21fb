// Without libFuzzer (the gcc build that CI runs), a fuzz target becomes a
// deterministic test: it replays every file of its corpus directories, then
// runs --runs mutations of them (bit flips, byte edits, inserts, deletes,
// duplications, splices of two corpus files, dictionary tokens) drawn from a
// fixed --seed. No coverage feedback, so no growth: it is the corpus plus a
// fixed, reproducible neighbourhood of it, enough to catch what a change
// breaks near the inputs the real fuzzer (tests/fuzz/run.sh) already found.
//
//   NAME_fuzz [--runs=N] [--seed=S] [--max_len=L] [--dict=FILE] DIR|FILE...
//
// A crash (trap, abort, sanitizer) leaves the input in ./crash-replay-NAME
// and prints it escaped on stderr, so it can become a corpus file.
#include <algorithm>
#include <csignal>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <unistd.h>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);
extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv) __attribute__((weak));

namespace {

std::string read_all(const std::filesystem::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

// splitmix64: a fixed seed gives the same mutations on every machine.
struct Rng {
  uint64_t s;
  uint64_t next() {
    uint64_t z = (s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
  size_t below(size_t n) { return n ? static_cast<size_t>(next() % n) : 0; }
};

// libFuzzer's dictionary format: one "quoted token" per line, with \xNN,
// \\ and \" escapes; # comments and names before '=' are ignored.
std::vector<std::string> read_dict(const std::string& path) {
  std::vector<std::string> out;
  std::ifstream f(path);
  std::string line;
  while (std::getline(f, line)) {
    size_t q = line.find('"');
    if (line.empty() || line[0] == '#' || q == std::string::npos) continue;
    std::string tok;
    for (size_t i = q + 1; i < line.size() && line[i] != '"'; ++i) {
      if (line[i] == '\\' && i + 1 < line.size()) {
        char c = line[++i];
        if (c == 'x' && i + 2 < line.size()) {
          tok += static_cast<char>(std::strtol(line.substr(i + 1, 2).c_str(), nullptr, 16));
          i += 2;
        } else {
          tok += c;
        }
      } else {
        tok += line[i];
      }
    }
    if (!tok.empty()) out.push_back(tok);
  }
  return out;
}

const char* kInteresting[] = {"\x00", "\xff", "\x7f", "\x80", "\n", "\r\n", "\"", "<", ">", "&", "%", "%ff", "0", "-1",
                              "4294967296", "18446744073709551615", "\xc3\x28", "\xed\xa0\x80", "\xf4\x90\x80\x80"};

std::string mutate(std::string in, const std::vector<std::string>& corpus, const std::vector<std::string>& dict,
                   size_t max_len, Rng& rng) {
  int steps = 1 + static_cast<int>(rng.below(4));
  for (int k = 0; k < steps; ++k) {
    size_t pos = rng.below(in.size() + 1);
    switch (rng.below(9)) {
      case 0:  // flip a bit
        if (!in.empty()) in[rng.below(in.size())] ^= static_cast<char>(1u << rng.below(8));
        break;
      case 1:  // set a random byte
        if (!in.empty()) in[rng.below(in.size())] = static_cast<char>(rng.next());
        break;
      case 2:  // insert random bytes
        in.insert(pos, std::string(1 + rng.below(4), static_cast<char>(rng.next())));
        break;
      case 3:  // delete a range
        if (!in.empty()) {
          size_t at = rng.below(in.size());
          in.erase(at, 1 + rng.below(std::min<size_t>(16, in.size() - at)));
        }
        break;
      case 4:  // duplicate a range
        if (!in.empty()) {
          size_t at = rng.below(in.size());
          in.insert(pos, in.substr(at, 1 + rng.below(32)));
        }
        break;
      case 5:  // splice: our head, another file's tail
        if (!corpus.empty()) {
          const std::string& o = corpus[rng.below(corpus.size())];
          in = in.substr(0, pos) + o.substr(rng.below(o.size() + 1));
        }
        break;
      case 6:
      case 7:  // a dictionary token, inserted or overwriting
        if (!dict.empty()) {
          const std::string& t = dict[rng.below(dict.size())];
          if (rng.below(2) && pos + t.size() <= in.size()) in.replace(pos, t.size(), t);
          else in.insert(pos, t);
        }
        break;
      default: {  // a value that breaks parsers
        const char* v = kInteresting[rng.below(sizeof(kInteresting) / sizeof(*kInteresting))];
        in.insert(pos, std::string(v, std::max<size_t>(1, std::strlen(v))));
      }
    }
  }
  if (in.size() > max_len) in.resize(max_len);
  return in;
}

// The input being run, for the crash handler.
const std::string* g_current = nullptr;
char g_crash_path[256];

void on_crash(int sig) {
  if (g_current) {
    int fd = ::open(g_crash_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd >= 0) {
      (void)!::write(fd, g_current->data(), g_current->size());
      ::close(fd);
    }
    const char msg[] = "\n==replay== crashed; the input is in ";
    (void)!::write(2, msg, sizeof(msg) - 1);
    (void)!::write(2, g_crash_path, std::strlen(g_crash_path));
    (void)!::write(2, "\n", 1);
  }
  std::signal(sig, SIG_DFL);
  std::raise(sig);
}

void run(const std::string& s) {
  g_current = &s;
  LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(s.data()), s.size());
  g_current = nullptr;
}

}  // namespace

int main(int argc, char** argv) {
  if (LLVMFuzzerInitialize) LLVMFuzzerInitialize(&argc, &argv);
  uint64_t runs = 0, seed = 1;
  size_t max_len = 4096;
  std::vector<std::string> dict, corpus;
  std::vector<std::filesystem::path> files;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a.rfind("--runs=", 0) == 0) runs = std::strtoull(a.c_str() + 7, nullptr, 10);
    else if (a.rfind("--seed=", 0) == 0) seed = std::strtoull(a.c_str() + 7, nullptr, 10);
    else if (a.rfind("--max_len=", 0) == 0) max_len = std::strtoull(a.c_str() + 10, nullptr, 10);
    else if (a.rfind("--dict=", 0) == 0) dict = read_dict(a.substr(7));
    else if (std::filesystem::is_directory(a)) {
      for (auto& entry : std::filesystem::recursive_directory_iterator(a))
        if (entry.is_regular_file()) files.push_back(entry.path());
    } else {
      files.emplace_back(a);
    }
  }
  // Directory order is the file system's: sort so the mutations are the same everywhere.
  std::sort(files.begin(), files.end());
  std::string name = std::filesystem::path(argv[0]).filename().string();
  std::snprintf(g_crash_path, sizeof(g_crash_path), "crash-replay-%s", name.c_str());
  for (int sig : {SIGABRT, SIGSEGV, SIGILL, SIGFPE, SIGBUS, SIGTRAP}) std::signal(sig, on_crash);

  for (auto& f : files) {
    corpus.push_back(read_all(f));
    run(corpus.back());
  }
  std::printf("replayed %zu inputs\n", corpus.size());
  if (corpus.empty()) return 1;
  Rng rng{seed};
  for (uint64_t i = 0; i < runs; ++i) {
    std::string in = mutate(corpus[rng.below(corpus.size())], corpus, dict, max_len, rng);
    run(in);
  }
  if (runs) std::printf("ran %llu mutations (seed %llu)\n", static_cast<unsigned long long>(runs),
                        static_cast<unsigned long long>(seed));
  return 0;
}
