#include "options.hpp"

#include <iostream>

namespace mkctl {

std::optional<po::variables_map> parse_options(const Args& args, const char* command,
    const char* synopsis, const char* description, po::options_description opts,
    const po::positional_options_description* positional)
{
    opts.add_options()("help,h", "show this help");
    po::variables_map vm;
    try {
        // No abbreviations: --cpu must not quietly mean --cpus.
        auto style =
            po::command_line_style::default_style & ~po::command_line_style::allow_guessing;
        po::command_line_parser parser(args);
        parser.options(opts).style(style);
        if (positional)
            parser.positional(*positional);
        po::store(parser.run(), vm);
        po::notify(vm);
    } catch (const po::error& e) {
        throw UsageError(std::string(e.what()) + " (see 'mkctl " + command + " --help')");
    }
    if (vm.count("help")) {
        std::cout << "usage: " << synopsis << "\n\n" << description << "\n\n" << opts;
        return std::nullopt;
    }
    return vm;
}

} // namespace mkctl
