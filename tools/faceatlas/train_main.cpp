// faceatlas-train: `faceatlas train ...` as its own executable, so that LibTorch (0.7 s and
// ~160 MB of static initialisers at process start) is loaded only by the command that trains.
// `faceatlas train ARGS` execs this binary with the same arguments (exec_train.cpp); run directly
// it takes the same command line: faceatlas-train [--models DIR] train attributes ...
#include "cli_common.h"
#include "faceatlas/version.h"

int main(int argc, char** argv) {
    using namespace faceatlas::cli;
    CLI::App app{"faceatlas-train: train faceatlas models (LibTorch); run as `faceatlas train`"};
    app.set_version_flag("--version", std::string("faceatlas-train ") + faceatlas::kVersion);
    GlobalOptions g;
    add_global_options(app, g);
    const std::vector<Command> commands = {register_train(app, g)};
    app.require_subcommand(1);
    // Messages start with "faceatlas:" as they did when training ran inside faceatlas.
    return parse_and_run(app, commands, argc, argv);
}
