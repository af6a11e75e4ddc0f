// What a [[port]] device string names, without asking DPDK: a PCI address or a virtual device
// and its arguments. The port set-up and `actorwire doctor` read device strings the same way.
#pragma once

#include <string>

namespace actorwire::io {

struct PortDevice {
  enum class Kind { kPci, kRing, kTap, kAfPacket, kOtherVdev };
  Kind kind = Kind::kOtherVdev;
  std::string name;         // the part before the first ',': what DPDK names the port
  std::string args;         // the vdev arguments after it ("iface=veth0,qpairs=2"), if any
  std::string pci_address;  // kPci: domain:bus:device.function, "0000:" added when left out
  std::string iface;        // kTap, kAfPacket: the kernel interface (`iface=`), if given
};

PortDevice parse_port_device(const std::string& device);

// The value of `key` in a vdev argument list "key=value,key=value"; empty if absent.
std::string devarg_value(const std::string& args, const std::string& key);

}  // namespace actorwire::io
