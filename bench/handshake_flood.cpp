// Floods a WireGuard responder (wireguard-go, actorwire, the kernel) with handshake initiations
// over UDP at a fixed offered rate and counts what comes back, per second: responses (type 2)
// and cookie replies (type 3). The initiations are built beforehand with crypto/noise, as remote
// initiators build them (bench/handshake_initiators.hpp): one static key per peer, valid mac1,
// timestamps strictly increasing per peer, round robin over the peers. Peer p sends from socket
// p % --sockets (default: one socket, so one UDP source port, per peer); messages due at the same
// time leave with one sendmmsg per socket, replies are read with recvmmsg.
//
//   handshake_flood --responder PUBKEY --peers N --keys-out FILE
//       writes the peers' public keys (base64, one a line) for the responder's config; exits
//       unless --target is given too.
//   handshake_flood --target IP:PORT --responder PUBKEY [--peers 1000] [--rate 1000]
//       [--seconds 5] [--drain 1] [--seed 1] [--sockets N] [--sources IP,IP,...]
//
// --sources: socket i sends from the i-th address of the list, round robin (addresses the
// flooder's interface holds), so that the flood comes from many source addresses.
//
// A reply counts only if its size and type are right and its receiver index is the sender
// index of an initiation this run sent from the socket it arrived on, once per initiation
// (duplicates and anything else are counted as "invalid"). Sender indices start at a random
// base per run, so late replies to an earlier run do not count. The same --seed gives the same
// peers in every run; each run dates its initiations from the wall clock at start (one TAI64N
// granule, 2^24 ns, apart per round), so consecutive runs against one responder are never
// replays.
//
// Output (after the run): one line per second, then "result offered=... responses_per_s=...
// cookies_per_s=..." where the rates are the replies received during the sending time after the
// first second (warm-up), divided by that time.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sodium.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bench/handshake_initiators.hpp"
#include "crypto/keys.hpp"
#include "crypto/messages.hpp"
#include "crypto/noise.hpp"
#include "crypto/tai64n.hpp"

namespace {

using namespace actorwire;
using SteadyClock = std::chrono::steady_clock;

struct Options {
  std::optional<sockaddr_in> target;
  std::optional<crypto::PublicKey> responder;
  std::size_t peers = 1000;
  double rate = 1000;
  double seconds = 5;
  double drain = 1;
  std::uint64_t seed = 1;
  std::size_t sockets = 0;       // 0: one per peer
  std::vector<in_addr> sources;  // empty: the kernel picks the source address
  std::string keys_out;
};

[[noreturn]] void usage(const char* program) {
  std::fprintf(stderr,
               "usage: %s --responder PUBKEY [--target IPV4:PORT] [--peers N] [--rate PER_S]\n"
               "          [--seconds S] [--drain S] [--seed N] [--sockets N] [--keys-out FILE]\n"
               "          [--sources IPV4,IPV4,...]\n",
               program);
  std::exit(2);
}

bool parse_number(const char* text, double low, double high, double& out) {
  char* end = nullptr;
  const double value = std::strtod(text, &end);
  if (*text == '\0' || *end != '\0' || !(value >= low && value <= high)) return false;
  out = value;
  return true;
}

std::optional<sockaddr_in> parse_target(std::string_view text) {
  const auto colon = text.rfind(':');
  if (colon == std::string_view::npos) return std::nullopt;
  const std::string host(text.substr(0, colon));
  const std::string port(text.substr(colon + 1));
  double port_number = 0;
  sockaddr_in address{};
  address.sin_family = AF_INET;
  if (inet_pton(AF_INET, host.c_str(), &address.sin_addr) != 1 ||
      !parse_number(port.c_str(), 1, 65535, port_number) ||
      port_number != std::floor(port_number)) {
    return std::nullopt;
  }
  address.sin_port = htons(static_cast<std::uint16_t>(port_number));
  return address;
}

Options parse_options(int argc, char** argv) {
  Options options;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (i + 1 >= argc) usage(argv[0]);
    const char* value = argv[++i];
    double number = 0;
    if (arg == "--target") {
      options.target = parse_target(value);
      if (!options.target) usage(argv[0]);
    } else if (arg == "--responder") {
      options.responder = crypto::parse_public_key_base64(value);
      if (!options.responder) usage(argv[0]);
    } else if (arg == "--peers" && parse_number(value, 1, 1 << 20, number)) {
      options.peers = static_cast<std::size_t>(number);
    } else if (arg == "--rate" && parse_number(value, 1, 1e7, number)) {
      options.rate = number;
    } else if (arg == "--seconds" && parse_number(value, 0.1, 600, number)) {
      options.seconds = number;
    } else if (arg == "--drain" && parse_number(value, 0, 60, number)) {
      options.drain = number;
    } else if (arg == "--seed" && parse_number(value, 0, 1e15, number)) {
      options.seed = static_cast<std::uint64_t>(number);
    } else if (arg == "--sockets" && parse_number(value, 1, 1 << 20, number)) {
      options.sockets = static_cast<std::size_t>(number);
    } else if (arg == "--keys-out") {
      options.keys_out = value;
    } else if (arg == "--sources") {
      std::string_view list = value;
      while (!list.empty()) {
        const std::string address(list.substr(0, list.find(',')));
        in_addr parsed{};
        if (inet_pton(AF_INET, address.c_str(), &parsed) != 1) usage(argv[0]);
        options.sources.push_back(parsed);
        list.remove_prefix(std::min(list.size(), address.size() + 1));
      }
    } else {
      usage(argv[0]);
    }
  }
  if (!options.responder) usage(argv[0]);
  if (!options.target && options.keys_out.empty()) usage(argv[0]);
  if (options.sockets == 0 || options.sockets > options.peers) options.sockets = options.peers;
  return options;
}

