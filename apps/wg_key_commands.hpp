// `actorwire genkey`, `genpsk` and `pubkey`: the key tools of wg(8), byte for byte (base64 of 32
// bytes and a newline; genkey's key clamped like wg's; the same checks and exit codes for pubkey's
// input). Raw file descriptors rather than streams: the key text passes only through buffers that
// are wiped afterwards, never through a stream's buffer.
#pragma once

#include <ostream>

namespace actorwire::apps {

int genkey_command(int out_fd, std::ostream& err);
int genpsk_command(int out_fd, std::ostream& err);
// Reads a base64 private key from `in_fd` (trailing whitespace allowed), writes its public key.
int pubkey_command(int in_fd, int out_fd, std::ostream& err);

}  // namespace actorwire::apps
