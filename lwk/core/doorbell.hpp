// Linux -> LWK doorbell: the mailbox in this core's struct mk_boot_cpu.
#pragma once

namespace lwk::doorbell {

// Answers a ping (pong + doorbell to Linux) and runs a pending command.
void handle();

// LWK -> Linux: the IPI on the vector mk.ko allocated.
void ring_linux();

} // namespace lwk::doorbell
