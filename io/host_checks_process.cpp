// What the process brings: its privileges, and the CPU features the AEAD back-end uses.
#include <algorithm>
#include <sstream>

#include "io/host_checks.hpp"

namespace actorwire::io {
namespace {

using Verdict = CheckLine::Verdict;

constexpr int kCapNetAdmin = 12;
constexpr int kCapNetRaw = 13;

bool uses(const HostNeeds& needs, PortDevice::Kind kind) {
  return std::any_of(needs.ports.begin(), needs.ports.end(),
                     [kind](const PortDevice& port) { return port.kind == kind; });
}

// The effective user id from /proc/self/status ("Uid: real effective saved fs").
std::optional<long> effective_uid(const HostTree& host) {
  std::istringstream lines(host.read("/proc/self/status").value_or(""));
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("Uid:", 0) != 0) continue;
    long real = -1;
    long effective = -1;
    std::istringstream(line.substr(4)) >> real >> effective;
    if (effective >= 0) return effective;
  }
  return std::nullopt;
}

std::vector<std::string> cpu_flags(const HostTree& host) {
  std::istringstream lines(host.read("/proc/cpuinfo").value_or(""));
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("flags", 0) != 0) continue;
    std::istringstream words(line.substr(line.find(':') + 1));
    std::vector<std::string> flags;
    for (std::string word; words >> word;) flags.push_back(word);
    return flags;
  }
  return {};
}

}  // namespace

CheckLines check_privileges(const HostTree& host, const HostNeeds& needs) {
  const bool root = effective_uid(host) == 0;
  const bool dpdk_needs_root = !needs.eal.no_huge || uses(needs, PortDevice::Kind::kPci);
  CheckLines lines;
  if (dpdk_needs_root && !root) {
    lines.push_back({Verdict::kProblem, "privileges",
                     "not root: DPDK needs root for huge pages and vfio-pci (DPDK's Linux guide, "
                     "\"Running DPDK Applications Without Root Privileges\", lists the "
                     "alternative)",
                     "run actorwire as root (sudo, or the systemd unit)"});
  }
  if (uses(needs, PortDevice::Kind::kAfPacket) && !has_capability(host, kCapNetRaw)) {
    lines.push_back({Verdict::kProblem, "privileges",
                     "no CAP_NET_RAW: net_af_packet cannot open its packet socket",
                     "run actorwire as root (systemd: AmbientCapabilities=CAP_NET_RAW)"});
  }
  if (uses(needs, PortDevice::Kind::kTap) && !has_capability(host, kCapNetAdmin)) {
    lines.push_back({Verdict::kProblem, "privileges",
                     "no CAP_NET_ADMIN: net_tap cannot create its interface",
                     "run actorwire as root (systemd: AmbientCapabilities=CAP_NET_ADMIN)"});
  }
  if (lines.empty()) {
    lines.push_back({Verdict::kOk, "privileges",
                     root ? "root" : "none needed (in-process ports, --no-huge)", ""});
  }
  return lines;
}

CheckLines check_cpu_features(const HostTree& host, crypto::AeadKind aead) {
  const auto flags = cpu_flags(host);
  const auto has = [&flags](const char* flag) {
    return std::find(flags.begin(), flags.end(), flag) != flags.end();
  };
  const std::string subject = "cpu";
  if (flags.empty()) {
    return {{Verdict::kNote, subject, "no x86 flags in /proc/cpuinfo; not checked", ""}};
  }
  const std::string vm_fix =
      "a CPU with AVX2 (in a VM: pass the host's CPU model, e.g. qemu "
      "-cpu host or libvirt host-passthrough)";
  if (!has("ssse3")) {
    return {{Verdict::kProblem, subject,
             "no SSSE3: ChaCha20-Poly1305 falls back to plain C code in both back-ends, several "
             "times slower",
             vm_fix}};
  }
  if (aead == crypto::AeadKind::kIpsecMb || aead == crypto::AeadKind::kAuto) {
    const std::string who = aead == crypto::AeadKind::kAuto
                                ? "aead \"auto\" picks intel-ipsec-mb: it"
                                : "intel-ipsec-mb";
    if (has("avx512f")) {
      return {{Verdict::kOk, subject, "AVX-512F: " + who + " runs its AVX-512 code", ""}};
    }
    if (has("avx2")) return {{Verdict::kOk, subject, "AVX2: " + who + " runs its AVX2 code", ""}};
    if (aead == crypto::AeadKind::kAuto) {
      return {{Verdict::kNote, subject,
               "no AVX2: aead \"auto\" uses OpenSSL's SSSE3 code, about half of AVX2's speed",
               vm_fix}};
    }
    return {{Verdict::kNote, subject,
             "no AVX2: intel-ipsec-mb runs its SSE code, slower than OpenSSL here", vm_fix}};
  }
  if (aead == crypto::AeadKind::kOpenSsl) {
    if (has("avx512f")) {
      return {{Verdict::kOk, subject, "AVX-512F: OpenSSL's ChaCha20-Poly1305 runs its AVX-512 code",
               ""}};
    }
    if (has("avx2")) {
      return {{Verdict::kOk, subject, "AVX2: OpenSSL's ChaCha20-Poly1305 runs its AVX2 code", ""}};
    }
    return {{Verdict::kNote, subject,
             "SSSE3 but no AVX2: OpenSSL's ChaCha20 runs its SSSE3 code, about half of AVX2's "
             "speed",
             vm_fix}};
  }
  if (!has("avx2")) {
    return {{Verdict::kNote, subject,
             "SSSE3 but no AVX2: libsodium's ChaCha20 runs its SSSE3 code, about half of AVX2's "
             "speed",
             vm_fix}};
  }
  CheckLines lines{{Verdict::kOk, subject,
                    "AVX2: libsodium's ChaCha20 runs its AVX2 code (it has no AVX-512)", ""}};
  if (has("avx512f")) {
    lines.push_back({Verdict::kNote, subject,
                     "AVX-512F present: OpenSSL's AVX-512 code is faster than libsodium's",
                     "[crypto] aead = \"openssl\""});
  }
  return lines;
}

}  // namespace actorwire::io
