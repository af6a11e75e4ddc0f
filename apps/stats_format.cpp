#include "apps/stats_format.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace actorwire::apps {

std::string compact_number(double value) {
  if (!(value > 0)) return "0";
  char text[32];
  if (value < 10 && value != std::floor(value)) {
    std::snprintf(text, sizeof text, "%.1f", value);
    return text;
  }
  if (value < 999.5) {
    std::snprintf(text, sizeof text, "%.0f", value);
    return text;
  }
  static constexpr const char* kUnits = "kMGTPE";
  int unit = -1;
  while (value >= 999.5 && unit < 5) {
    value /= 1000;
    ++unit;
  }
  const char* format = value < 9.995 ? "%.2f%c" : value < 99.95 ? "%.1f%c" : "%.0f%c";
  std::snprintf(text, sizeof text, format, value, kUnits[unit]);
  return text;
}

std::string age_text(double seconds) {
  const auto s = static_cast<long long>(std::max(0.0, seconds));
  char text[32];
  if (s < 60) {
    std::snprintf(text, sizeof text, "%llds", s);
  } else if (s < 3600) {
    std::snprintf(text, sizeof text, "%lldm%02llds", s / 60, s % 60);
  } else if (s < 86400) {
    std::snprintf(text, sizeof text, "%lldh%02lldm", s / 3600, s % 3600 / 60);
  } else {
    std::snprintf(text, sizeof text, "%lldd%02lldh", s / 86400, s % 86400 / 3600);
  }
  return text;
}

std::string printable(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c < 0x20 || c > 0x7e) c = '?';
  }
  return out;
}

std::string shortened(std::string_view text, std::size_t width) {
  if (text.size() <= width) return std::string(text);
  if (width <= 2) return std::string(text.substr(0, width));
  return std::string(text.substr(0, width - 2)) + "..";
}

std::string fit(std::string_view text, std::size_t width) {
  std::string out(text.substr(0, width));
  out.resize(width, ' ');
  return out;
}

std::string fit_right(std::string_view text, std::size_t width) {
  if (text.size() >= width) return std::string(text.substr(0, width));
  return std::string(width - text.size(), ' ') + std::string(text);
}

}  // namespace actorwire::apps
