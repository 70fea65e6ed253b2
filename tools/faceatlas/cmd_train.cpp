// faceatlas train attributes --data DIR --out MODEL [...]: attribute heads by transfer learning.
#ifdef FACEATLAS_HAVE_TRAIN
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli_common.h"
#include "faceatlas/attr/attribute_model.h"
#include "faceatlas/core/error.h"
#include "faceatlas/train/attribute_trainer.h"

namespace faceatlas::cli {
namespace {

std::filesystem::path default_cache_dir() {
    if (const char* x = std::getenv("XDG_CACHE_HOME"); x && *x)
        return std::filesystem::path(x) / "faceatlas";
    if (const char* h = std::getenv("HOME"); h && *h)
        return std::filesystem::path(h) / ".cache" / "faceatlas";
    return std::filesystem::temp_directory_path() / "faceatlas-cache";
}

nlohmann::json report_json(const train::TrainResult& r, const train::TrainOptions& o) {
    nlohmann::json j;
    j["backbone"] = o.backbone;
    if (o.backbone == attr::kBackboneFaceresBlocks) j["features"] = o.features;
    j["augment_copies"] = o.augment_copies;
    j["loss"] = o.loss == train::LossKind::kCosine ? "cosine" : "bce";
    j["optimizer"] = o.optimizer == train::OptimizerKind::kAdaDelta ? "adadelta" : "adam";
    j["mode"] = o.mode == train::TrainMode::kHead ? "head" : "finetune";
    if (o.mode == train::TrainMode::kFinetune) {
        j["finetune_blocks"] = o.finetune_blocks;
        j["finetune_lr_scale"] = o.finetune_lr_scale;
    }
    j["seed"] = o.seed;
    j["best_epoch"] = r.best_epoch;
    j["epochs_run"] = r.epochs.size();
    j["train_samples"] = r.train_samples;
    j["val_samples"] = r.val_samples;
    j["train_identities"] = r.train_identities;
    j["val_identities"] = r.val_identities;
    j["feature_seconds"] = r.feature_seconds;
    j["features_from_cache"] = r.features_from_cache;
    j["skipped_images"] = r.skipped_images;
    j["validation_files"] = r.validation_files;
    j["train_seconds"] = r.train_seconds;
    j["mean_accuracy"] = r.mean_accuracy();
    j["mean_balanced_accuracy"] = r.mean_balanced_accuracy();
    j["mean_accuracy_at_half"] = r.mean_accuracy_at_half();
    j["mean_balanced_accuracy_at_half"] = r.mean_balanced_accuracy_at_half();
    j["mean_majority_accuracy"] = r.mean_majority_accuracy();
    for (const auto& e : r.epochs)
        j["epochs"].push_back({{"epoch", e.epoch},
                               {"train_loss", e.train_loss},
                               {"val_loss", e.val_loss},
                               {"val_accuracy", e.val_accuracy},
                               {"val_balanced_accuracy", e.val_balanced_accuracy},
                               {"seconds", e.seconds}});
    for (const auto& s : r.scores)
        j["attributes"].push_back({{"name", s.name},
                                   {"positive_rate", s.positive_rate},
                                   {"majority_accuracy", s.majority_accuracy},
                                   {"accuracy", s.accuracy},
                                   {"balanced_accuracy", s.balanced_accuracy},
                                   {"accuracy_at_half", s.accuracy_at_half},
                                   {"balanced_accuracy_at_half", s.balanced_accuracy_at_half},
                                   {"threshold", s.threshold}});
    return j;
}

}  // namespace

Command register_train(CLI::App& root, GlobalOptions& g) {
    auto* train_app = root.add_subcommand("train", "train models (LibTorch)");
    train_app->require_subcommand(1);
    auto* app = train_app->add_subcommand(
        "attributes", "learn CelebA-style face attributes by transfer learning");
    struct State {
        std::string data, out, mode = "head", backbone = "faceres", loss = "cosine",
                               optimizer = "adadelta";
        std::string attrs, cache, report;
        bool json = false;
        train::TrainOptions o;
        int feature_threads = 2;
    };
    auto st = std::make_shared<State>();
    app->add_option("--data", st->data,
                    "folder with list_attr_celeba.txt, identity_CelebA.txt and the images")
        ->required();
    app->add_option("--out", st->out, "model file to write")->required();
    app->add_option("--mode", st->mode, "head (frozen backbone) or finetune")
        ->check(CLI::IsMember({"head", "finetune"}))
        ->capture_default_str();
    app->add_option("--backbone", st->backbone,
                    "features: faceres (1024-d), dlib (128-d) or faceres-blocks (pooled faceres "
                    "layers, see --features)")
        ->check(CLI::IsMember({"faceres", "dlib", "faceres-blocks"}))
        ->capture_default_str();
    app->add_option("--features", st->o.features,
                    "faceres-blocks: LAYER[gGRID][@PADDING],... e.g. pw13@0.25,pw11g2@0.6 "
                    "(docs/ATTRIBUTES.md)")
        ->capture_default_str();
    app->add_option("--augment-copies", st->o.augment_copies,
                    "faceres-blocks: precomputed augmented copies per image (0 = no augmentation)")
        ->capture_default_str()
        ->check(CLI::Range(0, 64));
    app->add_option("--augment-rotation", st->o.augment.rotation_deg,
                    "augmentation: max rotation in degrees")
        ->capture_default_str();
    app->add_option("--augment-shift", st->o.augment.shift,
                    "augmentation: max shift (fraction of the chip)")
        ->capture_default_str();
    app->add_option("--augment-shear", st->o.augment.shear, "augmentation: max shear (radians)")
        ->capture_default_str();
    app->add_option("--augment-zoom", st->o.augment.zoom, "augmentation: max zoom change")
        ->capture_default_str();
    app->add_option("--augment-flip", st->o.augment.flip,
                    "augmentation: horizontal flips (true/false)")
        ->capture_default_str();
    app->add_option("--finetune-blocks", st->o.finetune_blocks,
                    "finetune: how many of the last faceres blocks train (from cached activations)")
        ->capture_default_str()
        ->check(CLI::Range(1, 4));
    app->add_option("--finetune-lr-scale", st->o.finetune_lr_scale,
                    "finetune: the blocks' learning rate as a multiple of the head's (0 = frozen)")
        ->capture_default_str()
        ->check(CLI::Range(0.0, 10.0));
    app->add_option("--loss", st->loss,
                    "cosine (proximity) or bce (per-attribute positive weights)")
        ->check(CLI::IsMember({"cosine", "bce"}))
        ->capture_default_str();
    app->add_option("--optimizer", st->optimizer, "adadelta or adam")
        ->check(CLI::IsMember({"adadelta", "adam"}))
        ->capture_default_str();
    app->add_option("--attrs", st->attrs,
                    "comma-separated attribute names (default: the 37 of the paper)");
    app->add_option("--epochs", st->o.epochs, "at most this many epochs")
        ->capture_default_str()
        ->check(CLI::Range(1, 10000));
    app->add_option("--batch", st->o.batch_size, "batch size")
        ->capture_default_str()
        ->check(CLI::Range(2, 65536));
    app->add_option("--patience", st->o.patience,
                    "early stopping: epochs without a better validation loss")
        ->capture_default_str()
        ->check(CLI::Range(1, 10000));
    app->add_option("--lr", st->o.learning_rate, "learning rate (0 = optimizer default)")
        ->capture_default_str();
    app->add_option("--seed", st->o.seed, "random seed (split, init, shuffling)")
        ->capture_default_str();
    app->add_option("--val-fraction", st->o.val_fraction, "validation share, split by identity")
        ->capture_default_str()
        ->check(CLI::Range(0.01, 0.99));
    app->add_option("--cache", st->cache,
                    "feature cache folder (default: $XDG_CACHE_HOME/faceatlas)");
    app->add_option("--threads", st->feature_threads, "analyzer threads for feature extraction")
        ->capture_default_str()
        ->check(CLI::Range(1, 256));
    app->add_option("--torch-threads", st->o.threads, "LibTorch threads for training")
        ->capture_default_str()
        ->check(CLI::Range(1, 256));
    app->add_option("--report", st->report,
                    "also write the validation report as JSON to this file");
    app->add_flag("--json", st->json, "print epochs and the report as JSON lines");
    Command cmd;
    cmd.app = app;
    cmd.run = [st, &g]() {
        auto& o = st->o;
        o.mode = st->mode == "head" ? train::TrainMode::kHead : train::TrainMode::kFinetune;
        o.backbone = st->backbone;
        o.loss = st->loss == "cosine" ? train::LossKind::kCosine : train::LossKind::kBce;
        o.optimizer = st->optimizer == "adadelta" ? train::OptimizerKind::kAdaDelta
                                                  : train::OptimizerKind::kAdam;
        if (!st->attrs.empty()) {
            std::stringstream ss(st->attrs);
            std::string a;
            while (std::getline(ss, a, ','))
                if (!a.empty()) o.attributes.push_back(a);
        }
        o.validate();
        // Fail before hours of work when the output cannot be written.
        const auto out_dir = std::filesystem::absolute(st->out).parent_path();
        if (!std::filesystem::is_directory(out_dir))
            throw Error(ErrorCode::kNotFound, "output folder does not exist", out_dir.string(),
                        "create it first");
        train::DataOptions d;
        d.features.cache_dir =
            st->cache.empty() ? default_cache_dir() : std::filesystem::path(st->cache);
        d.features.threads = st->feature_threads;
        auto manifest = nn::ModelManifest::load_default(resolve_model_dir(g));
        const bool tty = isatty(STDERR_FILENO) && !g.quiet && !st->json;
        auto progress = [&](std::size_t done, std::size_t total) {
            if (tty && (done % 50 == 0 || done == total))
                std::fprintf(stderr, "\rfeatures: %zu/%zu images%s", done, total,
                             done == total ? "\n" : "");
            else if (!tty && !g.quiet && (done * 20 / total != (done - 1) * 20 / total))
                std::fprintf(stderr, "features: %zu/%zu images\n", done, total);
            return true;
        };
        auto on_epoch = [&](const train::EpochReport& e) {
            if (st->json)
                std::cout << nlohmann::json{{"event", "epoch"},
                                            {"epoch", e.epoch},
                                            {"train_loss", e.train_loss},
                                            {"val_loss", e.val_loss},
                                            {"val_accuracy", e.val_accuracy},
                                            {"val_balanced_accuracy", e.val_balanced_accuracy},
                                            {"improved", e.improved},
                                            {"seconds", e.seconds}}
                                 .dump()
                          << std::endl;
            else if (!g.quiet)
                std::printf(
                    "epoch %3d/%d  loss %.4f  val_loss %.4f  val_acc %.4f  val_bal_acc %.4f  "
                    "%.1fs%s\n",
                    e.epoch, e.epochs, e.train_loss, e.val_loss, e.val_accuracy,
                    e.val_balanced_accuracy, e.seconds, e.improved ? "  *" : "");
            std::fflush(stdout);
            return true;
        };
        auto r = train::train_attributes(st->data, manifest, o, d, progress, on_epoch);
        attr::save_attribute_model(r.model, st->out);
        const auto rep = report_json(r, o);
        if (!st->report.empty()) attr::write_file_atomic(st->report, rep.dump(2) + "\n");
        if (st->json) {
            auto j = rep;
            j["event"] = "summary";
            j["model"] = st->out;
            std::cout << j.dump() << std::endl;
        } else if (!g.quiet) {
            std::printf("\n%-22s %7s %7s %7s %7s %7s %6s\n", "attribute", "pos", "major", "acc",
                        "bal_acc", "acc@.5", "thr");
            for (const auto& s : r.scores)
                std::printf("%-22s %7.3f %7.3f %7.4f %7.4f %7.4f %6.3f\n", s.name.c_str(),
                            s.positive_rate, s.majority_accuracy, s.accuracy, s.balanced_accuracy,
                            s.accuracy_at_half, s.threshold);
            std::printf(
                "mean (%zu attributes): accuracy %.4f, balanced accuracy %.4f (at 0.5: %.4f / "
                "%.4f); "
                "majority baseline accuracy %.4f\n",
                r.scores.size(), r.mean_accuracy(), r.mean_balanced_accuracy(),
                r.mean_accuracy_at_half(), r.mean_balanced_accuracy_at_half(),
                r.mean_majority_accuracy());
            if (r.skipped_images)
                std::printf("%zu images left out: the pipeline found no usable face landmarks\n",
                            r.skipped_images);
            std::printf(
                "train %zu images / %zu identities, validation %zu / %zu; best epoch %d of %zu; "
                "features "
                "%.1fs%s, training %.1fs\nmodel: %s\n",
                r.train_samples, r.train_identities, r.val_samples, r.val_identities, r.best_epoch,
                r.epochs.size(), r.feature_seconds, r.features_from_cache ? " (cache)" : "",
                r.train_seconds, st->out.c_str());
        }
        return kExitOk;
    };
    return cmd;
}

}  // namespace faceatlas::cli
#endif  // FACEATLAS_HAVE_TRAIN