void write_keys(const std::string& path,
                const std::vector<std::unique_ptr<bench::Initiator>>& initiators) {
  std::ofstream out(path);
  for (const auto& initiator : initiators) {
    out << crypto::to_base64(initiator->identity.public_key) << '\n';
  }
  out.close();
  if (!out) {
    std::fprintf(stderr, "cannot write %s\n", path.c_str());
    std::exit(1);
  }
}

// One socket per source port, connected to the target (the kernel then delivers only the
// target's datagrams to it), non-blocking.
std::vector<int> open_sockets(std::size_t count, const sockaddr_in& target,
                              const std::vector<in_addr>& sources) {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < count + 64) {
    limit.rlim_cur = std::min<rlim_t>(limit.rlim_max, count + 64);
    setrlimit(RLIMIT_NOFILE, &limit);
  }
  std::vector<int> sockets;
  for (std::size_t i = 0; i < count; ++i) {
    const int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
      std::fprintf(stderr, "socket %zu: %s\n", i, std::strerror(errno));
      std::exit(1);
    }
    const int buffer = 1 << 20;
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buffer, sizeof buffer);
    setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &buffer, sizeof buffer);
    if (!sources.empty()) {
      sockaddr_in local{};
      local.sin_family = AF_INET;
      local.sin_addr = sources[i % sources.size()];
      if (bind(fd, reinterpret_cast<const sockaddr*>(&local), sizeof local) != 0) {
        std::fprintf(stderr, "bind: %s\n", std::strerror(errno));
        std::exit(1);
      }
    }
    if (connect(fd, reinterpret_cast<const sockaddr*>(&target), sizeof target) != 0) {
      std::fprintf(stderr, "connect: %s\n", std::strerror(errno));
      std::exit(1);
    }
    sockets.push_back(fd);
  }
  return sockets;
}

struct Second {
  std::uint64_t sent = 0;
  std::uint64_t responses = 0;
  std::uint64_t cookies = 0;
};

class Flood {
 public:
  Flood(const Options& options, std::vector<bench::Initiation> initiations,
        std::uint32_t first_index, std::vector<int> sockets)
      : options_(options),
        initiations_(std::move(initiations)),
        first_index_(first_index),
        sockets_(std::move(sockets)),
        answered_(initiations_.size(), false),
        seconds_(static_cast<std::size_t>(std::ceil(options.seconds + options.drain)) + 1) {}

  void run() {
    epoll_ = epoll_create1(EPOLL_CLOEXEC);
    for (std::size_t i = 0; i < sockets_.size(); ++i) {
      epoll_event event{};
      event.events = EPOLLIN;
      event.data.u64 = i;
      if (epoll_ctl(epoll_, EPOLL_CTL_ADD, sockets_[i], &event) != 0) {
        std::fprintf(stderr, "epoll_ctl: %s\n", std::strerror(errno));
        std::exit(1);
      }
    }
    start_ = SteadyClock::now();
    const double end = options_.seconds + options_.drain;
    std::vector<epoll_event> events(256);
    for (;;) {
      const double now = elapsed();
      if (now >= end) break;
      const auto due = std::min<std::size_t>(
          initiations_.size(),
          static_cast<std::size_t>(std::min(now, options_.seconds) * options_.rate));
      if (sent_ < due) send_until(due, now);
      const int ready = epoll_wait(epoll_, events.data(), static_cast<int>(events.size()), 1);
      for (int e = 0; e < ready; ++e) receive(static_cast<std::size_t>(events[e].data.u64));
    }
    close(epoll_);
    // Printed afterwards: a write to a file on a busy disk can block for a second (dirty-page
    // throttling), which would turn the fixed rate into a burst.
    for (std::size_t s = 0; s < static_cast<std::size_t>(std::ceil(end)) && s < seconds_.size();
         ++s) {
      print_second(s);
    }
  }

