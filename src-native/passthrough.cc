// Kernel passthrough through libfuse 3.14's custom io hooks (see passthrough.h).
#include "passthrough.h"

#include <fcntl.h>
#include <linux/fuse.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstring>

#define FUSE_USE_VERSION 35
#include <fuse_lowlevel.h>

#include "session.h"

namespace rxfuse {

namespace {

// Protocol 7.40 items that Debian 12's headers (7.38) and libfuse 3.14 lack.
constexpr uint32_t kFlags2Passthrough = 1u << 5;  // FUSE_PASSTHROUGH = 1ULL << 37, in flags2
constexpr uint32_t kFopenPassthrough = 1u << 7;   // FOPEN_PASSTHROUGH
// Only these may accompany FOPEN_PASSTHROUGH (KEEP_CACHE, for one, fails the open).
constexpr uint32_t kPassthroughCompatible = FOPEN_DIRECT_IO | (1u << 6) /* PARALLEL_DIRECT_WRITES */ | FOPEN_NOFLUSH;
struct BackingMap {
  int32_t fd;
  uint32_t flags;
  uint64_t padding;
};
constexpr unsigned long kIocBackingOpen = _IOW(229, 1, BackingMap);
constexpr unsigned long kIocBackingClose = _IOW(229, 2, uint32_t);

// fuse_init_in / fuse_init_out offsets (fuse_init_out.max_stack_depth is unused[0] before 7.40).
constexpr size_t kInitInFlags = 12, kInitInFlags2 = 16, kInitInMin = 20;
constexpr size_t kInitOutFlags = 12, kInitOutFlags2 = 32, kInitOutStackDepth = 36, kInitOutMin = 40;
static_assert(offsetof(fuse_init_in, flags) == kInitInFlags, "fuse_init_in layout");
static_assert(offsetof(fuse_init_out, flags) == kInitOutFlags, "fuse_init_out layout");
static_assert(offsetof(fuse_init_out, flags2) == kInitOutFlags2, "fuse_init_out layout");
static_assert(sizeof(fuse_open_out) == 16, "fuse_open_out layout");

uint32_t Get32(const uint8_t* p) {
  uint32_t v;
  memcpy(&v, p, 4);
  return v;
}
void Put32(uint8_t* p, uint32_t v) { memcpy(p, &v, 4); }

Passthrough& Of(void* userdata) { return static_cast<Session*>(userdata)->passthrough(); }

ssize_t ReadHook(int fd, void* buf, size_t len, void* ud) { return Of(ud).OnRead(fd, buf, len); }
ssize_t WritevHook(int fd, iovec* iov, int count, void* ud) { return Of(ud).OnWritev(fd, iov, count); }
ssize_t SpliceReceiveHook(int fdin, off_t* offin, int fdout, off_t* offout, size_t len, unsigned flags, void* ud) {
  return Of(ud).OnSplice(fdin, offin, fdout, offout, len, flags, false);
}
ssize_t SpliceSendHook(int fdin, off_t* offin, int fdout, off_t* offout, size_t len, unsigned flags, void* ud) {
  return Of(ud).OnSplice(fdin, offin, fdout, offout, len, flags, true);
}

}  // namespace

int Passthrough::Install(fuse_session* se) {
  fuse_custom_io io{};
  io.read = ReadHook;
  io.writev = WritevHook;
  io.splice_receive = SpliceReceiveHook;
  io.splice_send = SpliceSendHook;
  // In 3.14 this only records the hooks and the fd (the one the mount opened): unmount is unchanged.
  return fuse_session_custom_io(se, &io, fuse_session_fd(se));
}

ssize_t Passthrough::OnRead(int fd, void* buf, size_t len) {
  ssize_t n = read(fd, buf, len);
  if (!initSeen_ && n >= ssize_t(sizeof(fuse_in_header))) {
    int saved = errno;
    NoteInit(static_cast<const uint8_t*>(buf), size_t(n));
    errno = saved;
  }
  return n;
}

void Passthrough::NoteInit(const uint8_t* in, size_t len) {
  fuse_in_header h;
  memcpy(&h, in, sizeof(h));
  if (h.opcode != FUSE_INIT) return;
  initSeen_ = true;
  initPending_ = true;
  initUnique_ = h.unique;
  if (len < sizeof(h) + kInitInMin) return;  // a kernel before 7.36: no flags2
  const uint8_t* arg = in + sizeof(h);
  offered_ = (Get32(arg + kInitInFlags) & FUSE_INIT_EXT) != 0 && (Get32(arg + kInitInFlags2) & kFlags2Passthrough) != 0;
}

ssize_t Passthrough::OnWritev(int fd, iovec* iov, int count) {
  if (count >= 2 && iov[0].iov_len >= sizeof(fuse_out_header)) {
    fuse_out_header out;
    memcpy(&out, iov[0].iov_base, sizeof(out));
    // unique 0: a notification, possibly from a worker thread; it touches no state here.
    if (out.unique != 0 && out.error == 0) {
      if (initPending_ && out.unique == initUnique_) {
        initPending_ = false;
        RewriteInit(iov[1]);
      } else if (expectId_ > 0 && out.unique == expectUnique_) {
        PatchOpen(iov[count - 1]);
      }
    } else if (out.unique != 0 && initPending_ && out.unique == initUnique_) {
      initPending_ = false;  // INIT refused
    }
  }
  return writev(fd, iov, count);
}

void Passthrough::RewriteInit(iovec& arg) {
  if (!offered_ || !want_ || arg.iov_len < kInitOutMin) return;
  uint8_t* p = static_cast<uint8_t*>(arg.iov_base);
  uint32_t flags = Get32(p + kInitOutFlags);
  // The kernel refuses passthrough together with the writeback cache.
  if ((flags & FUSE_WRITEBACK_CACHE) != 0) return;
  Put32(p + kInitOutFlags, flags | FUSE_INIT_EXT);
  Put32(p + kInitOutFlags2, Get32(p + kInitOutFlags2) | kFlags2Passthrough);
  Put32(p + kInitOutStackDepth, 1);  // backing files on non-stacked filesystems only
  granted_ = true;
}

void Passthrough::PatchOpen(iovec& arg) {
  // fuse_open_out closes the reply: alone (open) or after fuse_entry_out (create).
  if (arg.iov_len < sizeof(fuse_open_out)) return;
  uint8_t* p = static_cast<uint8_t*>(arg.iov_base) + arg.iov_len - sizeof(fuse_open_out);
  fuse_open_out o;
  memcpy(&o, p, sizeof(o));
  int32_t id = 0;
  MarkOpen(&o.open_flags, &id, expectId_);
  memcpy(&o.padding, &id, sizeof(id));  // backing_id in 7.40
  memcpy(p, &o, sizeof(o));
  patched_ = true;
}

ssize_t Passthrough::OnSplice(int fdin, off_t* offin, int fdout, off_t* offout, size_t len, unsigned flags, bool send) {
  if (send) spliceSends_.fetch_add(1, std::memory_order_relaxed);
  return splice(fdin, offin, fdout, offout, len, flags);
}

void Passthrough::MarkOpen(uint32_t* openFlags, int32_t* backingId, int id) {
  *openFlags = (*openFlags & kPassthroughCompatible) | kFopenPassthrough;
  *backingId = id;
}

void Passthrough::Expect(uint64_t unique, int id) {
  expectUnique_ = unique;
  expectId_ = unique != 0 ? id : 0;
  patched_ = false;
}

bool Passthrough::ExpectDone() {
  bool done = patched_;
  expectUnique_ = 0;
  expectId_ = 0;
  patched_ = false;
  return done;
}

int Passthrough::Open(int sessionFd, int fd) {
  if (!Granted()) return -EPERM;
  BackingMap map{fd, 0, 0};
  int id = ioctl(sessionFd, kIocBackingOpen, &map);
  if (id < 0) {
    int err = errno;
    if (err == EPERM) refused_ = true;
    return -err;
  }
  live_.insert(id);
  opened_++;
  return id;
}

int Passthrough::Close(int sessionFd, int id) {
  auto it = live_.find(id);
  if (it == live_.end()) return -ENOENT;
  live_.erase(it);
  uint32_t v = uint32_t(id);
  if (ioctl(sessionFd, kIocBackingClose, &v) < 0) return -errno;
  closed_++;  // counted once the kernel confirmed it
  return 0;
}

void Passthrough::CloseAll(int sessionFd) {
  while (!live_.empty()) Close(sessionFd, *live_.begin());
}

}  // namespace rxfuse
