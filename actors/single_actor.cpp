#include "actors/single_actor.hpp"

#include <rte_cycles.h>
#include <rte_mbuf.h>

#include <array>
#include <chrono>

#include "actors/messages.hpp"
#include "caf/all.hpp"
#include "crypto/messages.hpp"
#include "io/byte_order.hpp"
#include "io/eal.hpp"
#include "io/encapsulation.hpp"
#include "io/headers.hpp"

namespace actorwire::actors {
namespace {

constexpr std::size_t kMaxBurst = 256;
constexpr int kLoopsPerPoll = 32;
// Re-send an ARP request for an unresolved next hop at most this often.
constexpr auto kArpRetryInterval = std::chrono::seconds(1);

std::uint64_t cycles_to_ns(std::uint64_t cycles) {
  static const double ns_per_cycle = 1e9 / static_cast<double>(rte_get_tsc_hz());
  return static_cast<std::uint64_t>(static_cast<double>(cycles) * ns_per_cycle);
}

// One port's side: identity, neighbours, pending transmissions.
struct PortSide {
  io::Port* port = nullptr;
  io::NeighbourTable neighbours;
  std::array<rte_mbuf*, kMaxBurst * 4> tx{};
  std::size_t tx_count = 0;
  std::chrono::steady_clock::time_point last_arp_request{};

  void init(io::Port* p) {
    port = p;
    for (const auto& neighbour : p->static_neighbours()) {
      if (!neighbour.address.is_v6)
        neighbours.add_static(neighbour.address.v4_host_order(), neighbour.mac);
    }
  }
};

class SingleLoop {
 public:
  explicit SingleLoop(const SingleActorContext& context)
      : context_(context),
        counters_(*context.counters),
        peers_(*context.peers),
        aead_(crypto::make_aead(context.config->crypto.aead)),
        batch_(std::min<std::size_t>(context.config->topology.batch_size, kMaxBurst)),
        mtu_(context.config->interface.mtu),
        listen_port_(context.config->interface.listen_port),
        // The WAN address is fixed for the actor's life: look it up once, not per packet.
        wan_source_ip_(context.wan->identity().primary_ipv4()) {
    lan_.init(context.lan);
    wan_.init(context.wan);
  }

  ~SingleLoop() {
    // Shutdown with transmissions still queued: count them, never lose them silently.
    for (PortSide* side : {&lan_, &wan_}) {
      for (std::size_t i = 0; i < side->tx_count; ++i) drop(side->tx[i], DropReason::kTxFull);
      side->tx_count = 0;
    }
  }
  SingleLoop(const SingleLoop&) = delete;
  SingleLoop& operator=(const SingleLoop&) = delete;

  // Runs up to kLoopsPerPoll receive/seal/transmit loops (fewer once the ports run dry), so
  // the cost of the CAF poll message is spread over many bursts.
  void poll() {
    io::register_current_thread();
    std::uint64_t busy_cycles = 0;
    std::uint64_t idle_cycles = 0;
    std::uint64_t start = rte_rdtsc();
    for (int loop = 0; loop < kLoopsPerPoll; ++loop) {
      // A port that did not take everything keeps the rest queued here; while a side has no
      // room for a whole batch the actor stops receiving, so overload backs up into the rx
      // rings and is dropped there (rx-missed), never in the middle of the gateway.
      const std::size_t received = has_room() ? receive_lan() + receive_wan() : 0;
      flush(lan_);
      flush(wan_);
      const std::uint64_t now = rte_rdtsc();
      (received > 0 ? busy_cycles : idle_cycles) += now - start;
      start = now;
      if (received == 0) break;
    }
    counters_.busy_ns.add(cycles_to_ns(busy_cycles));
    counters_.idle_ns.add(cycles_to_ns(idle_cycles));
  }

 private:
  // Each received packet adds at most one transmission (plus one ARP request per port).
  bool has_room() const {
    return lan_.tx_count + batch_ + 1 <= lan_.tx.size() &&
           wan_.tx_count + 2 * batch_ + 1 <= wan_.tx.size();
  }

