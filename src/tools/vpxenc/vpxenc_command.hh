// vpxenc's command line as a function, so that the vpxenc tool and xc-bench (which times the ExCamera
// graph's first stage in process) run the same encoder with the same flags.
#pragma once

namespace xc::tools {

// Parses vpxenc's command line (argv[0] is the program name) and encodes. Returns the exit status
// for help, version and command-line errors (printed to stderr); throws util::UsageError for
// settings that cannot be used and util::Error for failures while encoding.
int vpxenc_command(int argc, char** argv);

}  // namespace xc::tools
