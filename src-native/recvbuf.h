// The layout of a receive buffer: where in a JS-owned buffer libfuse reads a request.
//
// A request is read at an offset chosen so that, were it a WRITE, its payload (after the 40-byte
// fuse_in_header and the 40-byte fuse_write_in) starts on a page boundary: a source file opened
// O_DIRECT (XFS, ext4, a block device) takes pwrite() straight from the receive buffer, no bounce
// copy. Every other request reads the same bytes at the same offset, so it decodes as before (the
// offset is a multiple of 8, as libfuse's structs need). V8 gives no page alignment (a large
// Buffer usually starts 16 bytes into a page), so JS allocates one page more than libfuse reads.
#pragma once

#include <linux/fuse.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>

namespace rxfuse {

// Bytes before a WRITE's payload (protocol 7.9 and later; libfuse 3 negotiates no older one).
constexpr size_t WRITE_HEADER_BYTES = sizeof(fuse_in_header) + sizeof(fuse_write_in);
static_assert(WRITE_HEADER_BYTES % 8 == 0, "requests must stay 8-byte aligned");

inline size_t PageBytes() { return size_t(sysconf(_SC_PAGESIZE)); }

// Room for the request headers before a payload (libfuse's bufsize has one such page).
constexpr size_t RECV_HEADER_BYTES = 0x1000;

// The most payload a receive buffer holds (FUSE_MAX_MAX_PAGES pages): init() clamps max_write to it,
// as libfuse clamps its own default, since the kernel refuses reads of /dev/fuse smaller than
// max_write plus the headers.
inline size_t RecvPayloadBytes() { return 256 * PageBytes(); }

// libfuse's bufsize: what one read of /dev/fuse may fill.
inline size_t RecvReadBytes() { return RecvPayloadBytes() + RECV_HEADER_BYTES; }

// What JS allocates per receive buffer: what libfuse reads plus a page of room for the offset.
inline size_t RecvBufferBytes() { return RecvReadBytes() + PageBytes(); }

// The offset in `mem` at which requests are read: the WRITE payload then lands on a page boundary.
inline size_t RecvReadOffset(const uint8_t* mem) {
  size_t page = PageBytes();
  size_t payload = (reinterpret_cast<uintptr_t>(mem) + WRITE_HEADER_BYTES) % page;
  return (page - payload) % page;
}

}  // namespace rxfuse
