// Known-answer vectors for tests: the files tests/data/*.txt that the make_*_vectors.py scripts
// write, one `name hex` line a vector (blank lines and # comments skipped).
#pragma once

#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "test_hex.hpp"

namespace actorwire::test_support {

using KnownAnswers = std::map<std::string, std::vector<std::uint8_t>>;

// The vectors of tests/data/`file`, read once (a test failure when the file cannot be opened).
inline const KnownAnswers& known_answers(const std::string& file) {
  static std::map<std::string, KnownAnswers> loaded;
  if (const auto it = loaded.find(file); it != loaded.end()) return it->second;
  KnownAnswers vectors;
  const std::string path = ACTORWIRE_SOURCE_DIR "/tests/data/" + file;
  std::ifstream in(path);
  EXPECT_TRUE(in) << "cannot open " << path;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream fields(line);
    std::string name;
    std::string hex_text;
    fields >> name >> hex_text;
    vectors[name] = hex(hex_text);
  }
  return loaded.emplace(file, std::move(vectors)).first->second;
}

// The vector `name` of tests/data/`file`; a test failure and nullopt when there is none or it is
// shorter than `min_size` bytes.
inline std::optional<std::vector<std::uint8_t>> known_answer(const std::string& file,
                                                             const std::string& name,
                                                             std::size_t min_size = 1) {
  const KnownAnswers& vectors = known_answers(file);
  const auto it = vectors.find(name);
  if (it == vectors.end() || it->second.size() < min_size) {
    ADD_FAILURE() << "no vector " << name << " in " << file;
    return std::nullopt;
  }
  return it->second;
}

}  // namespace actorwire::test_support