  std::size_t receive(PortSide& side, rte_mbuf** mbufs) {
    const std::uint16_t count = side.port->rx_burst(0, mbufs, static_cast<std::uint16_t>(batch_));
    std::uint64_t bytes = 0;
    for (std::uint16_t i = 0; i < count; ++i) bytes += mbufs[i]->pkt_len;
    counters_.packets_in.add(count);
    counters_.bytes_in.add(bytes);
    return count;
  }

  void drop(rte_mbuf* mbuf, DropReason reason) {
    counters_.drop(reason);
    rte_pktmbuf_free(mbuf);
  }

  std::size_t receive_lan() {
    std::array<rte_mbuf*, kMaxBurst> mbufs;
    const std::size_t count = receive(lan_, mbufs.data());
    for (std::size_t i = 0; i < count; ++i) {
      rte_mbuf* mbuf = mbufs[i];
      auto* data = rte_pktmbuf_mtod(mbuf, std::uint8_t*);
      io::ParsedFrame frame;
      if (const auto error = io::parse_frame(data, mbuf->data_len, frame);
          error != io::FrameError::kNone) {
        drop(mbuf, drop_reason_for(error));
        continue;
      }
      if (frame.kind == io::FrameKind::kArp) {
        handle_arp(lan_, mbuf, frame);
        continue;
      }
      encrypt(mbuf, frame, data);
    }
    return count;
  }

  std::size_t receive_wan() {
    std::array<rte_mbuf*, kMaxBurst> mbufs;
    const std::size_t count = receive(wan_, mbufs.data());
    for (std::size_t i = 0; i < count; ++i) {
      rte_mbuf* mbuf = mbufs[i];
      io::ParsedFrame frame;
      if (const auto error =
              io::parse_frame(rte_pktmbuf_mtod(mbuf, std::uint8_t*), mbuf->data_len, frame);
          error != io::FrameError::kNone) {
        drop(mbuf, drop_reason_for(error));
      } else if (frame.kind == io::FrameKind::kArp) {
        handle_arp(wan_, mbuf, frame);
      } else {
        // The inbound (decrypt) direction arrives with the handshake issue.
        drop(mbuf, DropReason::kUnhandled);
      }
    }
    return count;
  }

  void encrypt(rte_mbuf* mbuf, const io::ParsedFrame& frame, const std::uint8_t* data) {
    const std::uint8_t* ip = data + frame.l3_offset;
    Peer* peer = frame.kind == io::FrameKind::kIpv4
                     ? peers_.find_by_destination_v4(io::load_be32(ip + 16))
                     : peers_.find_by_destination(io::read_ip_info(ip, true).destination);
    if (peer == nullptr) return drop(mbuf, DropReason::kNoPeer);
    if (!peer->send || peer->send->next_counter >= wg::kRejectAfterMessages) {
      return drop(mbuf, DropReason::kNoSession);
    }
    if (!peer->endpoint || peer->endpoint->address.is_v6) {
      return drop(mbuf, DropReason::kNoEndpoint);
    }
    const std::uint32_t endpoint_ip = peer->endpoint->address.v4_host_order();
    const config::MacAddress* next_hop_mac = resolve(wan_, endpoint_ip);
    if (next_hop_mac == nullptr) return drop(mbuf, DropReason::kNoNeighbour);

    const io::OuterIpv4Udp outer{
        wan_.port->identity().mac, *next_hop_mac, wan_source_ip_, endpoint_ip, listen_port_,
        peer->endpoint->port};
    const io::SealParams seal{&peer->send->key, peer->send->receiver_index,
                              peer->send->next_counter};
    switch (io::encapsulate(mbuf, frame, *aead_, seal, outer, mtu_, ip_id_++)) {
      case io::EncapsulateResult::kOk:
        break;
      case io::EncapsulateResult::kInnerTooBig:
        return drop(mbuf, DropReason::kInnerTooBig);
      case io::EncapsulateResult::kMultiSegment:
      case io::EncapsulateResult::kNoRoom:
        return drop(mbuf, DropReason::kNoBufferRoom);
    }
    ++peer->send->next_counter;
    ++peer->tx_packets;
    peer->tx_bytes += mbuf->pkt_len;
    wan_.tx[wan_.tx_count++] = mbuf;
  }