  void print_result() const {
    // Rates over the sending time after the warm-up second (the whole time for short runs).
    const double warm = options_.seconds >= 3 ? 1 : 0;
    std::uint64_t responses = 0, cookies = 0, window_sent = 0;
    std::uint64_t all_responses = 0, all_cookies = 0;
    for (std::size_t s = 0; s < seconds_.size(); ++s) {
      all_responses += seconds_[s].responses;
      all_cookies += seconds_[s].cookies;
      if (s >= warm && static_cast<double>(s) + 1 <= options_.seconds) {
        responses += seconds_[s].responses;
        cookies += seconds_[s].cookies;
        window_sent += seconds_[s].sent;
      }
    }
    const double window = std::floor(options_.seconds) - warm;
    std::printf(
        "total: sent %zu (send errors %llu), responses %llu, cookie replies %llu, unanswered "
        "%llu, invalid %llu; largest burst %zu\n",
        sent_, static_cast<unsigned long long>(send_errors_),
        static_cast<unsigned long long>(all_responses),
        static_cast<unsigned long long>(all_cookies),
        static_cast<unsigned long long>(sent_ - all_responses - all_cookies),
        static_cast<unsigned long long>(invalid_), largest_burst_);
    std::printf(
        "result offered=%.0f sent_per_s=%.0f responses_per_s=%.0f cookies_per_s=%.0f "
        "unanswered=%llu invalid=%llu largest_burst=%zu sent=%zu responses=%llu cookies=%llu\n",
        options_.rate, static_cast<double>(window_sent) / window,
        static_cast<double>(responses) / window, static_cast<double>(cookies) / window,
        static_cast<unsigned long long>(sent_ - all_responses - all_cookies),
        static_cast<unsigned long long>(invalid_), largest_burst_, sent_,
        static_cast<unsigned long long>(all_responses),
        static_cast<unsigned long long>(all_cookies));
  }

 private:
  double elapsed() const {
    return std::chrono::duration<double>(SteadyClock::now() - start_).count();
  }

  Second& second_at(double t) {
    return seconds_[std::min(static_cast<std::size_t>(t), seconds_.size() - 1)];
  }

  std::size_t socket_of(std::size_t message) const {
    return initiations_[message].peer % sockets_.size();
  }

  // Sends messages [sent_, due), one sendmmsg per socket.
  void send_until(std::size_t due, double now) {
    batches_.resize(sockets_.size());
    for (auto& batch : batches_) batch.clear();
    for (std::size_t k = sent_; k < due; ++k) batches_[socket_of(k)].push_back(k);
    for (std::size_t s = 0; s < sockets_.size(); ++s) {
      const auto& batch = batches_[s];
      if (batch.empty()) continue;
      iovecs_.resize(batch.size());
      headers_.assign(batch.size(), mmsghdr{});
      for (std::size_t i = 0; i < batch.size(); ++i) {
        auto& message = initiations_[batch[i]].message;
        iovecs_[i] = {message.data(), message.size()};
        headers_[i].msg_hdr.msg_iov = &iovecs_[i];
        headers_[i].msg_hdr.msg_iovlen = 1;
      }
      std::size_t done = 0;
      while (done < batch.size()) {
        const int n = sendmmsg(sockets_[s], headers_.data() + done,
                               static_cast<unsigned>(batch.size() - done), 0);
        if (n <= 0) {
          send_errors_ += batch.size() - done;  // the socket buffer is full: not sent
          break;
        }
        done += static_cast<std::size_t>(n);
      }
    }
    second_at(now).sent += due - sent_;
    largest_burst_ = std::max(largest_burst_, due - sent_);
    sent_ = due;
  }

  void receive(std::size_t socket) {
    constexpr std::size_t kBatch = 64;
    std::uint8_t buffers[kBatch][256];
    iovec iovecs[kBatch];
    mmsghdr headers[kBatch];
    for (;;) {
      for (std::size_t i = 0; i < kBatch; ++i) {
        iovecs[i] = {buffers[i], sizeof buffers[i]};
        headers[i] = mmsghdr{};
        headers[i].msg_hdr.msg_iov = &iovecs[i];
        headers[i].msg_hdr.msg_iovlen = 1;
      }
      const int n = recvmmsg(sockets_[socket], headers, kBatch, MSG_DONTWAIT, nullptr);
      if (n <= 0) return;
      Second& second = second_at(elapsed());
      for (int i = 0; i < n; ++i) {
        classify(socket, buffers[i], headers[i].msg_len, second);
      }
      if (static_cast<std::size_t>(n) < kBatch) return;
    }
  }

