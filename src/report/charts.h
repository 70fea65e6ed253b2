// SVG charts of the report, written as text (inline <svg>, no script, no external files).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "faceatlas/summary/album_summary.h"

namespace faceatlas::report {

// Stacked bars per age band: male and female persons.
std::string demography_svg(const std::vector<summary::DemographyBar>& bars);

// Horizontal bars of the share of faces showing each attribute; prominent ones (share >=
// `prominent_share`) in colour, noisy ones grey, the threshold as a dashed line.
std::string attribute_svg(const std::vector<summary::AttributeShare>& shares,
                          double prominent_share);

struct MapStyle {
    std::function<std::string(std::int64_t person_id)> colour;  // fill of a person's points
    std::function<std::string(std::int64_t person_id)> label;   // tooltip text (plain text)
    std::size_t max_points = 20000;
};
// Scatter plot of the 2-D projection; points link to their person's section (#p<id>).
std::string map_svg(const std::vector<summary::MapPoint>& points,
                    const std::vector<double>& explained, const MapStyle& style);

// One line of a line chart: (x, y) points, drawn in order; y = nullopt leaves a gap.
struct LineSeries {
    std::string label;
    std::vector<std::pair<double, std::optional<double>>> points;
};
// Line chart of silhouette (y) against k (x), one coloured line per series with a legend; the
// best point overall is ringed. `caption` names the chart (aria-label).
std::string silhouette_svg(const std::vector<LineSeries>& series, const std::string& caption);

// One horizontal bar per item (label, count), coloured palette(0), palette(1), ...
std::string count_bars_svg(const std::vector<std::pair<std::string, std::int64_t>>& items,
                           const std::string& caption);

// One stacked bar: the share of each part (label, count) of a whole, with a legend.
std::string composition_svg(const std::vector<std::pair<std::string, std::int64_t>>& parts,
                            const std::string& caption);

}  // namespace faceatlas::report
