// Option parsing shared by mkctl's subcommands (Boost.Program_options).
#pragma once

#include "commands.hpp"

#include <mk/error.hpp>

#include <boost/program_options.hpp>
#include <optional>

namespace mkctl {

namespace po = boost::program_options;

// A mistake in the command line: mkctl exits 2.
class UsageError : public mk::Error {
public:
    using mk::Error::Error;
};

// Parses args against opts. Prints the usage and returns nothing for --help;
// throws UsageError for unknown or malformed options.
std::optional<po::variables_map> parse_options(const Args& args, const char* command,
    const char* synopsis, const char* description, po::options_description opts,
    const po::positional_options_description* positional = nullptr);

} // namespace mkctl
