// Kernel FUSE passthrough (Linux >= 6.9) on libfuse 3.14, through its public custom io hooks
// (docs/design.md, "Kernel passthrough"). libfuse 3.14 knows nothing of it, so:
// - the read hook notes the INIT request (its unique, and whether the kernel offers passthrough);
// - the writev hook rewrites that INIT reply (flags2 bit, max_stack_depth 1) when the filesystem
//   wants passthrough and no writeback cache was negotiated, and patches FOPEN_PASSTHROUGH plus the
//   backing id into the one open or create reply it was told to expect (by unique);
// - backing files are registered and dropped with the BACKING_OPEN / BACKING_CLOSE ioctls.
// The splice hooks only call splice(2), so that libfuse keeps splicing.
#pragma once

#include <sys/types.h>
#include <sys/uio.h>

#include <atomic>
#include <cstdint>
#include <set>

struct fuse_session;

namespace rxfuse {

class Passthrough {
 public:
  // Installs the hooks on a mounted session whose userdata is its Session. 0 or -errno.
  static int Install(fuse_session* se);

  // Before the mount: whether the filesystem asks for passthrough when the kernel offers it.
  void Want(bool want) { want_ = want; }
  bool Offered() const { return offered_; }
  // Granted at INIT and not refused by the kernel since (EPERM at BACKING_OPEN).
  bool Granted() const { return granted_ && !refused_; }
  bool Refused() const { return refused_; }

  // BACKING_OPEN of fd on the session fd: the backing id (> 0) or -errno. -EPERM also turns
  // passthrough off for the rest of the mount (not privileged, or the kernel refused it).
  int Open(int sessionFd, int fd);
  // BACKING_CLOSE: 0 or -errno (-ENOENT for an id this session did not open).
  int Close(int sessionFd, int id);
  // Every id still open (unmount).
  void CloseAll(int sessionFd);
  size_t Live() const { return live_.size(); }
  uint64_t Opened() const { return opened_; }
  uint64_t Closed() const { return closed_; }  // BACKING_CLOSEs the kernel confirmed
  uint64_t SpliceSends() const { return spliceSends_.load(std::memory_order_relaxed); }

  // The next reply with this unique (an open or create reply) passes the file through with id;
  // ExpectDone() says whether it did and forgets it.
  void Expect(uint64_t unique, int id);
  // A reply we write ourselves (raw ops) passes the file through with id: its FOPEN_* flags and backing id.
  static void MarkOpen(uint32_t* openFlags, int32_t* backingId, int id);
  bool ExpectDone();

  // The hooks (JS thread, except writev for notifications, which carry unique 0 and are let through).
  ssize_t OnRead(int fd, void* buf, size_t len);
  ssize_t OnWritev(int fd, iovec* iov, int count);
  ssize_t OnSplice(int fdin, off_t* offin, int fdout, off_t* offout, size_t len, unsigned flags, bool send);

 private:
  void NoteInit(const uint8_t* in, size_t len);
  void RewriteInit(iovec& arg);
  void PatchOpen(iovec& arg);

  bool want_ = true;
  bool offered_ = false;
  bool granted_ = false;
  bool refused_ = false;
  bool initSeen_ = false;
  bool initPending_ = false;  // INIT read, its reply not yet written
  uint64_t initUnique_ = 0;
  uint64_t expectUnique_ = 0;
  int expectId_ = 0;
  bool patched_ = false;
  std::set<int> live_;
  uint64_t opened_ = 0;
  uint64_t closed_ = 0;
  std::atomic<uint64_t> spliceSends_{0};
};

}  // namespace rxfuse
