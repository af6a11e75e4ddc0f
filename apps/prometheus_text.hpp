// One stats snapshot (apps/stats_snapshot.hpp, the control socket's "stats" answer) in the
// Prometheus text exposition format 0.0.4, which GET /metrics serves. A pure function of the
// snapshot: no clock, no state between scrapes, so any number of scrapers see the same thing.
//
// Names follow Prometheus conventions: counters end in _total, times are seconds (the snapshot's
// nanoseconds / 1e9), shares are _ratio; every family has HELP and TYPE lines. Per stage (label
// `stage`, the actor's name) and per peer (label `peer`, its base64 public key: the snapshot holds
// no other key). Drop reasons appear once they have happened (the snapshot lists non-zero ones).
//
// actorwire_stage_busy_ratio is busy seconds over wall-clock seconds since the daemon started
// (the live view's busy %), not since the previous scrape: a scrape must not reset anything
// another scraper (a second Prometheus, curl) relies on. The recent share is PromQL's business,
// and simple, since busy seconds per second are that share:
//   rate(actorwire_stage_busy_seconds_total[1m])
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace actorwire::apps {

inline constexpr const char* kPrometheusContentType = "text/plain; version=0.0.4; charset=utf-8";

std::string prometheus_text(const nlohmann::json& snapshot);

// A label value as the text format wants it: backslash, double quote and newline escaped.
std::string escape_label_value(std::string_view value);

}  // namespace actorwire::apps
