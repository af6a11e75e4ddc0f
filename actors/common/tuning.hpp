// Every tuning constant of the actors in one place, so that two stages can never disagree on
// what one name means (an earlier tree had kBurstsPerPoll = 8 in one file and 16 in another).
// Protocol constants (WireGuard's timers and limits) live in crypto/messages.hpp instead; what
// a user may change lives in the config.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>

namespace actorwire::actors::tuning {

// --- polling ---------------------------------------------------------------------------------
// The most packets one rx burst takes, whatever `batch_size` says (stack arrays are this big).
inline constexpr std::size_t kMaxBurst = 256;
// Bursts per `poll` message of a busy-polling actor: CAF's per-message cost is spread over
// them, while exit and control messages still get a turn between polls.
inline constexpr int kDataPathBurstsPerPoll = 32;  // single / workers: rx+seal+tx per burst
inline constexpr int kRxBurstsPerPoll = 16;        // pipeline rx: one burst per port per loop
inline constexpr int kHarnessBurstsPerPoll = 8;    // generator and sink
// Frames prefetched ahead of the one being parsed (dataplane/frame_prefetch.hpp; l3fwd uses 3-8).
inline constexpr std::size_t kPrefetchAhead = 4;
// A momentarily empty ring is common at high rates (the feeder refills in bursts): a
// run-to-completion actor looks again this many times before it yields the poll.
inline constexpr int kEmptyLoopsBeforeYield = 4;
// A scheduled (not detached) poller whose queues were empty looks again after this long; it
// frees the scheduler thread for other actors meanwhile.
inline constexpr auto kIdlePause = std::chrono::microseconds(20);
// Idle back-off (common/idle_backoff.hpp, [dpdk] idle_backoff_max_us): a poller on a thread of
// its own keeps polling at full speed for this many empty polls in a row (~100-250 us: a gap
// between bursts under load costs no sleep), then sleeps 1 us, 2 us, 4 us, ... up to the
// configured maximum. A scheduled poller pauses kIdlePause for kScheduledPausesBeforeBackoff
// empty polls (as it always did), then doubles its pause up to the maximum.
inline constexpr unsigned kEmptyPollsBeforeSleep = 256;
inline constexpr unsigned kScheduledPausesBeforeBackoff = 8;
inline constexpr auto kFirstIdleSleep = std::chrono::microseconds(1);
// Timer slack of a sleeping poller's thread: Linux lets a sleep run late by the thread's slack
// (50 us by default) to batch wake-ups, which would add up to 50 us to every first packet.
inline constexpr unsigned long kIdleSleepTimerSlackNs = 1000;
// The generator retries a full ring after this long; the sink polls empty rings this often.
inline constexpr auto kGeneratorPause = std::chrono::microseconds(20);
inline constexpr auto kSinkPause = std::chrono::microseconds(50);
// While traffic flows, the generator's pause after filling its ring and the sink's after draining
// its rings adapt (common/ring_pause.hpp) within [the pauses above, this]: a 1024-frame ring
// port drains or fills in ~1 ms at 1 Mpps, so a wake-up moves a quarter to a half of it.
inline constexpr auto kHarnessMaxRingPause = std::chrono::microseconds(400);
// The sink stands for the wire, not the gateway: when idle it backs off up to this many times the
// gateway's idle_backoff_max_us (with 2 ms: 4 ms, which its 1024-frame rings plus the gateway's
// kTxHighWater-frame queue cover up to ~500 kpps), so the harness does not cost an idle gateway
// more CPU than the gateway itself (each of its polls wakes CAF's timer thread twice and a
// scheduler thread once).
inline constexpr int kSinkBackoffFactor = 2;
inline constexpr unsigned kGeneratorBurst = 32;
inline constexpr unsigned kSinkBurst = 64;

// --- transmit back-pressure ------------------------------------------------------------------
// Above this many frames queued for a port, the transmitting actor stops taking new input
// (run to completion: it stops receiving; pipeline tx: it withholds credits), so overload
// backs up into the rx rings and is dropped there, never in the middle of the gateway.
inline constexpr std::size_t kTxHighWater = 1024;
// Pipeline tx retries a port that did not take everything after this long.
inline constexpr auto kTxRetryPause = std::chrono::microseconds(20);

// --- neighbours (ARP) ------------------------------------------------------------------------
// Frames parked for an unresolved neighbour (the kernel keeps a similar small queue per
// neighbour); beyond this the oldest is dropped as no_neighbour.
inline constexpr std::size_t kMaxAwaitingNeighbour = 64;
// Frames that wait longer than this for ARP are dropped as no_neighbour.
inline constexpr auto kNeighbourTimeout = std::chrono::seconds(3);
inline constexpr auto kArpRetryInterval = std::chrono::seconds(1);

// --- data plane <-> control actor ------------------------------------------------------------
// Handshake messages in flight to the control actor: a flood beyond this is dropped at the
// data plane (handshake_busy) instead of growing the control actor's mailbox.
inline constexpr std::uint32_t kHandshakeCredits = 256;
// Activity reports to the control actor at most this often (urgent ones at once). A report
// carries one entry per peer that had traffic, with the events' own times, so the interval only
// delays when the control actor learns of them: its timers are seconds (keepalive 10 s, rekey
// timeout 5 s). At 20 ms, 10,000 busy peers cost the reporting actor an entry per ~1.5 packets.
inline constexpr auto kActivityReportInterval = std::chrono::milliseconds(100);
// A peer whose packets wait for keys asks for a handshake at most this often.
inline constexpr auto kHandshakeRequestInterval = std::chrono::seconds(1);
// The control actor checks its timers this often.
inline constexpr auto kControlTickInterval = std::chrono::milliseconds(50);

// --- stopping -------------------------------------------------------------------------------
// Gateway::stop() stops receiving, then lets what is inside the graph (batches in mailboxes, the
// ordered pipeline's reorder buffer, frames queued for a port) finish until no mailbox holds a
// batch and no counter has moved for kDrainQuietPeriod (plus the longest idle sleep, so a
// sleeping poller had its turn), at most kDrainTimeout; then the actors exit and free what
// still waits (packets staged for a handshake, frames parked for ARP/ND), counted as drops.
// In-flight batches finish in microseconds; the quiet period is long enough for a busy 2-core
// VM that takes a scheduler thread away for milliseconds. The bound is what a stuck stage may
// cost a SIGTERM.
inline constexpr auto kDrainQuietPeriod = std::chrono::milliseconds(10);
inline constexpr auto kDrainTimeout = std::chrono::milliseconds(500);
// How long Gateway::change_peers waits for each owner of peer state to apply a reload. Applying
// takes microseconds to milliseconds (a table rebuild for thousands of peers); only an actor that
// has stopped takes this long.
inline constexpr auto kPeerChangeTimeout = std::chrono::seconds(5);

}  // namespace actorwire::actors::tuning
