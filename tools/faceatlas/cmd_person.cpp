// Person edits the next `faceatlas cluster` respects: person name | merge | split | move, and
// face not-person.
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli_common.h"
#include "faceatlas/core/error.h"
#include "faceatlas/pipeline/persons.h"

namespace faceatlas::cli {
namespace {

void require_person(catalog::Catalog& cat, std::int64_t id) {
    for (const auto& p : cat.persons())
        if (p.id == id) return;
    throw Error(ErrorCode::kNotFound, "no person " + std::to_string(id), "catalog",
                "list persons with `faceatlas persons` or `faceatlas faces`");
}

}  // namespace

std::vector<Command> register_person_commands(CLI::App& root, GlobalOptions& g) {
    (void)g;
    struct State {
        std::string catalog = "faceatlas.db";
        std::int64_t person = 0;
        std::int64_t face = 0;
        std::string name;
        bool clear_name = false;
        std::vector<std::int64_t> others;
        std::vector<std::int64_t> faces;
        double threshold = -1;
        std::string embedding = "dlib";
        bool json = false;
    };
    auto st = std::make_shared<State>();
    std::vector<Command> cmds;

    auto* person = find_or_add_subcommand(root, "person", "show and edit persons");
    person->require_subcommand(1);

    auto* name = person->add_subcommand("name", "name a person: person name ID NAME");
    name->add_option("--catalog", st->catalog, "catalog file")->capture_default_str();
    name->add_option("id", st->person, "person id")->required();
    name->add_option("name", st->name, "the name (kept across re-clustering)");
    name->add_flag("--clear", st->clear_name, "remove the name");
    cmds.push_back({name, [st]() {
                        if (st->name.empty() && !st->clear_name)
                            throw Error(ErrorCode::kInvalidArgument, "no name given", "person name",
                                        "pass NAME, or --clear to remove the name");
                        auto cat = open_catalog(st->catalog, CatalogAccess::kWrite);
                        cat->set_person_name(
                            st->person,
                            st->clear_name ? std::nullopt : std::optional<std::string>(st->name));
                        std::printf("person %lld %s\n", static_cast<long long>(st->person),
                                    st->clear_name ? "has no name" : ("is " + st->name).c_str());
                        return kExitOk;
                    }});

    auto* merge =
        person->add_subcommand("merge", "merge persons into the first: person merge ID ID...");
    merge->add_option("--catalog", st->catalog, "catalog file")->capture_default_str();
    merge->add_option("id", st->person, "the person that stays")->required();
    merge->add_option("others", st->others, "persons merged into it")->required();
    cmds.push_back({merge, [st]() {
                        auto cat = open_catalog(st->catalog, CatalogAccess::kWrite);
                        pipeline::merge_persons(*cat, st->person, st->others);
                        std::printf("merged %zu person(s) into %lld\n", st->others.size(),
                                    static_cast<long long>(st->person));
                        return kExitOk;
                    }});

    auto* split = person->add_subcommand(
        "split",
        "split a person: re-cluster its faces tighter, or move the given --faces to a new person");
    split->add_option("--catalog", st->catalog, "catalog file")->capture_default_str();
    split->add_option("id", st->person, "person id")->required();
    auto* sf = split->add_option("--faces", st->faces, "these faces become a new person");
    split
        ->add_option(
            "--threshold", st->threshold,
            "average-linkage height for the re-clustering (default 0.75 x the cluster default)")
        ->check(CLI::PositiveNumber)
        ->excludes(sf);
    split->add_option("--embedding", st->embedding, "dlib or faceres")
        ->check(CLI::IsMember({"dlib", "faceres"}))
        ->capture_default_str();
    split->add_flag("--json", st->json, "print the new person ids as JSON");
    cmds.push_back(
        {split, [st]() {
             auto cat = open_catalog(st->catalog, CatalogAccess::kWrite);
             pipeline::SplitOptions o;
             o.faces = st->faces;
             o.threshold = st->threshold;
             o.embedding = pipeline::embedding_from_string(st->embedding);
             const auto created = pipeline::split_person(*cat, st->person, o);
             if (st->json) {
                 std::cout
                     << nlohmann::json{{"person", st->person}, {"new_persons", created}}.dump()
                     << "\n";
             } else if (created.empty()) {
                 std::printf("person %lld was not split (its faces are close together)\n",
                             static_cast<long long>(st->person));
             } else {
                 std::printf("person %lld split; new persons:", static_cast<long long>(st->person));
                 for (auto id : created) std::printf(" %lld", static_cast<long long>(id));
                 std::printf("\n");
             }
             return kExitOk;
         }});

    auto* move = person->add_subcommand("move", "put a face into a person: person move FACE ID");
    move->add_option("--catalog", st->catalog, "catalog file")->capture_default_str();
    move->add_option("face", st->face, "face id")->required();
    move->add_option("id", st->person, "person id")->required();
    cmds.push_back({move, [st]() {
                        auto cat = open_catalog(st->catalog, CatalogAccess::kWrite);
                        require_person(*cat, st->person);
                        cat->pin_face(st->face, st->person);
                        std::printf("face %lld is person %lld\n", static_cast<long long>(st->face),
                                    static_cast<long long>(st->person));
                        return kExitOk;
                    }});

    auto* face = root.add_subcommand("face", "edit one face (remembered by later `cluster` runs)");
    face->require_subcommand(1);
    auto* notp = face->add_subcommand("not-person",
                                      "this face is not that person: face not-person FACE PERSON");
    notp->add_option("--catalog", st->catalog, "catalog file")->capture_default_str();
    notp->add_option("face", st->face, "face id")->required();
    notp->add_option("person", st->person, "person id")->required();
    cmds.push_back({notp, [st]() {
                        auto cat = open_catalog(st->catalog, CatalogAccess::kWrite);
                        cat->add_not_person(st->face, st->person);
                        std::printf("face %lld will never be person %lld\n",
                                    static_cast<long long>(st->face),
                                    static_cast<long long>(st->person));
                        return kExitOk;
                    }});
    return cmds;
}

}  // namespace faceatlas::cli
