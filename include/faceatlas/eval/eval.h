// faceatlas evaluation library: one include for everything in include/faceatlas/eval/.
// Pure C++20 (no OpenCV): clustering scores vs ground truth, silhouette, verification
// (ROC/AUC, TAR@FAR, LFW 10-fold accuracy, pairs.txt), classification and age scores,
// Hungarian assignment, CSV truth files. Each header states its exact definitions and the
// scikit-learn/scipy behaviour it mirrors; tests/eval/golden holds the reference values.
#pragma once

#include "faceatlas/eval/age_bands.h"
#include "faceatlas/eval/attribute_eval.h"
#include "faceatlas/eval/bcubed.h"
#include "faceatlas/eval/classification.h"
#include "faceatlas/eval/clustering_scores.h"
#include "faceatlas/eval/contingency.h"
#include "faceatlas/eval/labels.h"
#include "faceatlas/eval/lfw_pairs.h"
#include "faceatlas/eval/linear_assignment.h"
#include "faceatlas/eval/mutual_information.h"
#include "faceatlas/eval/pair_counting.h"
#include "faceatlas/eval/purity.h"
#include "faceatlas/eval/roc.h"
#include "faceatlas/eval/silhouette.h"
#include "faceatlas/eval/truth_csv.h"
#include "faceatlas/eval/verification.h"
#include "faceatlas/eval/verification_accuracy.h"
