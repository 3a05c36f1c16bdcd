#include <proc/elf.hpp>
#include <proc/layout.hpp>

#include <mk/elf64.h>

namespace lwk::proc {
namespace {

constexpr uint64_t PAGE = 4096;

Result<void> refuse(const char** why, const char* msg)
{
    *why = msg;
    return Errno::NOEXEC;
}

} // namespace

Result<void> parse_program(const uint8_t* file, size_t size, Program& prog, const char** why)
{
    mk_elf64_ehdr eh;
    if (size < sizeof eh || file[0] != 0x7f || file[1] != 'E' || file[2] != 'L' || file[3] != 'F')
        return refuse(why, "not an ELF file");
    __builtin_memcpy(&eh, file, sizeof eh);
    if (eh.e_ident[4] != MK_ELFCLASS64 || eh.e_ident[5] != MK_ELFDATA2LSB || eh.e_machine != MK_EM_X86_64)
        return refuse(why, "not a 64-bit x86-64 ELF program");
    if (eh.e_type != MK_ET_EXEC && eh.e_type != MK_ET_DYN)
        return refuse(why, "not an ELF executable");
    if (eh.e_phentsize != sizeof(mk_elf64_phdr) || eh.e_phnum == 0 || eh.e_phnum > 64)
        return refuse(why, "a bad program header table");
    if (eh.e_phoff > size || uint64_t(eh.e_phnum) * sizeof(mk_elf64_phdr) > size - eh.e_phoff)
        return refuse(why, "truncated: the program headers lie beyond the end of the file");

    prog = {};
    prog.pie = eh.e_type == MK_ET_DYN;
    prog.entry = eh.e_entry;
    prog.phnum = eh.e_phnum;
    prog.phent = eh.e_phentsize;
    prog.lo = ~0ULL;
    uint64_t phdr_in_memory = 0;
    bool entry_ok = false;
    const uint64_t bias = prog.pie ? PIE_BASE : 0;

    for (unsigned i = 0; i < eh.e_phnum; ++i) {
        mk_elf64_phdr ph;
        __builtin_memcpy(&ph, file + eh.e_phoff + i * sizeof ph, sizeof ph);
        if (ph.p_type == MK_PT_INTERP || ph.p_type == MK_PT_DYNAMIC) {
            if (ph.p_type == MK_PT_INTERP)
                return refuse(why, "a dynamically linked program: mk runs static programs for now "
                                   "(link with -static or -static-pie)");
            // A static PIE has PT_DYNAMIC for its self-relocation; fine.
            continue;
        }
        if (ph.p_type == MK_PT_GNU_STACK) {
            prog.exec_stack = ph.p_flags & MK_PF_X;
            continue;
        }
        if (ph.p_type == MK_PT_PHDR)
            phdr_in_memory = ph.p_vaddr;
        if (ph.p_type != MK_PT_LOAD || ph.p_memsz == 0)
            continue;
        if (prog.nr_segments == MAX_SEGMENTS)
            return refuse(why, "too many loadable segments");
        if (ph.p_filesz > ph.p_memsz)
            return refuse(why, "a segment has more file bytes than memory bytes");
        if (ph.p_offset > size || ph.p_filesz > size - ph.p_offset)
            return refuse(why, "truncated: a segment extends beyond the end of the file");
        if (ph.p_align > 1 && (ph.p_vaddr % PAGE) != (ph.p_offset % PAGE))
            return refuse(why, "a segment's address and file offset disagree modulo the page size");
        if (ph.p_vaddr > USER_END || ph.p_memsz > USER_END - ph.p_vaddr ||
            ph.p_vaddr + bias < USER_START || ph.p_vaddr + ph.p_memsz + bias > MMAP_BASE)
            return refuse(why, "a segment lies outside the addresses an LWK program may use");
        for (unsigned j = 0; j < prog.nr_segments; ++j) {
            const Segment& o = prog.segments[j];
            if (ph.p_vaddr < o.vaddr + o.memsz && o.vaddr < ph.p_vaddr + ph.p_memsz)
                return refuse(why, "two segments overlap");
        }
        Segment& s = prog.segments[prog.nr_segments++];
        s = {ph.p_vaddr, ph.p_memsz, ph.p_offset, ph.p_filesz,
            uint32_t((ph.p_flags & MK_PF_R ? PROT_R : 0) | (ph.p_flags & MK_PF_W ? PROT_W : 0) |
                (ph.p_flags & MK_PF_X ? PROT_X : 0))};
        if ((ph.p_flags & MK_PF_X) && eh.e_entry >= ph.p_vaddr && eh.e_entry - ph.p_vaddr < ph.p_memsz)
            entry_ok = true;
        uint64_t lo = ph.p_vaddr & ~(PAGE - 1), hi = (ph.p_vaddr + ph.p_memsz + PAGE - 1) & ~(PAGE - 1);
        if (lo < prog.lo)
            prog.lo = lo;
        if (hi > prog.hi)
            prog.hi = hi;
        // The headers in memory: the segment that maps the file offset e_phoff.
        if (!phdr_in_memory && eh.e_phoff >= ph.p_offset &&
            eh.e_phoff + uint64_t(eh.e_phnum) * sizeof ph <= ph.p_offset + ph.p_filesz)
            phdr_in_memory = ph.p_vaddr + (eh.e_phoff - ph.p_offset);
    }
    if (!prog.nr_segments)
        return refuse(why, "no loadable segment");
    if (!entry_ok)
        return refuse(why, "the entry point is not inside an executable segment");
    prog.phdr = phdr_in_memory;
    return {};
}

} // namespace lwk::proc
