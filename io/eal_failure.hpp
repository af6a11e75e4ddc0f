// rte_eal_init's failures as one line that names the cause and the fix, instead of the bare
// errno it leaves ("Permission denied" for a host without huge pages). A pure function of
// rte_errno and the EAL's own log text, so every mapping is tested without a failing EAL.
#pragma once

#include <string>

namespace actorwire::io {

// `eal_log` is what the EAL logged during rte_eal_init; the result starts with "EAL: ".
std::string explain_eal_failure(int rte_errno_value, const std::string& eal_log);

}  // namespace actorwire::io
