#include "apps/stats_terminal.hpp"

#include <curses.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <optional>
#include <ostream>
#include <utility>

#include "apps/stats_frame.hpp"
#include "apps/stats_sample.hpp"

namespace actorwire::apps {
namespace {

constexpr auto kRefresh = std::chrono::seconds(1);
constexpr int kKeyWaitMs = 100;  // how long getch waits: keys and signals answered within it

volatile std::sig_atomic_t g_stop = 0;
void on_stop_signal(int) {
  g_stop = 1;
}

// Our own handlers, installed before ncurses starts (it leaves handled signals alone), without
// SA_RESTART so that a signal ends getch's wait at once.
void catch_stop_signals() {
  struct sigaction action {};
  action.sa_handler = on_stop_signal;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
}

// ncurses for the lifetime of the view; the terminal is restored however the view ends.
class Screen {
 public:
  static std::optional<Screen> open(std::string& error) {
    SCREEN* screen = newterm(nullptr, stdout, stdin);
    if (screen == nullptr) {
      const char* term = std::getenv("TERM");
      error = std::string("cannot drive this terminal (TERM=") + (term ? term : "unset") +
              "); --once prints one frame as text";
      return std::nullopt;
    }
    set_term(screen);
    cbreak();
    noecho();
    keypad(stdscr, TRUE);
    curs_set(0);
    timeout(kKeyWaitMs);
    return Screen(screen);
  }
  Screen(Screen&& other) noexcept : screen_(std::exchange(other.screen_, nullptr)) {}
  Screen(const Screen&) = delete;
  Screen& operator=(const Screen&) = delete;
  Screen& operator=(Screen&&) = delete;
  ~Screen() {
    if (screen_ == nullptr) return;
    endwin();
    delscreen(screen_);
  }

  void draw(const Frame& frame) {
    erase();
    for (std::size_t i = 0; i < frame.lines.size() && static_cast<int>(i) < LINES; ++i) {
      mvaddnstr(static_cast<int>(i), 0, frame.lines[i].c_str(), COLS);
    }
    for (const Emphasis& emphasis : frame.emphasis) {
      mvchgat(static_cast<int>(emphasis.line), static_cast<int>(emphasis.column),
              static_cast<int>(emphasis.length), A_REVERSE, 0, nullptr);
    }
    refresh();
  }

 private:
  explicit Screen(SCREEN* screen) : screen_(screen) {}
  SCREEN* screen_;
};

double now_unix_s() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

}  // namespace

int run_live_view(const SnapshotSource& source, const nlohmann::json& first, FigureMode mode,
                  const std::string& name, std::ostream& err) {
  catch_stop_signals();
  std::string error;
  std::optional<Screen> screen = Screen::open(error);
  if (!screen) {
    err << "actorwire stats: " << error << "\n";
    return 1;
  }
  std::optional<StatsSample> before;
  StatsSample now = parse_stats_sample(first);
  auto next_poll = std::chrono::steady_clock::now() + kRefresh;
  bool redraw = true;
  while (g_stop == 0) {
    if (redraw) {
      FrameOptions options;
      options.mode = mode;
      options.width = static_cast<std::size_t>(std::max(COLS, 0));
      options.height = static_cast<std::size_t>(std::max(LINES, 0));
      options.now_unix_s = now_unix_s();
      options.legend = true;
      screen->draw(render_frame(before ? &*before : nullptr, now, options));
      redraw = false;
    }
    const int key = getch();
    if (key == 'q' || key == 'Q') break;
    if (key == 't' || key == 'T') {
      mode = mode == FigureMode::kRates ? FigureMode::kTotals : FigureMode::kRates;
      redraw = true;
    } else if (key == KEY_RESIZE) {
      redraw = true;
    }
    if (std::chrono::steady_clock::now() < next_poll) continue;
    // One request per refresh, also after a pause (a suspended terminal): never a burst.
    const auto polled = std::chrono::steady_clock::now();
    next_poll = std::max(next_poll + kRefresh, polled + kRefresh / 2);
    nlohmann::json snapshot = source(error);
    if (snapshot.is_null()) {
      screen.reset();  // restore the terminal before the message
      err << "actorwire stats: lost the gateway '" << name << "': " << error << "\n";
      return 1;
    }
    before = std::move(now);
    now = parse_stats_sample(snapshot);
    redraw = true;
  }
  return 0;
}

}  // namespace actorwire::apps
