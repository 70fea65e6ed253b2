// faceatlas::cluster — clustering of float vectors (face embeddings). Pure C++20 + Eigen, no
// OpenCV. One concept per header; this one includes them all.
#pragma once

#include "faceatlas/cluster/cannot_link.h"
#include "faceatlas/cluster/chinese_whispers.h"
#include "faceatlas/cluster/clustering.h"
#include "faceatlas/cluster/condensed_matrix.h"
#include "faceatlas/cluster/dbscan.h"
#include "faceatlas/cluster/dendrogram_cut.h"
#include "faceatlas/cluster/distance.h"
#include "faceatlas/cluster/gaussian_mixture.h"
#include "faceatlas/cluster/kmeans.h"
#include "faceatlas/cluster/knn_graph.h"
#include "faceatlas/cluster/linkage.h"
#include "faceatlas/cluster/matrix.h"
#include "faceatlas/cluster/rank_order.h"
