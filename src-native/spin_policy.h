// The spin policy: whether, and how long, the receive loop busy-polls the session fd after it ran
// dry (docs/design.md, "The busy-poll"). Waking a sleeping thread costs more than the next
// request's round trip, so a short spin pays when requests come back to back. Adaptive: spinning
// pauses when recent spins mostly waited in vain, and while the CPU is contended (the kernel's CPU
// pressure says runnable threads wait for a CPU: the clients need it more than we do).
#pragma once

#include <cstdint>

namespace rxfuse {

class SpinPolicy {
 public:
  // setLoop(): spin for up to spinNs after the fd ran dry (0: never); adaptive as above.
  void Configure(int64_t spinNs, bool adaptive);
  int64_t SpinNs() const { return spinNs_; }
  bool Adaptive() const { return adaptive_; }
  // Busy-polls fd for up to the spin time, if the policy allows it now: true when a request arrived.
  bool Wait(int fd);
  // Whether the next Wait() would spin (loopStats().spinning).
  bool Spinning() const;
  uint64_t Spins() const { return spins_; }
  uint64_t Hits() const { return hits_; }

 private:
  void SampleCpuPressure(uint64_t now);

  int64_t spinNs_ = 0;
  bool adaptive_ = true;
  // Misses: the success rate of recent spins, and the pause once it falls too low.
  double hitRate_ = 0.5;
  uint64_t pausedUntil_ = 0;
  uint64_t missPauseNs_ = 1000000;
  // CPU pressure (SampleCpuPressure).
  static constexpr uint64_t kPressureTauNs = 100000000ULL;
  uint64_t sampledAt_ = 0;
  double pressureAvg_ = 0;
  unsigned long long lastStall_ = 0;
  uint64_t contentionPauseNs_ = 20000000;
  bool uncontended_ = true;
  uint64_t spins_ = 0;
  uint64_t hits_ = 0;
};

}  // namespace rxfuse
