// Flat clusterings from a dendrogram, as scipy.cluster.hierarchy.fcluster.
#pragma once

#include "faceatlas/cluster/clustering.h"
#include "faceatlas/cluster/linkage.h"

namespace faceatlas::cluster {

// requires: tree is a valid linkage (ids in range, N-1 steps).
// ensures: fcluster(Z, t=threshold, criterion='distance'): every flat cluster is the largest
//          subtree whose highest merge (max over the subtree, so inversions are handled) is
//          <= threshold. Labels 0..k-1 are scipy's labels minus one (same traversal order).
Clustering cut_by_distance(const Linkage& tree, double threshold);

// requires: max_clusters >= 1 (else throws faceatlas::Error).
// ensures: fcluster(Z, t=max_clusters, criterion='maxclust'): the smallest merge height
//          threshold (found by scipy's search over the nodes' max heights) that leaves at most
//          max_clusters clusters; fewer when ties make exactly max_clusters impossible.
Clustering cut_by_count(const Linkage& tree, int max_clusters);

}  // namespace faceatlas::cluster
