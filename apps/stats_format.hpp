// How the stats view writes numbers, ages and names: short, ASCII only (the view must read on a
// terminal without UTF-8), never wider than the space the layout gives them.
#pragma once

#include <string>
#include <string_view>

namespace actorwire::apps {

// At most 5 characters: "0", "7.5", "999", "12.3k", "1.63M", "18.0G", "2.10T".
std::string compact_number(double value);
// "95s", "2m05s", "3h07m", "4d03h".
std::string age_text(double seconds);
// The text with every byte outside printable ASCII replaced by '?'.
std::string printable(std::string_view text);
// A public key cut to `width` characters, ending in ".." when cut.
std::string shortened(std::string_view text, std::size_t width);
// `text` cut or padded with spaces to exactly `width` characters.
std::string fit(std::string_view text, std::size_t width);
// `text` right-aligned in `width` characters (cut on the right when longer).
std::string fit_right(std::string_view text, std::size_t width);

}  // namespace actorwire::apps
