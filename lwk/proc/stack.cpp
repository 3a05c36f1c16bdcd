#include <proc/stack.hpp>

namespace lwk::proc {
namespace {

constexpr uint64_t AT_NULL = 0, AT_RANDOM = 25, AT_EXECFN = 31, AT_PLATFORM = 15;

size_t length(const char* s, size_t max)
{
    size_t n = 0;
    while (n < max && s[n])
        ++n;
    return n;
}

} // namespace

Result<uint64_t> build_stack(uint8_t* mem, size_t size, uint64_t top, const StackInput& in,
    StackLayout* layout)
{
    // Where each string starts in `in.strings`, checking they are all there.
    const uint32_t nstr = in.argc + in.envc;
    size_t pos = 0;
    for (uint32_t i = 0; i < nstr; ++i) {
        size_t n = length(in.strings + pos, in.strings_size - pos);
        if (pos + n >= in.strings_size)
            return Errno::INVAL;
        pos += n + 1;
    }
    const size_t strings_bytes = pos;
    const char platform[] = "x86_64";
    const size_t execfn_bytes = length(in.execfn, 4096) + 1;

    // Sizes from the top down.
    size_t need = strings_bytes + execfn_bytes + sizeof platform + 16;
    need = (need + 15) & ~size_t(15);
    size_t nr_aux = in.nr_aux + 4; // + RANDOM, EXECFN, PLATFORM, NULL
    size_t words = 1 + (in.argc + 1) + (in.envc + 1) + 2 * nr_aux;
    size_t vectors = words * 8;
    if (need + vectors + 16 > size)
        return Errno::TOOBIG;

    // The strings block, copied as one piece at the very top.
    uint64_t area = top - need; // process address of the block
    uint8_t* base = mem + (size - need);
    auto addr_of = [&](const uint8_t* p) { return area + uint64_t(p - base); };
    __builtin_memcpy(base, in.strings, strings_bytes);
    uint8_t* execfn = base + strings_bytes;
    __builtin_memcpy(execfn, in.execfn, execfn_bytes - 1);
    execfn[execfn_bytes - 1] = 0;
    uint8_t* plat = execfn + execfn_bytes;
    __builtin_memcpy(plat, platform, sizeof platform);
    uint8_t* random = plat + sizeof platform;
    __builtin_memcpy(random, in.random16, 16);

    // The vectors, with the stack pointer 16-byte aligned at argc.
    uint64_t sp = (area - vectors) & ~uint64_t(15);
    uint64_t* w = reinterpret_cast<uint64_t*>(mem + (sp - (top - size)));
    size_t k = 0;
    w[k++] = in.argc;
    if (in.argc == 0)
        w[k++] = 0; // an empty argv
    pos = 0;
    for (uint32_t i = 0; i < nstr; ++i) {
        w[k++] = addr_of(base + pos);
        pos += length(in.strings + pos, in.strings_size - pos) + 1;
        if (i + 1 == in.argc)
            w[k++] = 0; // end of argv
    }
    w[k++] = 0; // end of envp
    const size_t aux_at = k;
    for (size_t i = 0; i < in.nr_aux; ++i) {
        w[k++] = in.aux[i].type;
        w[k++] = in.aux[i].value;
    }
    w[k++] = AT_RANDOM;
    w[k++] = addr_of(random);
    w[k++] = AT_EXECFN;
    w[k++] = addr_of(execfn);
    w[k++] = AT_PLATFORM;
    w[k++] = addr_of(plat);
    w[k++] = AT_NULL;
    w[k++] = 0;
    if (layout) {
        size_t args = 0;
        for (uint32_t i = 0; i < in.argc; ++i)
            args += length(in.strings + args, in.strings_size - args) + 1;
        *layout = {area, area + args, area + args, area + strings_bytes, sp + aux_at * 8, (k - aux_at) * 8};
    }
    return sp;
}

} // namespace lwk::proc
