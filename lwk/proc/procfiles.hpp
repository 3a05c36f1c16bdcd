// The contents of an LWK program's own /proc files (and the CPU lists of
// /sys/devices/system/cpu), made by the LWK, which knows the program:
// its regions, threads, cores, signals and stack. Formats follow Linux's
// (proc(5)), field for field where the LWK has the value.
#pragma once

#include <lib/result.hpp>
#include <proc/procpath.hpp>

#include <cstddef>
#include <cstdint>

namespace lwk::proc {

struct Process;
struct Thread;

// Text on the kernel heap, appended to with format().
class Text {
public:
    Text() = default;
    Text(const Text&) = delete;
    Text& operator=(const Text&) = delete;
    ~Text();
    void add(const char* fmt, ...) __attribute__((format(printf, 2, 3)));
    void add_bytes(const void* p, size_t n);
    const char* data() const { return buf_; }
    size_t size() const { return len_; }
    bool ok() const { return ok_; }

private:
    bool reserve(size_t n);
    char* buf_ = nullptr;
    size_t len_ = 0, cap_ = 0;
    bool ok_ = true;
};

// The Linux CPUs of a set of LWK cores (bit i: boot::params->cpus[i]), as
// Linux writes a CPU list ("2-3,5") and a CPU mask ("c,00000000"); no newline.
void cores_list(uint64_t cores, Text& t);
void cores_mask(uint64_t cores, Text& t);

// Whether tid is a live thread of the process (ctx: the Process).
bool is_thread_of(void* ctx, int32_t tid);

// What only Linux knows of the process (its mkexec's): the process group
// and session, for stat and status.
struct LinuxIds {
    int32_t pgrp = 0, session = 0;
};

// The text of target for the calling thread's process (p, self). ENOMEM
// when it does not fit the kernel heap; EFAULT if the program's strings
// (cmdline, environ) are no longer mapped.
Result<void> proc_file_text(Process* p, Thread* self, const ProcTarget& target, const LinuxIds& ids, Text& out);

} // namespace lwk::proc
