#include <CLI/CLI.hpp>
#include <iostream>

#include "faceatlas/core/error.h"

int main(int argc, char** argv) {
    CLI::App app{"faceatlas: organize photo and video collections by face"};
    app.require_subcommand(1);
    CLI11_PARSE(app, argc, argv);
    return 0;
}
