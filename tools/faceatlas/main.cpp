#include "cli_common.h"
#include "faceatlas/version.h"

int main(int argc, char** argv) {
    using namespace faceatlas::cli;
    CLI::App app{"faceatlas: organize photo and video collections by face"};
    app.set_version_flag("--version", std::string("faceatlas ") + faceatlas::kVersion);
    GlobalOptions g;
    add_global_options(app, g);
    std::vector<Command> commands;
    commands.push_back(register_analyze(app, g));
    commands.push_back(register_scan(app, g));
    for (auto& c : register_catalog_commands(app, g)) commands.push_back(std::move(c));
    for (auto& c : register_eval_commands(app, g)) commands.push_back(std::move(c));
    for (auto& c : register_report_commands(app, g)) commands.push_back(std::move(c));
    for (auto& c : register_attribute_commands(app, g)) commands.push_back(std::move(c));
#ifdef FACEATLAS_HAVE_TRAIN
    // `train` runs the separate faceatlas-train executable (LibTorch stays out of this one):
    // every argument after `train`, --help included, is its to parse.
    auto* train = app.add_subcommand("train", "train models (LibTorch; runs faceatlas-train)");
    train->set_help_flag();
    train->prefix_command();
    train->allow_extras();
    commands.push_back({train, [argc, argv]() -> int { exec_train(argc, argv); }});
#endif
    commands.push_back(register_cluster(app, g));
    for (auto& c : register_person_commands(app, g)) commands.push_back(std::move(c));
    commands.push_back(register_cluster_attributes(app, g));
    for (auto& c : register_subdiscriminate(app, g)) commands.push_back(std::move(c));
    commands.push_back(register_search(app, g));
    for (auto& c : register_library_commands(app, g)) commands.push_back(std::move(c));
    app.require_subcommand(1);
    return parse_and_run(app, commands, argc, argv);
}
