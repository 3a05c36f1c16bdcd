// This core's channels with Linux (<mk/proc.h>): messages out, and the
// inbound ring the core loop drains.
#pragma once

#include <mk/proc.h>

#include <cstdint>

namespace lwk::channel {

// Attaches this core's two rings; false (and a log line) if they are bad.
bool init_core();
// Sends one message to Linux (rings its doorbell if it sleeps); waits while
// the ring is full.
void send(const void* msg, uint32_t len);
// Takes the next message from Linux, or returns false if none.
bool receive(void* buf, uint32_t cap, uint32_t* len);
// Publishes what receive() consumed.
void done_receiving();
// Before halting: tell Linux to ring our doorbell. False if a message is
// already waiting (do not halt).
bool prepare_to_sleep();
void cancel_sleep();
// Whether a message from Linux waits (it is not taken).
bool pending();

} // namespace lwk::channel
