// assign_min_cost: the Hungarian method on a square matrix padded from any shape.
#include <cmath>
#include <limits>
#include <vector>

#include "facekit/error.h"
#include "facekit/video.h"

namespace facekit {

std::vector<int> assign_min_cost(const std::vector<std::vector<double>>& cost) {
  const size_t rows = cost.size();
  const size_t columns = rows ? cost[0].size() : 0;
  double largest = 0;
  for (const auto& row : cost) {
    check(row.size() == columns, "assign_min_cost", "the cost matrix is ragged");
    for (double c : row) {
      check(!std::isnan(c), "assign_min_cost", "a cost is NaN");
      if (std::isfinite(c)) largest = std::max(largest, std::abs(c));
    }
  }
  // Pairs not allowed and the padding cost more than any assignment of
  // allowed pairs can, so they are taken only when nothing else is left.
  const size_t n = std::max(rows, columns);
  const double forbidden = (largest + 1) * static_cast<double>(n + 1);
  auto at = [&](size_t r, size_t c) {
    if (r >= rows || c >= columns || !std::isfinite(cost[r][c])) return forbidden;
    return cost[r][c];
  };
  // Kuhn–Munkres with row and column potentials u, v; 1-based, column 0 the
  // virtual start of each augmenting path.
  std::vector<double> u(n + 1, 0), v(n + 1, 0);
  std::vector<size_t> row_of(n + 1, 0), way(n + 1, 0);
  for (size_t r = 1; r <= n; ++r) {
    row_of[0] = r;
    size_t c0 = 0;
    std::vector<double> least(n + 1, std::numeric_limits<double>::infinity());
    std::vector<bool> used(n + 1, false);
    do {
      used[c0] = true;
      const size_t r0 = row_of[c0];
      double delta = std::numeric_limits<double>::infinity();
      size_t c1 = 0;
      for (size_t c = 1; c <= n; ++c) {
        if (used[c]) continue;
        const double reduced = at(r0 - 1, c - 1) - u[r0] - v[c];
        if (reduced < least[c]) {
          least[c] = reduced;
          way[c] = c0;
        }
        if (least[c] < delta) {
          delta = least[c];
          c1 = c;
        }
      }
      for (size_t c = 0; c <= n; ++c) {
        if (used[c]) {
          u[row_of[c]] += delta;
          v[c] -= delta;
        } else {
          least[c] -= delta;
        }
      }
      c0 = c1;
    } while (row_of[c0] != 0);
    do {
      const size_t c1 = way[c0];
      row_of[c0] = row_of[c1];
      c0 = c1;
    } while (c0 != 0);
  }
  std::vector<int> column_of(rows, -1);
  for (size_t c = 1; c <= n; ++c) {
    const size_t r = row_of[c];
    if (r >= 1 && r <= rows && c <= columns && std::isfinite(cost[r - 1][c - 1])) column_of[r - 1] = static_cast<int>(c - 1);
  }
  return column_of;
}

}  // namespace facekit
