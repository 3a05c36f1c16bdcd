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

Result<void> parse_program(const uint8_t* file, size_t size, Program& prog, const char** why,
    uint64_t dyn_bias, uint64_t limit)
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
    const uint64_t bias = prog.pie ? dyn_bias : 0;

    for (unsigned i = 0; i < eh.e_phnum; ++i) {
        mk_elf64_phdr ph;
        __builtin_memcpy(&ph, file + eh.e_phoff + i * sizeof ph, sizeof ph);
        if (ph.p_type == MK_PT_INTERP) {
            if (prog.interp_bytes)
                return refuse(why, "more than one ELF interpreter");
            if (ph.p_offset > size || ph.p_filesz > size - ph.p_offset)
                return refuse(why, "truncated: the interpreter's name lies beyond the end of the file");
            if (ph.p_filesz < 2 || ph.p_filesz > 4096 || file[ph.p_offset + ph.p_filesz - 1] != 0 ||
                __builtin_strlen(reinterpret_cast<const char*>(file + ph.p_offset)) != ph.p_filesz - 1)
                return refuse(why, "a malformed ELF interpreter name");
            prog.interp_offset = ph.p_offset;
            prog.interp_bytes = ph.p_filesz;
            continue;
        }
        if (ph.p_type == MK_PT_DYNAMIC)
            continue; // the dynamic linker's business (a static PIE relocates itself)
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
            ph.p_vaddr + bias < USER_START || ph.p_vaddr + ph.p_memsz + bias > limit)
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

unsigned image_ranges(const Program& prog, ImageRange* out)
{
    // Each segment's pages, in address order (ELF asks for that order, but
    // a file need not keep it).
    ImageRange seg[MAX_SEGMENTS];
    unsigned n = prog.nr_segments;
    for (unsigned i = 0; i < n; ++i) {
        const Segment& s = prog.segments[i];
        seg[i] = {s.vaddr & ~(PAGE - 1), (s.vaddr + s.memsz + PAGE - 1) & ~(PAGE - 1), s.prot};
        for (unsigned j = i; j > 0 && seg[j].start < seg[j - 1].start; --j) {
            ImageRange t = seg[j];
            seg[j] = seg[j - 1];
            seg[j - 1] = t;
        }
    }
    // Segments do not overlap, but one's last page may be the next one's
    // first: such a page has the rights of both.
    unsigned k = 0;
    uint64_t at = prog.lo;
    for (unsigned i = 0; i < n; ++i) {
        uint64_t start = seg[i].start, end = seg[i].end;
        const uint32_t prot = seg[i].prot;
        if (k && start < out[k - 1].end) {
            // start is the last page of the range before: split it off.
            const uint32_t before = out[k - 1].prot;
            out[k - 1].end = start;
            if (out[k - 1].end == out[k - 1].start)
                --k;
            out[k++] = {start, start + PAGE, before | prot};
            start += PAGE;
        } else if (start > at) {
            out[k++] = {at, start, 0}; // a gap between segments
        }
        if (end > start)
            out[k++] = {start, end, prot};
        if (end > at)
            at = end;
    }
    // Merge neighbours with the same rights.
    unsigned m = 0;
    for (unsigned i = 0; i < k; ++i) {
        if (m && out[m - 1].end == out[i].start && out[m - 1].prot == out[i].prot)
            out[m - 1].end = out[i].end;
        else
            out[m++] = out[i];
    }
    return m;
}

} // namespace lwk::proc