  // The MAC of the neighbour that leads to `destination`; sends a (rate-limited) ARP request
  // and returns nullptr while unresolved.
  const config::MacAddress* resolve(PortSide& side, std::uint32_t destination) {
    const auto hop = side.port->identity().next_hop_for(destination);
    if (!hop) return nullptr;
    if (const auto* mac = side.neighbours.find(*hop)) return mac;
    const auto now = std::chrono::steady_clock::now();
    if (now - side.last_arp_request >= kArpRetryInterval) {
      side.last_arp_request = now;
      send_arp_request(side, *hop);
    }
    return nullptr;
  }

  void send_arp_request(PortSide& side, std::uint32_t target) {
    rte_mbuf* mbuf = rte_pktmbuf_alloc(context_.pool);
    if (mbuf == nullptr) return;
    auto* data = reinterpret_cast<std::uint8_t*>(rte_pktmbuf_append(mbuf, io::kArpFrameSize));
    io::write_arp_frame(data, io::kBroadcastMac,
                        io::make_arp_request(side.port->identity(), target));
    counters_.packets_generated.add(1);
    side.tx[side.tx_count++] = mbuf;
  }

  void handle_arp(PortSide& side, rte_mbuf* mbuf, const io::ParsedFrame& frame) {
    auto* data = rte_pktmbuf_mtod(mbuf, std::uint8_t*);
    io::ArpPacket reply;
    switch (io::process_arp(io::read_arp(data + frame.l3_offset), side.port->identity(),
                            side.neighbours, reply)) {
      case io::ArpAction::kIgnore:
        return drop(mbuf, DropReason::kNotForUs);
      case io::ArpAction::kLearned:
        // Consumed: it did its job by teaching us a neighbour.
        counters_.packets_consumed.add(1);
        rte_pktmbuf_free(mbuf);
        return;
      case io::ArpAction::kReply:
        break;
    }
    const std::size_t length = io::write_arp_frame(data, reply.target_mac, reply);
    mbuf->data_len = static_cast<std::uint16_t>(length);
    mbuf->pkt_len = static_cast<std::uint32_t>(length);
    side.tx[side.tx_count++] = mbuf;
  }

  void flush(PortSide& side) {
    if (side.tx_count == 0) return;
    const std::uint16_t sent =
        side.port->tx_burst(0, side.tx.data(), static_cast<std::uint16_t>(side.tx_count));
    std::uint64_t bytes = 0;
    for (std::uint16_t i = 0; i < sent; ++i) bytes += side.tx[i]->pkt_len;
    counters_.packets_out.add(sent);
    counters_.bytes_out.add(bytes);
    // Keep what the port did not take, in order, for the next loop.
    std::copy(side.tx.begin() + sent, side.tx.begin() + side.tx_count, side.tx.begin());
    side.tx_count -= sent;
  }

  const SingleActorContext& context_;
  StageCounters& counters_;
  PeerTable& peers_;  // owned by the context, used by this actor only
  std::unique_ptr<crypto::Aead> aead_;
  std::size_t batch_;
  std::uint16_t mtu_;
  std::uint16_t listen_port_;
  std::uint32_t wan_source_ip_;
  std::uint16_t ip_id_ = 0;
  PortSide lan_;
  PortSide wan_;
};

struct SingleState {
  std::unique_ptr<SingleLoop> loop;
};

caf::behavior single_behavior(caf::stateful_actor<SingleState>* self,
                              std::shared_ptr<SingleActorContext> context) {
  self->state.loop = std::make_unique<SingleLoop>(*context);
  // Keep the context (ports, config, counters) alive as long as the loop runs.
  self->attach_functor([context] {});
  self->send(self, poll_atom::value);
  return {
      [self](poll_atom) {
        self->state.loop->poll();
        self->send(self, poll_atom::value);
      },
  };
}

}  // namespace

caf::actor spawn_single_actor(caf::actor_system& system,
                              std::shared_ptr<SingleActorContext> context) {
  return system.spawn<caf::detached>(single_behavior, std::move(context));
}

}  // namespace actorwire::actors
