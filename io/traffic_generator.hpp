// Deterministic test traffic: frame `seq` is a pure function of the pattern and seq, so a test
// (or the sink) can rebuild exactly what went in. Ethernet / IPv4 / UDP with the sequence
// number in the first 8 payload bytes (the next 8 hold the send time when the bench measures
// latency: io/send_stamp.hpp); flows vary destination address and source port.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "config/gateway_config.hpp"

struct rte_mbuf;

namespace actorwire::io {

struct TrafficPattern {
  config::MacAddress destination_mac;  // the gateway's LAN port
  config::MacAddress source_mac{{0x02, 0, 0, 0, 0, 0xFE}};
  std::uint32_t source_ip = 0;          // host order
  config::IpPrefix destination_prefix;  // flows pick hosts inside it
  std::uint32_t flows = 1;
  std::vector<std::uint16_t> ip_sizes{64};  // inner IP packet sizes, round-robin by seq
};

class TrafficGenerator {
 public:
  static constexpr std::size_t kMinIpSize = 28;  // IPv4 + UDP headers
  static constexpr std::size_t kMaxIpSize = 1500;
  static constexpr std::uint16_t kDestinationPort = 5001;  // UDP, every flow
  static constexpr std::size_t kSequenceSize = 8;          // payload bytes holding `seq`

  explicit TrafficGenerator(TrafficPattern pattern);

  std::size_t frame_length(std::uint64_t seq) const;
  // The flow frame `seq` belongs to (0..flows-1). Frames of one flow share their addresses and
  // ports (what RSS hashes); only the IP id, size and payload differ.
  std::uint32_t flow_of(std::uint64_t seq) const {
    return static_cast<std::uint32_t>(seq % pattern_.flows);
  }
  // Writes frame `seq` to `out` (at least frame_length(seq) bytes); returns its length.
  std::size_t write_frame(std::uint64_t seq, std::uint8_t* out) const;
  // Resets `mbuf` to hold frame `seq`; false if it does not fit.
  bool fill(rte_mbuf* mbuf, std::uint64_t seq) const;
  // The sequence number inside an inner IPv4/UDP packet this generator made, if long enough.
  static std::optional<std::uint64_t> sequence_of(const std::uint8_t* ip_packet,
                                                  std::size_t length);
  const TrafficPattern& pattern() const { return pattern_; }

 private:
  TrafficPattern pattern_;
  std::uint32_t host_count_ = 1;
  std::vector<std::uint8_t> payload_pattern_;
};

}  // namespace actorwire::io
