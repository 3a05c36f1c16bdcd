// Frames of LWK memory that more than one address space maps (a fork's
// copy-on-write pages): per 4 KiB frame, how many mappers it has beyond
// the first. A 2 MiB block shared as one leaf is counted on its first
// frame. 0 everywhere else: a frame with one mapper is simply its owner's.
#pragma once

#include <mk/boot.h>

#include <cstdint>

namespace lwk::mm {

// Takes the counters' memory from the allocator (after pmm_init).
void frame_refs_init(const mk_boot_params& bp);
// One more mapper of the frame at phys; false if it has as many as can be counted.
bool frame_get(uint64_t phys);
// One mapper fewer: true when the caller was the last one (the frame is
// its to free), false while others still map it.
bool frame_put(uint64_t phys);
// Whether anyone else maps the frame.
bool frame_shared(uint64_t phys);

} // namespace lwk::mm
