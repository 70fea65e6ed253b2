// faceatlas-train: `faceatlas train ...` as its own executable, so that LibTorch (0.7 s and
// ~160 MB of static initialisers at process start) is loaded only by the command that trains.
// `faceatlas train ARGS` execs this binary with the same arguments (exec_train.cpp); run directly
// it takes the same command line: faceatlas-train [--models DIR] train attributes ...
#include <iostream>

#include "cli_common.h"
#include "faceatlas/core/error.h"
#include "faceatlas/version.h"

int main(int argc, char** argv) {
    using namespace faceatlas::cli;
    CLI::App app{"faceatlas-train: train faceatlas models (LibTorch); run as `faceatlas train`"};
    app.set_version_flag("--version", std::string("faceatlas-train ") + faceatlas::kVersion);
    GlobalOptions g;
    app.add_option("--models", g.models,
                   "folder of the unpacked model packages (default: $FACEATLAS_MODELS, else the "
                   "build's models/vendor)");
    Command train = register_train(app, g);
    app.require_subcommand(1);
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        const int rc = app.exit(e);
        return rc == 0 ? kExitOk : kExitUsage;
    }
    // Messages start with "faceatlas:" as they did when training ran inside faceatlas.
    try {
        if (train.app->parsed()) return train.run();
    } catch (const faceatlas::Error& e) {
        std::cerr << "faceatlas: " << e.what() << "\n";
        return e.code() == faceatlas::ErrorCode::kInvalidArgument ? kExitUsage : kExitFailure;
    } catch (const std::exception& e) {
        std::cerr << "faceatlas: internal error: " << e.what() << "\n";
        return kExitFailure;
    }
    return kExitUsage;
}