  void classify(std::size_t socket, const std::uint8_t* data, std::size_t length, Second& second) {
    const bool header_ok = length >= 4 && data[1] == 0 && data[2] == 0 && data[3] == 0;
    const bool response = header_ok && length == wg::kResponseSize &&
                          data[0] == static_cast<std::uint8_t>(wg::MessageType::kResponse);
    const bool cookie = header_ok && length == wg::kCookieReplySize &&
                        data[0] == static_cast<std::uint8_t>(wg::MessageType::kCookieReply);
    if (!response && !cookie) {
      ++invalid_;
      return;
    }
    // Response: type, sender, receiver; cookie reply: type, receiver.
    const std::uint32_t receiver = crypto::read_index(data + (response ? 8 : 4));
    const std::uint32_t k = receiver - first_index_;
    if (k >= sent_ || answered_[k] || socket_of(k) != socket) {
      ++invalid_;
      return;
    }
    answered_[k] = true;
    ++(response ? second.responses : second.cookies);
  }

  void print_second(std::size_t s) const {
    std::printf("[%3zu s] sent %7llu  responses %7llu  cookie replies %7llu\n", s + 1,
                static_cast<unsigned long long>(seconds_[s].sent),
                static_cast<unsigned long long>(seconds_[s].responses),
                static_cast<unsigned long long>(seconds_[s].cookies));
    std::fflush(stdout);
  }

  const Options& options_;
  std::vector<bench::Initiation> initiations_;
  std::uint32_t first_index_;
  std::vector<int> sockets_;
  std::vector<bool> answered_;
  std::vector<Second> seconds_;
  int epoll_ = -1;
  SteadyClock::time_point start_;
  std::size_t sent_ = 0;
  std::uint64_t send_errors_ = 0;
  std::uint64_t invalid_ = 0;
  std::size_t largest_burst_ = 0;  // most messages sent at once (after a late wake-up)
  std::vector<std::vector<std::size_t>> batches_;
  std::vector<iovec> iovecs_;
  std::vector<mmsghdr> headers_;
};

}  // namespace

int main(int argc, char** argv) {
  const Options options = parse_options(argc, argv);
  if (sodium_init() < 0) return 1;
  auto initiators = bench::make_initiators(*options.responder, options.peers, options.seed);
  if (!options.keys_out.empty()) {
    write_keys(options.keys_out, initiators);
    if (!options.target) return 0;
  }

  const double count_wanted = std::ceil(options.rate * options.seconds);
  if (count_wanted > static_cast<double>(1 << 24)) {
    std::fprintf(stderr, "rate x seconds above 2^24 initiations\n");
    return 2;
  }
  bench::InitiationPlan plan;
  plan.count = static_cast<std::size_t>(count_wanted);
  plan.first_timestamp = std::chrono::system_clock::now();
  plan.step = std::chrono::nanoseconds(crypto::kTai64nNanosecondGranularity);
  // Room for count indices below 2^32; never 0.
  plan.first_sender_index = 1 + randombytes_uniform(0xFFFFFFFFu - (1u << 24) - 1);
  plan.macs_at = crypto::Clock::now();
  const auto built_at = SteadyClock::now();
  auto initiations = bench::build_initiations(initiators, plan);
  const double build_s = std::chrono::duration<double>(SteadyClock::now() - built_at).count();
  const auto last_timestamp =
      plan.first_timestamp +
      plan.step * static_cast<std::int64_t>((plan.count - 1) / options.peers);

  char target[INET_ADDRSTRLEN] = {};
  inet_ntop(AF_INET, &options.target->sin_addr, target, sizeof target);
  std::printf(
      "handshake_flood: %zu initiations from %zu peers (%zu sockets) to %s:%u at %.0f/s for %.1f "
      "s (+%.1f s drain); built in %.2f s\n",
      plan.count, options.peers, options.sockets, target, ntohs(options.target->sin_port),
      options.rate, options.seconds, options.drain, build_s);
  std::fflush(stdout);

  Flood flood(options, std::move(initiations), plan.first_sender_index,
              open_sockets(options.sockets, *options.target, options.sources));
  flood.run();
  flood.print_result();
  if (last_timestamp > std::chrono::system_clock::now()) {
    std::fprintf(stderr,
                 "warning: the last timestamps lie in the future; a run started now may be "
                 "refused as replayed\n");
  }
  return 0;
}
