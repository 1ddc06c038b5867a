// The spin policy (spin_policy.h).
#include "spin_policy.h"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>
#include <uv.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace rxfuse {

void SpinPolicy::Configure(int64_t spinNs, bool adaptive) {
  spinNs_ = spinNs;
  adaptive_ = adaptive;
  uncontended_ = true;
}

bool SpinPolicy::Spinning() const { return spinNs_ > 0 && uncontended_ && uv_hrtime() >= pausedUntil_; }

bool SpinPolicy::Wait(int fd) {
  if (spinNs_ <= 0) return false;
  uint64_t now = uv_hrtime();
  if (now - sampledAt_ > 2000000ULL) SampleCpuPressure(now);
  if (now < pausedUntil_ || !uncontended_) return false;
  pollfd p;
  p.fd = fd;
  p.events = POLLIN;
  const uint64_t deadline = now + uint64_t(spinNs_);
  bool hit = false;
  do {
    p.revents = 0;
    if (poll(&p, 1, 0) > 0) {
      hit = true;
      break;
    }
  } while (uv_hrtime() < deadline);
  if (adaptive_) {
    // Success rate as an exponentially weighted average (1/8 per spin).
    hitRate_ = hitRate_ - hitRate_ / 8 + (hit ? 1.0 / 8 : 0);
    if (hitRate_ < 0.25) {
      pausedUntil_ = uv_hrtime() + missPauseNs_;
      missPauseNs_ = missPauseNs_ * 2 > 200000000ULL ? 200000000ULL : missPauseNs_ * 2;
      hitRate_ = 0.5;
    } else if (hit) {
      missPauseNs_ = 1000000ULL;
    }
  }
  spins_++;
  if (hit) hits_++;
  return hit;
}

// Whether spinning steals a CPU from somebody: the kernel's CPU pressure (/proc/pressure/cpu, the
// time some runnable thread waited for a CPU), as a rate averaged over time (100 ms time constant).
// Spinning while others wait for a CPU slows them more than the spin gains (two clients on two
// cores, for one); on an uncontended machine the pressure is near zero and spinning costs nobody
// anything. While the average is above 5 %, spinning stops; a pause starts when contention begins
// and is longer each time it is back right after the last one. Some kernels account the pressure in
// steps of ~4 ms: read over a 2 ms window and averaged per sample, as an earlier version did, one
// step counted as 200 % and every sample after it doubled the pause, up to a second
// (performance.md, 2026-12-05). Without PSI, the running count of /proc/loadavg stands in.
void SpinPolicy::SampleCpuPressure(uint64_t now) {
  bool contended;
  int fd = open("/proc/pressure/cpu", O_RDONLY | O_CLOEXEC);
  if (fd >= 0) {
    char buf[256];
    ssize_t n = read(fd, buf, sizeof(buf) - 1);
    close(fd);
    if (n <= 0) return;
    buf[n] = 0;
    const char* t = strstr(buf, "total=");
    if (!t) return;
    unsigned long long total = strtoull(t + 6, nullptr, 10);
    if (sampledAt_ == 0 || now <= sampledAt_) {
      lastStall_ = total;
      sampledAt_ = now;
      return;
    }
    // The stall rate, averaged over time with a 100 ms time constant whatever the sampling interval.
    double dt = double(now - sampledAt_) / double(kPressureTauNs);
    pressureAvg_ = pressureAvg_ * std::exp(-dt) + double(total - lastStall_) * 1000.0 / double(kPressureTauNs);
    lastStall_ = total;
    contended = pressureAvg_ > 0.05;
  } else {
    fd = open("/proc/loadavg", O_RDONLY | O_CLOEXEC);
    if (fd < 0) return;
    char buf[128];
    ssize_t n = read(fd, buf, sizeof(buf) - 1);
    close(fd);
    if (n <= 0) return;
    buf[n] = 0;
    double a, b, c;
    int running = 0, total = 0;
    if (sscanf(buf, "%lf %lf %lf %d/%d", &a, &b, &c, &running, &total) != 5) return;
    double cores = double(sysconf(_SC_NPROCESSORS_ONLN));
    contended = running > cores;
  }
  sampledAt_ = now;
  if (!adaptive_) {
    uncontended_ = true;
    return;
  }
  if (contended) {
    uncontended_ = false;
    if (now >= pausedUntil_) {  // a new pause, longer when contention is back right after the last one
      pausedUntil_ = now + contentionPauseNs_;
      contentionPauseNs_ = contentionPauseNs_ * 2 > 1000000000ULL ? 1000000000ULL : contentionPauseNs_ * 2;
    }
  } else {
    uncontended_ = true;
    if (now > pausedUntil_ + 100000000ULL) contentionPauseNs_ = 20000000ULL;  // calm for 100 ms
  }
}

}  // namespace rxfuse
