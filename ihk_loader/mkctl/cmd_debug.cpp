// mkctl debug: deliberate LWK failures, to check that Linux survives them,
// and an NMI to see where a core is.
#include "commands.hpp"
#include "options.hpp"

#include <mk/device.hpp>

#include <iostream>

namespace mkctl {

int cmd_debug(const Args& args)
{
    po::options_description opts("options");
    // clang-format off
    opts.add_options()
        ("what", po::value<std::string>(),
            "fault: make an LWK core take a fatal page fault; nmi: send it an NMI; "
            "corrupt: make it corrupt what Linux reads")
        ("core", po::value<int>()->default_value(0), "the LWK core (index)");
    // clang-format on
    po::positional_options_description pos;
    pos.add("what", 1);
    auto vm = parse_options(args, "debug", "mkctl debug fault|nmi|corrupt [--core N]",
        "Make the LWK fail on purpose. 'fault' makes a core take a page fault in its\n"
        "kernel: the LWK panics, Linux keeps running, 'mkctl status' shows the\n"
        "report and 'mkctl shutdown' recovers the CPUs and memory.\n"
        "'nmi' sends a core a non-maskable interrupt, which reaches it whatever it\n"
        "does: it logs where it was and its threads (state, what each waits for,\n"
        "where it is in its program) in 'mkctl log', and goes on.\n"
        "'corrupt' makes a core act as a hostile LWK: it overwrites the CPU numbers,\n"
        "APIC ids and states in its boot parameters, fills its ring to Linux with\n"
        "garbage and points the programs' page tables at Linux's memory. Linux must\n"
        "stay healthy, and 'mkctl shutdown' must recover everything.",
        opts, &pos);
    if (!vm)
        return 0;
    std::string what = vm->count("what") ? (*vm)["what"].as<std::string>() : "";
    if (what != "fault" && what != "nmi" && what != "corrupt")
        throw UsageError("what should happen? 'fault', 'nmi' or 'corrupt' (see 'mkctl debug --help')");
    mk::Device dev;
    if (what == "nmi") {
        dev.debug_nmi((*vm)["core"].as<int>());
        return 0;
    }
    if (what == "corrupt") {
        dev.debug_corrupt((*vm)["core"].as<int>());
        return 0;
    }
    dev.debug_fault((*vm)["core"].as<int>());
    mk::Status s = dev.status();
    std::cout << "the LWK panicked as asked: " << s.panic << "\n";
    return 0;
}

} // namespace mkctl
