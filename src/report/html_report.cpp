#include "datakernel/report/html_report.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <numeric>
#include <set>

#include "datakernel/error.hpp"
#include "io/checked_file.hpp"
#include "report/results_reader.hpp"

namespace dk {

std::vector<int> average_linkage_order(const std::vector<std::vector<double>>& d) {
  std::vector<std::vector<int>> clusters;
  for (std::size_t i = 0; i < d.size(); ++i) clusters.push_back({static_cast<int>(i)});
  auto linkage = [&](const std::vector<int>& a, const std::vector<int>& b) {
    double sum = 0;
    for (int i : a)
      for (int j : b) sum += d[i][j];
    return sum / static_cast<double>(a.size() * b.size());
  };
  while (clusters.size() > 1) {
    std::size_t best_a = 0, best_b = 1;
    double best = std::numeric_limits<double>::infinity();
    for (std::size_t a = 0; a < clusters.size(); ++a)
      for (std::size_t b = a + 1; b < clusters.size(); ++b) {
        const double l = linkage(clusters[a], clusters[b]);
        if (l < best) best = l, best_a = a, best_b = b;
      }
    clusters[best_a].insert(clusters[best_a].end(), clusters[best_b].begin(), clusters[best_b].end());
    clusters.erase(clusters.begin() + static_cast<std::ptrdiff_t>(best_b));
  }
  return clusters.empty() ? std::vector<int>{} : clusters.front();
}

bool boxes_overlap(const LabelBox& a, const LabelBox& b) {
  return a.placed() && b.placed() && a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1;
}

double label_width(const std::string& utf8, double font_size) {
  std::size_t points = 0;
  for (unsigned char c : utf8) points += (c & 0xC0) != 0x80;
  return 0.62 * font_size * static_cast<double>(points) + 2.0;
}

std::string abbreviate(const std::string& utf8, std::size_t points) {
  std::vector<std::size_t> starts;  // byte offset of each code point
  for (std::size_t i = 0; i < utf8.size(); ++i)
    if ((static_cast<unsigned char>(utf8[i]) & 0xC0) != 0x80) starts.push_back(i);
  if (starts.size() <= points || points < 3) return utf8;
  const std::size_t tail = (points - 1) / 2, head = points - 1 - tail;
  return utf8.substr(0, starts[head]) + "…" + utf8.substr(starts[starts.size() - tail]);
}

std::vector<LabelBox> place_labels(const std::vector<double>& px, const std::vector<double>& py,
                                   const std::vector<double>& widths, double height, const LabelBox& area,
                                   double radius) {
  const std::size_t n = std::min({px.size(), py.size(), widths.size()});
  std::vector<LabelBox> boxes(n);
  auto hits_point = [&](const LabelBox& b) {
    for (std::size_t j = 0; j < n; ++j) {
      const double cx = std::clamp(px[j], b.x0, b.x1), cy = std::clamp(py[j], b.y0, b.y1);
      if ((cx - px[j]) * (cx - px[j]) + (cy - py[j]) * (cy - py[j]) < (radius + 1) * (radius + 1)) return true;
    }
    return false;
  };
  // Directions in order of preference: right, left, above, below, then the diagonals.
  static const std::array<std::array<double, 2>, 8> directions = {
      {{1, 0}, {-1, 0}, {0, -1}, {0, 1}, {1, -1}, {-1, -1}, {1, 1}, {-1, 1}}};
  for (std::size_t i = 0; i < n; ++i) {
    const double w = widths[i], h = height;
    if (!std::isfinite(px[i]) || !std::isfinite(py[i])) continue;
    for (int ring = 0; ring < 9 && !boxes[i].placed(); ++ring) {
      const double gap = radius + 3 + ring * 0.9 * h;
      for (const auto& [dx, dy] : directions) {
        LabelBox b;
        b.x0 = dx > 0 ? px[i] + gap * (dy != 0 ? 0.75 : 1.0) : dx < 0 ? px[i] - gap * (dy != 0 ? 0.75 : 1.0) - w : px[i] - w / 2;
        b.y0 = dy > 0 ? py[i] + gap * (dx != 0 ? 0.75 : 1.0) : dy < 0 ? py[i] - gap * (dx != 0 ? 0.75 : 1.0) - h : py[i] - h / 2;
        b.x1 = b.x0 + w;
        b.y1 = b.y0 + h;
        if (b.x0 < area.x0 || b.x1 > area.x1 || b.y0 < area.y0 || b.y1 > area.y1) continue;
        bool free = !hits_point(b);
        for (std::size_t j = 0; j < i && free; ++j) free = !boxes_overlap(b, boxes[j]);
        if (free) {
          boxes[i] = b;
          break;
        }
      }
    }
  }
  return boxes;
}

namespace {

std::string esc(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string num(double x) {
  if (std::isnan(x)) return "n/a";
  return fmt::format("{:.4g}", x);
}

// The first `points` code points of a UTF-8 string, with "…" when cut.
std::string shorten(const std::string& s, std::size_t points) {
  std::size_t seen = 0;
  for (std::size_t i = 0; i < s.size(); ++i)
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80 && seen++ == points) return s.substr(0, i) + "…";
  return s;
}

struct Scale {
  double lo, hi, a, b;
  Scale(double data_lo, double data_hi, double range_a, double range_b, double padding = 0.06)
      : lo(data_lo), hi(data_hi), a(range_a), b(range_b) {
    if (!(hi > lo)) lo -= 0.5, hi += 0.5;
    const double pad = padding * (hi - lo);
    lo -= pad;
    hi += pad;
  }
  // Pixels; the middle of the range where the data overflow (extreme values of a hand-edited summary.json).
  double operator()(double x) const {
    const double v = a + (x - lo) / (hi - lo) * (b - a);
    return std::isfinite(v) ? v : (a + b) / 2;
  }
};

// Round tick values inside [lo, hi] (about `target` of them) and the step between them.
std::pair<std::vector<double>, double> nice_ticks(double lo, double hi, int target) {
  if (!std::isfinite(lo) || !std::isfinite(hi) || !std::isfinite(hi - lo) || !(hi > lo)) return {{}, 0.0};
  const double raw = (hi - lo) / target, magnitude = std::pow(10.0, std::floor(std::log10(raw)));
  const double f = raw / magnitude;
  const double step = (f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10) * magnitude;
  if (!(step > 0) || !std::isfinite(step)) return {{}, 0.0};
  std::vector<double> ticks;
  const double first = std::ceil(lo / step - 1e-9);
  for (int k = 0; k < 50; ++k) {
    double v = (first + k) * step;
    if (v > hi + 1e-9 * step) break;
    if (std::abs(v) < 1e-9 * step) v = 0.0;
    ticks.push_back(v);
  }
  return {ticks, step};
}

std::string tick_text(double v, double step) {
  const int decimals = std::max(0, static_cast<int>(-std::floor(std::log10(step) + 1e-9)));
  if (decimals > 5 || std::abs(v) >= 1e6) return fmt::format("{:.3g}", v);
  return fmt::format("{:.{}f}", v, decimals);
}

// Viridis-like colour for t in [0, 1].
std::string colour(double t) {
  static const std::array<std::array<double, 3>, 5> anchors = {
      {{68, 1, 84}, {59, 82, 139}, {33, 145, 140}, {94, 201, 98}, {253, 231, 37}}};
  t = std::clamp(std::isnan(t) ? 0.0 : t, 0.0, 1.0) * 4.0;
  const int k = std::min(3, static_cast<int>(t));
  const double f = t - k;
  std::array<int, 3> c{};
  for (int i = 0; i < 3; ++i) c[i] = static_cast<int>(anchors[k][i] + f * (anchors[k + 1][i] - anchors[k][i]) + 0.5);
  return fmt::format("#{:02x}{:02x}{:02x}", c[0], c[1], c[2]);
}

std::string blue(double t) {  // light to dark blue for the heatmap
  t = std::clamp(std::isnan(t) ? 0.0 : t, 0.0, 1.0);
  const int r = static_cast<int>(247 - t * (247 - 8)), g = static_cast<int>(251 - t * (251 - 48)),
            b = static_cast<int>(255 - t * (255 - 107));
  return fmt::format("#{:02x}{:02x}{:02x}", r, g, b);
}

// A plot's frame: the axes run along x = left and y = height − bottom, up to x = width − 10 and y = 10.
struct Frame {
  double width, height, left, bottom;
  double x_end() const { return width - 10; }
  double y_end() const { return 10; }
  double y_axis() const { return height - bottom; }
};

// Axis lines, tick marks with their values (class xticks / yticks) and the axis titles.
std::string axes(const Frame& f, const Scale& sx, const Scale& sy, const std::string& x_label,
                 const std::string& y_label) {
  std::string out = fmt::format(
      "<line x1='{0}' y1='{1}' x2='{2}' y2='{1}' class='axis'/><line x1='{0}' y1='{3}' x2='{0}' y2='{1}' class='axis'/>",
      f.left, f.y_axis(), f.x_end(), f.y_end());
  const auto [xt, x_step] = nice_ticks(std::min(sx.lo, sx.hi), std::max(sx.lo, sx.hi), 6);
  out += "<g class='xticks'>";
  for (double v : xt) {
    const double x = sx(v);
    if (x < f.left - 0.5 || x > f.x_end() + 0.5) continue;
    out += fmt::format("<line x1='{0:.1f}' y1='{1}' x2='{0:.1f}' y2='{2}' class='axis'/><text x='{0:.1f}' y='{3}' "
                       "class='tick' text-anchor='middle'>{4}</text>",
                       x, f.y_axis(), f.y_axis() + 4, f.y_axis() + 15, tick_text(v, x_step));
  }
  const auto [yt, y_step] = nice_ticks(std::min(sy.lo, sy.hi), std::max(sy.lo, sy.hi), 5);
  out += "</g><g class='yticks'>";
  for (double v : yt) {
    const double y = sy(v);
    if (y < f.y_end() - 0.5 || y > f.y_axis() + 0.5) continue;
    out += fmt::format("<line x1='{0}' y1='{1:.1f}' x2='{2}' y2='{1:.1f}' class='axis'/><text x='{3}' y='{4:.1f}' "
                       "class='tick' text-anchor='end'>{5}</text>",
                       f.left - 4, y, f.left, f.left - 6, y + 4, tick_text(v, y_step));
  }
  out += "</g>";
  out += fmt::format("<text x='{0}' y='{1}' class='label' text-anchor='middle'>{2}</text>"
                     "<text x='13' y='{3}' class='label' text-anchor='middle' transform='rotate(-90 13 {3})'>{4}</text>",
                     (f.left + f.x_end()) / 2, f.height - 4, esc(x_label), (f.y_axis() + f.y_end()) / 2, esc(y_label));
  return out;
}

// Placed labels as SVG text (class `cls`), each with a leader line when it sits away from its point.
std::string draw_labels(const std::vector<double>& px, const std::vector<double>& py,
                        const std::vector<std::string>& texts, const std::vector<LabelBox>& boxes, double font_size,
                        double radius, const std::string& cls) {
  std::string out;
  for (std::size_t i = 0; i < boxes.size(); ++i) {
    const LabelBox& b = boxes[i];
    if (!b.placed()) continue;
    const double cx = std::clamp(px[i], b.x0, b.x1), cy = std::clamp(py[i], b.y0, b.y1);
    const double gap = std::hypot(cx - px[i], cy - py[i]);
    if (gap > radius + 3 + 0.5 * (b.y1 - b.y0))
      out += fmt::format("<line x1='{:.1f}' y1='{:.1f}' x2='{:.1f}' y2='{:.1f}' class='leader'/>",
                         px[i] + (cx - px[i]) * radius / gap, py[i] + (cy - py[i]) * radius / gap, cx, cy);
    out += fmt::format("<text x='{:.1f}' y='{:.1f}' class='{}' data-box='{:.1f} {:.1f} {:.1f} {:.1f}'>{}</text>",
                       b.x0 + 1, b.y0 + 0.92 * font_size + 0.5 * (b.y1 - b.y0 - 1.2 * font_size), cls, b.x0, b.y0,
                       b.x1, b.y1, esc(texts[i]));
  }
  return out;
}

// A number of summary.json that may be null (how a NaN is written).
double number_or_nan(const nlohmann::json& v) { return v.is_number() ? v.get<double>() : std::nan(""); }

std::vector<std::vector<double>> matrix_of(const nlohmann::json& j) {
  std::vector<std::vector<double>> m;
  for (const auto& row : j) {
    m.emplace_back();
    for (const auto& v : row) m.back().push_back(v.is_number() ? v.get<double>() : std::nan(""));
  }
  return m;
}

double finite_or(double v, double fallback) { return std::isfinite(v) ? v : fallback; }

std::string model_map(const nlohmann::json& s, const std::vector<std::string>& names,
                      const std::vector<std::vector<double>>& d) {
  const auto coords = matrix_of(s.at("manifold"));
  const Frame f{560, 420, 58, 34};
  std::vector<double> xs, ys;
  for (const auto& c : coords) {
    xs.push_back(c.empty() ? 0.0 : finite_or(c[0], 0.0));
    ys.push_back(c.size() > 1 ? finite_or(c[1], 0.0) : 0.0);
  }
  // One unit is as long on both axes (distances on the map are what it shows), with generous padding: the labels
  // need room around the outermost models.
  double x_lo = *std::min_element(xs.begin(), xs.end()), x_hi = *std::max_element(xs.begin(), xs.end());
  double y_lo = *std::min_element(ys.begin(), ys.end()), y_hi = *std::max_element(ys.begin(), ys.end());
  const double x_px = f.x_end() - f.left - 20, y_px = f.y_axis() - f.y_end() - 20;
  const double per_px = std::max({(x_hi - x_lo) / x_px, (y_hi - y_lo) / y_px, 1e-12});
  if (std::isfinite(per_px)) {
    const double x_mid = (x_lo + x_hi) / 2, y_mid = (y_lo + y_hi) / 2;
    x_lo = x_mid - per_px * x_px / 2, x_hi = x_mid + per_px * x_px / 2;
    y_lo = y_mid - per_px * y_px / 2, y_hi = y_mid + per_px * y_px / 2;
  }
  const Scale sx(x_lo, x_hi, f.left + 10, f.x_end() - 10, 0.16), sy(y_lo, y_hi, f.y_axis() - 10, f.y_end() + 10, 0.16);
  std::string out = fmt::format("<svg class='plot' id='model-map' width='{}' height='{}' viewBox='0 0 {} {}' "
                                "role='img' aria-label='model map'>",
                                f.width, f.height, f.width, f.height);
  out += axes(f, sx, sy, "MDS 1", "MDS 2");
  std::vector<double> px, py, widths;
  for (std::size_t g = 0; g < names.size(); ++g) {
    px.push_back(sx(xs[g]));
    py.push_back(sy(ys[g]));
    widths.push_back(label_width(names[g], 13));
  }
  const LabelBox area{f.left + 2, f.y_end() + 2, f.x_end() - 2, f.y_axis() - 2};
  const std::vector<LabelBox> boxes = place_labels(px, py, widths, 16, area, 7);
  for (std::size_t g = 0; g < names.size(); ++g) {
    std::vector<std::size_t> others;
    for (std::size_t h = 0; h < names.size(); ++h)
      if (h != g) others.push_back(h);
    std::sort(others.begin(), others.end(), [&](auto a, auto b) { return d[g][a] < d[g][b]; });
    std::string nearest;
    for (std::size_t r = 0; r < std::min<std::size_t>(3, others.size()); ++r)
      nearest += fmt::format("{}{} ({})", r ? ", " : "", names[others[r]], num(d[g][others[r]]));
    out += fmt::format("<g class='model'><title>{} — nearest: {}</title><circle cx='{:.1f}' cy='{:.1f}' r='7'/></g>",
                       esc(names[g]), esc(nearest), px[g], py[g]);
  }
  out += "<g class='model-labels'>" + draw_labels(px, py, names, boxes, 13, 7, "map-label") + "</g>";
  const auto left_out = std::count_if(boxes.begin(), boxes.end(), [](const LabelBox& b) { return !b.placed(); });
  if (left_out > 0)
    out += fmt::format("<text x='{}' y='{}' class='tick'>{} of {} labels left out for space: hover the points</text>",
                       f.left + 8, f.y_end() + 12, left_out, names.size());
  return out + "</svg>";
}

// Beside the map: how faithful it is (Kruskal's stress-1: ≤ 0.05 good, ≤ 0.1 fair, above that the 2-D distances
// mislead) and what is left out.
std::string map_notes(const nlohmann::json& s, const std::vector<std::string>& names) {
  const double stress = number_or_nan(s.at("manifold_stress")), negative = number_or_nan(s.at("manifold_negative_mass"));
  std::string out = "<div class='map-notes'>";
  if (std::isnan(stress))
    out += "<p>Stress: n/a.</p>";
  else if (stress > 0.1)
    out += fmt::format("<div class='warn' id='stress-warning'><b>Stress {}</b> (Kruskal stress-1): the map distorts "
                       "the model distances ({}). Read distances from the heatmap below, not from the map.</div>",
                       num(stress), stress > 0.2 ? "poor fit, above 0.2" : "fair fit at best, above 0.1");
  else
    out += fmt::format("<p id='stress-note'><b>Stress {}</b> (Kruskal stress-1; ≤ 0.05 good, ≤ 0.1 fair): the map's "
                       "distances follow the model distances {}.</p>",
                       num(stress), stress <= 0.05 ? "closely" : "roughly");
  if (std::isfinite(negative) && negative > 0.1)
    out += fmt::format("<div class='warn'>Negative eigenvalue mass {}: the distances are far from Euclidean, so no "
                       "flat map can show them well.</div>",
                       num(negative));
  out += fmt::format("<p class='hint'>Hover a model for its nearest models.</p><p>{} models; nearer points are more "
                     "similar models.</p></div>",
                     names.size());
  return out;
}
std::string heatmap(const std::vector<std::string>& names, const std::vector<std::vector<double>>& d) {
  const std::vector<int> order = average_linkage_order(d);
  const std::size_t m = names.size();
  std::size_t longest = 4;
  for (const auto& n : names) longest = std::max(longest, n.size());
  const double cell = std::clamp(480.0 / static_cast<double>(m), 14.0, 64.0);
  const double margin = 12 + 7.0 * static_cast<double>(std::min<std::size_t>(longest, 24));
  const double size = margin + cell * static_cast<double>(m) + 10;
  double max = 0;
  for (const auto& row : d)
    for (double v : row) max = std::max(max, std::isnan(v) ? 0.0 : v);
  std::string out = fmt::format("<svg class='plot' id='heatmap' width='{0}' height='{0}' viewBox='0 0 {0} {0}' "
                                "role='img' aria-label='model distance heatmap'>",
                                size);
  for (std::size_t r = 0; r < m; ++r) {
    const int g = order[r];
    out += fmt::format("<text x='{:.1f}' y='{:.1f}' text-anchor='end' class='tick'>{}</text>", margin - 6,
                       margin + cell * (r + 0.5) + 4, esc(names[g]));
    out += fmt::format("<text x='{0:.1f}' y='{1:.1f}' text-anchor='start' class='tick' transform='rotate(-90 {0:.1f} {1:.1f})'>{2}</text>",
                       margin + cell * (r + 0.5) + 4, margin - 6, esc(names[g]));
    for (std::size_t c = 0; c < m; ++c) {
      const int h = order[c];
      const double v = d[g][h];
      const double t = max > 0 ? v / max : 0.0;
      out += fmt::format("<g><title>{} – {}: {}</title><rect x='{:.1f}' y='{:.1f}' width='{:.1f}' height='{:.1f}' fill='{}'/>",
                         esc(names[g]), esc(names[h]), num(v), margin + cell * c, margin + cell * r, cell, cell, blue(t));
      if (m <= 16)
        out += fmt::format("<text x='{:.1f}' y='{:.1f}' text-anchor='middle' class='cell' fill='{}'>{}</text>",
                           margin + cell * (c + 0.5), margin + cell * (r + 0.5) + 4, t > 0.55 ? "#fff" : "#111",
                           fmt::format("{:.3f}", v));
      out += "</g>";
    }
  }
  return out + "</svg>";
}


// |λ| of the omnibus eigenvalues by rank, the chosen d and the Zhu–Ghodsi elbows; empty without eigenvalues.
std::string scree_plot(const nlohmann::json& s) {
  if (!s.contains("eigenvalues") || s["eigenvalues"].empty()) return "";
  std::vector<double> values;
  for (const auto& v : s["eigenvalues"]) values.push_back(number_or_nan(v));
  const auto count = static_cast<double>(values.size());
  const long dim = s.at("dim").get<long>();
  double hi = 0;
  for (double v : values)
    if (std::isfinite(v)) hi = std::max(hi, std::abs(v));
  const Frame f{560, 320, 58, 34};
  const Scale sx(1, std::max(2.0, count), f.left + 8, f.x_end() - 8, 0.03), sy(0, hi > 0 ? hi : 1, f.y_axis(), f.y_end() + 30, 0.0);
  std::string out = fmt::format("<svg class='plot' id='scree' width='{0}' height='{1}' viewBox='0 0 {0} {1}' role='img' "
                                "aria-label='scree plot of the omnibus eigenvalues'>",
                                f.width, f.height);
  out += axes(f, sx, sy, "rank r", "|λ_r|");
  std::string points;
  for (std::size_t r = 0; r < values.size(); ++r)
    if (std::isfinite(values[r])) points += fmt::format("{:.1f},{:.1f} ", sx(r + 1.0), sy(std::abs(values[r])));
  out += "<polyline class='scree-line' points='" + points + "'/>";
  for (std::size_t r = 0; r < values.size(); ++r)
    if (std::isfinite(values[r]))
      out += fmt::format("<circle cx='{:.1f}' cy='{:.1f}' r='3' class='{}'><title>λ_{} = {}</title></circle>",
                         sx(r + 1.0), sy(std::abs(values[r])), static_cast<long>(r) < dim ? "ev kept" : "ev",
                         r + 1, num(values[r]));
  if (s.contains("elbows"))
    for (std::size_t e = 0; e < s["elbows"].size(); ++e) {
      const auto q = s["elbows"][e].get<long long>();
      if (q < 1 || static_cast<double>(q) > count) continue;
      const double x = sx(static_cast<double>(q) + 0.5);
      out += fmt::format("<line x1='{0:.1f}' y1='{1}' x2='{0:.1f}' y2='{2}' class='elbow'/><text x='{3:.1f}' y='{4}' "
                         "class='tick elbow-label'>elbow {5}</text>",
                         x, f.y_axis(), f.y_end() + 4, x + 3, f.y_end() + 22 + 12 * static_cast<double>(e % 3), e + 1);
    }
  if (dim >= 1 && static_cast<double>(dim) <= count) {
    const double x = sx(static_cast<double>(dim) + 0.5);
    out += fmt::format("<line x1='{0:.1f}' y1='{1}' x2='{0:.1f}' y2='{2}' class='chosen-d' id='scree-d'/>"
                       "<text x='{3:.1f}' y='{4}' class='chosen-d-label' text-anchor='end'>d = {5}</text>",
                       x, f.y_axis(), f.y_end(), x - 4, f.y_end() + 10, dim);
  }
  return out + "</svg>";
}

std::string correlation_plot(const nlohmann::json& s, const std::vector<std::string>& names,
                             const std::vector<std::vector<double>>& d, const nlohmann::json& c) {
  const std::string metric = c.at("metric");
  if (!s.contains("metric_values") || !s["metric_values"].contains(metric)) return "";
  const std::vector<double> f = s["metric_values"][metric].get<std::vector<double>>();
  std::vector<double> xs, ys;
  std::vector<std::string> tips, short_names;
  for (std::size_t i = 0; i < names.size(); ++i)
    for (std::size_t j = i + 1; j < names.size(); ++j) {
      xs.push_back(finite_or(std::abs(f[i] - f[j]), 0.0));
      ys.push_back(finite_or(d[i][j], 0.0));
      tips.push_back(names[i] + " – " + names[j]);
      short_names.push_back(abbreviate(names[i], 11) + "–" + abbreviate(names[j], 11));
    }
  const Frame fr{460, 340, 58, 34};
  const Scale sx(*std::min_element(xs.begin(), xs.end()), *std::max_element(xs.begin(), xs.end()), fr.left + 8,
                 fr.x_end() - 8, 0.12);
  const Scale sy(*std::min_element(ys.begin(), ys.end()), *std::max_element(ys.begin(), ys.end()), fr.y_axis() - 8,
                 fr.y_end() + 8, 0.12);
  std::string out = fmt::format("<svg class='plot scatter' width='{0}' height='{1}' viewBox='0 0 {0} {1}' role='img' "
                                "aria-label='distance against metric difference'>",
                                fr.width, fr.height);
  out += axes(fr, sx, sy, "|" + metric + " difference|", "model distance");
  std::vector<double> px, py, widths;
  for (std::size_t p = 0; p < xs.size(); ++p) {
    px.push_back(sx(xs[p]));
    py.push_back(sy(ys[p]));
    widths.push_back(label_width(short_names[p], 10));
    out += fmt::format("<circle cx='{:.1f}' cy='{:.1f}' r='5' class='pair'><title>{}: distance {}, |Δ| {}</title></circle>",
                       px[p], py[p], esc(tips[p]), num(ys[p]), num(xs[p]));
  }
  // Pair labels while they fit (45 pairs: 10 models); the rest are in the points' tooltips.
  if (xs.size() <= 45) {
    const LabelBox area{fr.left + 2, fr.y_end() + 2, fr.x_end() - 2, fr.y_axis() - 2};
    out += "<g class='pair-labels'>" +
           draw_labels(px, py, short_names, place_labels(px, py, widths, 13, area, 5), 10, 5, "pair-label") + "</g>";
  }
  return out + "</svg>";
}

// " at d = D" when the map's measure has a dimension of its own (e.g. normalised_omnibus), else "".
std::string map_measure_dim(const nlohmann::json& s) {
  const std::string map = s.value("distance", std::string("omnibus"));
  for (const auto& measure : s.value("pair_measures", nlohmann::json::array()))
    if (measure.value("name", std::string()) == map && measure.contains("dim"))
      return fmt::format(" at d = {}", measure["dim"].get<long>());
  return "";
}

std::string metric_table(const nlohmann::json& s, const std::vector<std::string>& names) {
  if (!s.contains("metric_values") || s["metric_values"].empty()) return "";
  std::string out = "<table class='sortable metric-values'><thead><tr><th>model</th>";
  for (const auto& [metric, values] : s["metric_values"].items()) out += "<th>" + esc(metric) + "</th>";
  out += "</tr></thead><tbody>";
  for (std::size_t g = 0; g < names.size(); ++g) {
    out += "<tr><td>" + esc(names[g]) + "</td>";
    for (const auto& [metric, values] : s["metric_values"].items()) {
      const double v = values[g].get<double>();
      out += fmt::format("<td data-value='{}'>{}</td>", v, num(v));
    }
    out += "</tr>";
  }
  return out + "</tbody></table>";
}

// Every population measure (rows) against every downstream metric (columns): Spearman and Pearson with
// |metric difference| over the model pairs, each with its Mantel p; the best Spearman per metric in bold, and a
// one-line statement of which measure tracks each metric best.
std::string measure_table(const nlohmann::json& s) {
  if (!s.contains("measure_correlations") || !s.contains("pair_measures")) return "";
  std::vector<std::string> metrics, measures;
  for (const auto& c : s["measure_correlations"]) {
    const std::string metric = c.at("metric"), measure = c.at("measure");
    if (std::find(metrics.begin(), metrics.end(), metric) == metrics.end()) metrics.push_back(metric);
    if (std::find(measures.begin(), measures.end(), measure) == measures.end()) measures.push_back(measure);
  }
  std::map<std::string, std::string> best;  // metric -> measure
  for (const auto& b : s.value("best_measure", nlohmann::json::array()))
    best[b.at("metric").get<std::string>()] = b.at("measure").get<std::string>();
  std::map<std::string, std::string> definitions;
  for (const auto& m : s["pair_measures"])
    definitions[m.at("name").get<std::string>()] = m.value("definition", std::string());
  const std::string map_measure = s.value("distance", std::string("omnibus"));
  auto value = [](const nlohmann::json& c, const char* key) {
    return c.contains(key) && c[key].is_number() ? c[key].get<double>() : std::numeric_limits<double>::quiet_NaN();
  };
  std::string out = "<table class='sortable measure-table' id='measure-table'><thead><tr><th>measure</th>";
  for (const auto& metric : metrics)
    out += fmt::format("<th>Spearman, |Δ {0}|</th><th>Mantel p</th><th>Pearson, |Δ {0}|</th><th>Mantel p</th>",
                       esc(metric));
  out += "</tr></thead><tbody>";
  for (const auto& measure : measures) {
    out += fmt::format("<tr data-measure='{0}'><td title='{1}'>{0}{2}</td>", esc(measure), esc(definitions[measure]),
                       measure == map_measure ? " <span class='map-tag'>(map)</span>" : "");
    for (const auto& metric : metrics) {
      const nlohmann::json* found = nullptr;
      for (const auto& c : s["measure_correlations"])
        if (c.at("metric") == metric && c.at("measure") == measure) found = &c;
      if (found == nullptr) {
        out += "<td></td><td></td><td></td><td></td>";
        continue;
      }
      const double rs = value(*found, "spearman"), ps = value(*found, "spearman_p");
      const double rp = value(*found, "pearson"), pp = value(*found, "pearson_p");
      const bool top = best.count(metric) != 0 && best[metric] == measure;
      out += fmt::format("<td data-value='{}'{}>{}</td><td data-value='{}'>{}</td><td data-value='{}'>{}</td>"
                         "<td data-value='{}'>{}</td>",
                         num(rs), top ? " class='best'" : "", top ? "<b>" + num(rs) + "</b>" : num(rs), num(ps), num(ps),
                         num(rp), num(rp), num(pp), num(pp));
    }
    out += "</tr>";
  }
  out += "</tbody></table><p class='best-measure'>";
  std::string statement;
  for (const auto& b : s.value("best_measure", nlohmann::json::array()))
    statement += fmt::format("{}|Δ {}| is tracked best by <b>{}</b> (Spearman {}, Mantel p {})",
                             statement.empty() ? "" : "; ", esc(b.at("metric").get<std::string>()),
                             esc(b.at("measure").get<std::string>()), num(value(b, "spearman")),
                             num(value(b, "spearman_p")));
  out += (statement.empty() ? std::string("No measure has a defined correlation.") : statement + ".") + "</p><ul class='measure-defs'>";
  for (const auto& measure : measures)
    out += fmt::format("<li><b>{}</b>: {}</li>", esc(measure), esc(definitions[measure]));
  return out + "</ul>";
}

std::string cdf_plot(const nlohmann::json& test) {
  const Frame f{360, 320, 58, 34};
  const Scale sx(0, 1, f.left + 4, f.x_end() - 4, 0.0), sy(0, 1, f.y_axis() - 4, f.y_end() + 4, 0.0);
  std::string out = fmt::format("<svg class='plot cdf' width='{0}' height='{1}' viewBox='0 0 {0} {1}' role='img' "
                                "aria-label='p-value CDF'>",
                                f.width, f.height);
  out += axes(f, sx, sy, "p-value", "share of data with p ≤ x");
  out += fmt::format("<line x1='{:.1f}' y1='{:.1f}' x2='{:.1f}' y2='{:.1f}' class='uniform'/>", sx(0), sy(0), sx(1), sy(1));
  std::string points;
  for (const auto& xy : test.at("p_value_cdf"))
    points += fmt::format("{:.1f},{:.1f} ", sx(std::clamp(xy[0].get<double>(), 0.0, 1.0)),
                          sy(std::clamp(xy[1].get<double>(), 0.0, 1.0)));
  out += "<polyline class='cdf-line' points='" + points + "'/>";
  out += fmt::format("<text x='{:.1f}' y='{:.1f}' class='tick'>uniform</text>", sx(0.62), sy(0.56));
  const double alpha = test.at("alpha").get<double>(), share = test.at("share_p_below_alpha").get<double>();
  if (alpha >= 0 && alpha <= 1) {
    out += fmt::format("<line x1='{0:.1f}' y1='{1:.1f}' x2='{0:.1f}' y2='{2:.1f}' class='alpha-marker'/>"
                       "<text x='{3:.1f}' y='{4:.1f}' class='tick alpha-label'>α = {5}: {6} of p &lt; α</text>",
                       sx(alpha), sy(0), sy(1), sx(alpha) + 4, sy(1) + 12, num(alpha), num(std::clamp(share, 0.0, 1.0)));
    if (share >= 0 && share <= 1)
      out += fmt::format("<circle cx='{:.1f}' cy='{:.1f}' r='3.5' class='alpha-point'/>", sx(alpha), sy(share));
  }
  const double floor_p = test.at("smallest_attainable_p").get<double>();
  if (floor_p > 0 && floor_p <= 1)
    out += fmt::format("<line x1='{0:.1f}' y1='{1:.1f}' x2='{0:.1f}' y2='{2:.1f}' class='floor-marker'/>"
                       "<text x='{3:.1f}' y='{4:.1f}' class='tick'>p floor {5}</text>",
                       sx(floor_p), sy(0), sy(0.8), sx(floor_p) + 4, sy(0.8) + 24, num(floor_p));
  return out + "</svg>";
}

// The rows of one pair's table: smallest q, then the largest statistic (q-values tie in runs under BH).
std::vector<std::size_t> top_rows(const DatumTestRows& rows, std::size_t limit) {
  std::vector<std::size_t> order(rows.statistic.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](auto a, auto b) {
    if (rows.q_value[a] != rows.q_value[b]) return rows.q_value[a] < rows.q_value[b];
    return rows.statistic[a] > rows.statistic[b];
  });
  order.resize(std::min(order.size(), limit));
  return order;
}

// The id cell of a datum: a link to its point in the data plot when it is drawn there.
std::string id_cell(const ResultsOnDisk& r, std::size_t datum, const std::vector<bool>& plotted) {
  const std::string id = datum < r.ids.size() ? r.ids[datum] : std::to_string(datum);
  if (datum < plotted.size() && plotted[datum])
    return fmt::format("<td><a href='#d-{}' title='its point in the data plot'>{}</a></td>", datum, esc(id));
  return "<td>" + esc(id) + "</td>";
}

std::string top_table(const DatumTestRows& rows, const ResultsOnDisk& r, std::size_t limit,
                      const std::vector<bool>& plotted) {
  const std::vector<std::size_t> order = top_rows(rows, limit);
  const bool labels = !r.labels.empty(), texts = !r.texts.empty();
  bool ranks = false;
  for (double v : rows.rank_change) ranks = ranks || !std::isnan(v);
  std::string out = "<table class='sortable'><thead><tr><th>rank</th><th>id</th>";
  if (labels) out += "<th>label</th>";
  if (texts) out += "<th>text</th>";
  out += "<th>statistic</th><th>p</th><th>q</th><th>rejected</th><th title='1 − shared / all kNN neighbours'>kNN "
         "Jaccard</th>";
  if (ranks) out += "<th title='top-k footrule: 0 same order, 1 disjoint'>rank change</th>";
  out += "</tr></thead><tbody>";
  for (std::size_t k = 0; k < order.size(); ++k) {
    const std::size_t row = order[k];
    const auto datum = static_cast<std::size_t>(rows.datum[row]);
    out += fmt::format("<tr data-datum='{1}'><td data-value='{0}'>{0}</td>", k + 1, datum) + id_cell(r, datum, plotted);
    if (labels) out += "<td>" + esc(datum < r.labels.size() ? r.labels[datum] : "") + "</td>";
    if (texts) out += "<td class='text'><span>" + esc(datum < r.texts.size() ? r.texts[datum] : "") + "</span></td>";
    out += fmt::format("<td data-value='{0}'>{1}</td><td data-value='{2}'>{3}</td><td data-value='{4}'>{5}</td><td>{6}</td>",
                       rows.statistic[row], num(rows.statistic[row]), rows.p_value[row], num(rows.p_value[row]),
                       rows.q_value[row], num(rows.q_value[row]), rows.rejected[row] ? "yes" : "no");
    out += fmt::format("<td data-value='{0}'>{1}</td>", rows.jaccard[row], num(rows.jaccard[row]));
    if (ranks) out += fmt::format("<td data-value='{0}'>{1}</td>", rows.rank_change[row], num(rows.rank_change[row]));
    out += "</tr>";
  }
  return out + "</tbody></table>";
}

constexpr std::size_t kTableRows = 25;

// The data drawn in the data plots: at most about 4,000 by a fixed stride, plus every datum rejected in the
// plotted pair and every datum of a table (so that each table row links to a point).
std::vector<bool> plotted_data(const ResultsOnDisk& r, const std::string& a, const DatumTestRows* test) {
  if (!r.z1.count(a)) return {};
  const std::size_t n = r.z1.at(a).size();
  std::vector<bool> shown(n, false);
  const std::size_t stride = std::max<std::size_t>(1, n / 4000);
  for (std::size_t i = 0; i < n; i += stride) shown[i] = true;
  if (test != nullptr)
    for (std::size_t k = 0; k < test->datum.size(); ++k)
      if (test->rejected[k] && static_cast<std::size_t>(test->datum[k]) < n) shown[static_cast<std::size_t>(test->datum[k])] = true;
  for (const DatumTestRows& rows : r.tests)
    for (std::size_t row : top_rows(rows, kTableRows))
      if (static_cast<std::size_t>(rows.datum[row]) < n) shown[static_cast<std::size_t>(rows.datum[row])] = true;
  return shown;
}

struct DataFrame {
  Frame f;
  Scale sx, sy;
};

DataFrame data_frame(const ResultsOnDisk& r, const std::string& a, const std::string& b, const std::vector<bool>& shown,
                     double width) {
  double x_lo = 1e300, x_hi = -1e300, y_lo = 1e300, y_hi = -1e300;
  for (const auto& model : {a, b})
    for (std::size_t i = 0; i < shown.size(); ++i)
      if (shown[i]) {
        x_lo = std::min(x_lo, r.z1.at(model)[i]), x_hi = std::max(x_hi, r.z1.at(model)[i]);
        y_lo = std::min(y_lo, r.z2.at(model)[i]), y_hi = std::max(y_hi, r.z2.at(model)[i]);
      }
  const Frame f{width, 460, 58, 34};
  return {f, Scale(x_lo, x_hi, f.left + 6, f.x_end() - 6), Scale(y_lo, y_hi, f.y_axis() - 6, f.y_end() + 30)};
}

std::string embedding_plot(const ResultsOnDisk& r, const std::string& a, const std::string& b,
                           const DatumTestRows* test, double floor_p, const std::vector<bool>& plotted,
                           const std::vector<bool>& in_table) {
  if (!r.z1.count(a) || !r.z1.count(b)) return "<p>No 2-D embedding in this output (latent_2d.csv).</p>";
  const std::size_t n = r.z1.at(a).size();
  std::vector<double> score(n, 0.0);
  std::vector<bool> rejected(n, false);
  // Colour saturates at the smallest attainable q: the p floor (1/(B+1) for count p-values), 10⁻¹⁰ for continuous ones.
  const double cap = floor_p > 0 ? std::min(10.0, -std::log10(floor_p)) : 10.0;
  if (test != nullptr)
    for (std::size_t k = 0; k < test->datum.size(); ++k) {
      const auto i = static_cast<std::size_t>(test->datum[k]);
      if (i >= n) continue;
      score[i] = std::min(cap, -std::log10(std::max(test->q_value[k], 1e-300)));
      rejected[i] = test->rejected[k];
    }
  std::vector<std::size_t> shown;
  for (std::size_t i = 0; i < n && i < plotted.size(); ++i)
    if (plotted[i]) shown.push_back(i);
  std::stable_sort(shown.begin(), shown.end(), [&](auto x, auto y) { return score[x] < score[y]; });  // most significant on top
  const DataFrame frame = data_frame(r, a, b, plotted, 640);
  const Frame& f = frame.f;
  const Scale &sx = frame.sx, &sy = frame.sy;
  std::string out = fmt::format("<svg class='plot' id='embedding' width='{0}' height='{1}' viewBox='0 0 {0} {1}' "
                                "role='img' aria-label='omnibus embedding of the data'>",
                                f.width, f.height);
  out += axes(f, sx, sy, "omnibus dimension 1", "omnibus dimension 2");
  for (std::size_t i : shown) {
    const std::string id = i < r.ids.size() ? r.ids[i] : std::to_string(i);
    const std::string fill = cap > 0 && test ? colour(score[i] / cap) : "#888";
    const bool linked = i < in_table.size() && in_table[i];
    out += fmt::format("<g class='pt{}' id='d-{}' data-datum='{}'><title>{} ({} → {}), −log10 q = {}{}</title>"
                       "<circle cx='{:.1f}' cy='{:.1f}' r='{}' fill='{}' class='pa'/>"
                       "<rect x='{:.1f}' y='{:.1f}' width='{}' height='{}' fill='{}' class='pb'/>",
                       linked ? " linked" : "", i, i, esc(id), esc(a), esc(b), num(score[i]),
                       linked ? "; click for its table row" : "", sx(r.z1.at(a)[i]), sy(r.z2.at(a)[i]),
                       rejected[i] ? 3.5 : 2.0, fill, sx(r.z1.at(b)[i]) - 2.5, sy(r.z2.at(b)[i]) - 2.5, 5, 5, fill);
    if (rejected[i])
      out += fmt::format("<line x1='{:.1f}' y1='{:.1f}' x2='{:.1f}' y2='{:.1f}' class='move' stroke='{}'/>",
                         sx(r.z1.at(a)[i]), sy(r.z2.at(a)[i]), sx(r.z1.at(b)[i]), sy(r.z2.at(b)[i]), fill);
    out += "</g>";
  }
  // colour bar
  for (int k = 0; k < 50; ++k)
    out += fmt::format("<rect x='{}' y='{}' width='4' height='8' fill='{}'/>", f.width - 230 + 4 * k, 14, colour(k / 49.0));
  out += fmt::format("<text x='{}' y='34' class='tick'>0</text><text x='{}' y='34' class='tick' text-anchor='end'>"
                     "−log10 q = {}</text>",
                     f.width - 230, f.width - 30, num(cap));
  return out + "</svg>";
}

// The same data coloured by label: the 9 most frequent labels, the rest grey as "other".
std::string label_plot(const ResultsOnDisk& r, const std::string& a, const std::string& b, const std::vector<bool>& plotted) {
  if (r.labels.empty() || !r.z1.count(a) || !r.z1.count(b)) return "";
  static const std::array<const char*, 9> palette = {"#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f",
                                                     "#edc948", "#b07aa1", "#ff9da7", "#9c755f"};
  const std::size_t n = std::min(r.labels.size(), r.z1.at(a).size());
  std::map<std::string, std::size_t> counts;
  for (std::size_t i = 0; i < n; ++i) ++counts[r.labels[i]];
  std::vector<std::pair<std::string, std::size_t>> ranked(counts.begin(), counts.end());
  std::stable_sort(ranked.begin(), ranked.end(), [](const auto& x, const auto& y) { return x.second > y.second; });
  std::map<std::string, std::size_t> slot;
  for (std::size_t k = 0; k < ranked.size() && k < palette.size(); ++k) slot[ranked[k].first] = k;
  const DataFrame frame = data_frame(r, a, b, plotted, 640);
  const Frame& f = frame.f;
  const double total_width = f.width + 210;
  std::string out = fmt::format("<svg class='plot' id='embedding-labels' width='{0}' height='{1}' viewBox='0 0 {0} {1}' "
                                "role='img' aria-label='omnibus embedding of the data coloured by label'>",
                                total_width, f.height);
  out += axes(f, frame.sx, frame.sy, "omnibus dimension 1", "omnibus dimension 2");
  // "other" first, so that the named labels are drawn on top.
  for (int pass = 0; pass < 2; ++pass)
    for (std::size_t i = 0; i < n && i < plotted.size(); ++i) {
      if (!plotted[i]) continue;
      const auto found = slot.find(r.labels[i]);
      if ((found == slot.end()) != (pass == 0)) continue;
      const std::string fill = found == slot.end() ? "#c8c8c8" : palette[found->second];
      out += fmt::format("<g id='l-{}'><title>{}: {}</title><circle cx='{:.1f}' cy='{:.1f}' r='2.2' fill='{}' class='pa'/>"
                         "<rect x='{:.1f}' y='{:.1f}' width='4' height='4' fill='{}' class='pb'/></g>",
                         i, esc(i < r.ids.size() ? r.ids[i] : std::to_string(i)), esc(r.labels[i]),
                         frame.sx(r.z1.at(a)[i]), frame.sy(r.z2.at(a)[i]), fill, frame.sx(r.z1.at(b)[i]) - 2,
                         frame.sy(r.z2.at(b)[i]) - 2, fill);
    }
  out += fmt::format("<g class='legend' id='label-legend'><text x='{}' y='24' class='label'>label (data)</text>", f.width + 8);
  std::size_t others = 0;
  for (std::size_t k = palette.size(); k < ranked.size(); ++k) others += ranked[k].second;
  const std::size_t rows = std::min(ranked.size(), palette.size());
  for (std::size_t k = 0; k <= rows; ++k) {
    if (k == rows && others == 0) break;
    const bool other = k == rows;
    const double y = 44 + 18 * static_cast<double>(k);
    out += fmt::format("<rect x='{}' y='{}' width='10' height='10' fill='{}'/><text x='{}' y='{}' class='tick'>"
                       "<title>{}</title>{} ({})</text>",
                       f.width + 8, y - 9, other ? "#c8c8c8" : palette[k], f.width + 24, y,
                       other ? fmt::format("{} other labels", ranked.size() - rows) : esc(ranked[k].first),
                       other ? fmt::format("{} others", ranked.size() - rows) : esc(shorten(ranked[k].first, 22)),
                       other ? others : ranked[k].second);
  }
  return out + "</g></svg>";
}

// The p floor: the smallest p-value the null can give (tests' smallest_attainable_p; 0 for continuous p-values).
double p_floor(const nlohmann::json& s) {
  double floor_p = 0;
  if (s.contains("tests"))
    for (const auto& t : s["tests"]) floor_p = std::max(floor_p, t.at("smallest_attainable_p").get<double>());
  return floor_p;
}

std::string how_to_read(const nlohmann::json& s) {
  const auto& t = s.at("test_config");
  const double alpha = t.at("alpha").get<double>(), floor_p = p_floor(s);
  const std::string statistic = t.value("statistic", std::string("omnibus")), null = t.at("null").get<std::string>();
  const long n = s.at("n").get<long>();
  std::string floor_text;
  if (floor_p > 0) {
    floor_text = fmt::format(
        "<b>{}</b>: with the {} null and B = {} replicates, no p-value is below {} ({}). ",
        num(floor_p), esc(null), t.at("bootstrap").get<long>(),
        t.value("bootstrap_p", std::string("count")) == "pooled" ? "1/(nB + 1), pooled over the data" : "1/(B + 1)",
        t.value("bootstrap_p", std::string("count")) == "pooled" ? "p = rank among n·B replicates" : "p = (1 + #{T⁽ᵇ⁾ ≥ T}) / (B + 1)");
    if (floor_p * static_cast<double>(n) > alpha)
      floor_text += fmt::format("After the correction over n = {} data a datum needs q ≤ α = {}, so many data must "
                                "reach the floor before any is rejected: a larger B lowers the floor.",
                                n, num(alpha));
  } else {
    floor_text = "none: the " + esc(null) + " null gives continuous p-values, which can be arbitrarily small.";
  }
  return fmt::format(
      "<div class='howto' id='how-to-read'><h3>How to read this</h3><dl>"
      "<dt>statistic</dt><dd>How far a datum moved between the two models: {}. Larger is more moved.</dd>"
      "<dt>p</dt><dd>The chance of a statistic at least this large for a datum that did not move (the {} null). "
      "Unmoved data give p-values spread evenly over [0, 1]: the CDF then follows the dashed diagonal; a jump at "
      "the left means some data moved.</dd>"
      "<dt>q</dt><dd>p corrected for testing all n = {} data of the pair ({}): the expected share of false "
      "discoveries among the data with q ≤ this value.</dd>"
      "<dt>rejected</dt><dd>q ≤ α = {}: the datum moved more than chance explains. Not rejected is not proof of "
      "no change.</dd>"
      "<dt>p floor</dt><dd>{}</dd>"
      "<dt>kNN Jaccard</dt><dd>1 − shared / all of the datum's k nearest neighbours in the two models (0: same "
      "neighbours).</dd></dl></div>",
      statistic == "neighbourhood" ? "the median change of its similarity to its neighbours"
                                   : "the distance ‖Ẑ<sub>a</sub>[i] − Ẑ<sub>b</sub>[i]‖ between its two positions in "
                                     "the omnibus embedding",
      esc(null), n, esc(t.at("correction").get<std::string>()), num(alpha), floor_text);
}

// Data rejected in several pairs point at the model those pairs share.
std::string cross_pair(const ResultsOnDisk& r, const std::vector<std::string>& names, const std::vector<bool>& plotted) {
  if (r.tests.size() < 2) return "";
  std::map<std::string, std::size_t> index;
  for (std::size_t g = 0; g < names.size(); ++g) index[names[g]] = g;
  const std::size_t n = static_cast<std::size_t>(r.summary.at("n").get<long>());
  std::vector<std::vector<std::size_t>> pairs_of(n);  // the tests (indices) rejecting each datum
  std::vector<double> best_q(n, 1.0);
  std::vector<std::size_t> tested(names.size(), 0), rejections(names.size(), 0), pointing(names.size(), 0);
  for (std::size_t t = 0; t < r.tests.size(); ++t) {
    const DatumTestRows& rows = r.tests[t];
    const std::size_t a = index.at(rows.model_a), b = index.at(rows.model_b);
    ++tested[a], ++tested[b];
    for (std::size_t k = 0; k < rows.datum.size(); ++k) {
      const auto i = static_cast<std::size_t>(rows.datum[k]);
      if (i >= n || !rows.rejected[k]) continue;
      pairs_of[i].push_back(t);
      best_q[i] = std::min(best_q[i], rows.q_value[k]);
      ++rejections[a], ++rejections[b];
    }
  }
  // A datum that moved in model g alone is rejected in pairs with g only: rejected in 2+ pairs that share one
  // model, it points at that model; rejected in one pair, at the model of that pair that is in no other tested
  // pair (in a reference design: the model compared with the reference), if just one is.
  std::vector<std::size_t> pairs_with(names.size(), 0);
  for (const DatumTestRows& rows : r.tests) ++pairs_with[index.at(rows.model_a)], ++pairs_with[index.at(rows.model_b)];
  std::vector<int> points_at(n, -1);
  for (std::size_t i = 0; i < n; ++i) {
    std::vector<std::size_t> common;
    if (pairs_of[i].size() >= 2) {
      for (std::size_t g = 0; g < names.size(); ++g) {
        bool all = true;
        for (std::size_t t : pairs_of[i]) all = all && (r.tests[t].model_a == names[g] || r.tests[t].model_b == names[g]);
        if (all) common.push_back(g);
      }
    } else if (pairs_of[i].size() == 1) {
      for (const std::string* model : {&r.tests[pairs_of[i][0]].model_a, &r.tests[pairs_of[i][0]].model_b})
        if (pairs_with[index.at(*model)] == 1) common.push_back(index.at(*model));
    }
    if (common.size() == 1) points_at[i] = static_cast<int>(common[0]), ++pointing[common[0]];
  }
  std::vector<std::size_t> models(names.size());
  std::iota(models.begin(), models.end(), 0);
  std::stable_sort(models.begin(), models.end(), [&](auto x, auto y) {
    return pointing[x] != pointing[y] ? pointing[x] > pointing[y] : rejections[x] > rejections[y];
  });
  std::string out = fmt::format(
      "<div class='keep'><h2>Across pairs</h2><p>{} pairs tested. A datum that moved in one model only is rejected in pairs with that model only: data "
      "rejected in several pairs that share one model point at that model (the odd one out for them).{}</p>"
      "<h3>Models by rejections involving them</h3><table class='sortable' id='cross-models'>"
      "<thead><tr><th>model</th><th>pairs tested</th><th title='rejections summed over the pairs with this model'>"
      "rejections involving it</th><th title='data rejected in 2+ pairs that share "
      "only this model, or in one pair whose other model is in other pairs too'>data pointing at it</th></tr></thead><tbody>",
      r.tests.size(),
      r.summary.at("test_config").at("reference").get<std::string>().empty()
          ? ""
          : " With a reference model every pair involves it: data rejected in several pairs point at the reference "
            "(or moved alike in the other models), data rejected in one pair at the other model of that pair.");
  for (std::size_t g : models)
    out += fmt::format("<tr><td>{0}</td><td data-value='{1}'>{1}</td><td data-value='{2}'>{2}</td><td data-value='{3}'>"
                       "{3}</td></tr>",
                       esc(names[g]), tested[g], rejections[g], pointing[g]);
  out += "</tbody></table></div>";
  std::vector<std::size_t> data;
  for (std::size_t i = 0; i < n; ++i)
    if (!pairs_of[i].empty()) data.push_back(i);
  std::stable_sort(data.begin(), data.end(), [&](auto x, auto y) {
    return pairs_of[x].size() != pairs_of[y].size() ? pairs_of[x].size() > pairs_of[y].size() : best_q[x] < best_q[y];
  });
  out += fmt::format("<div class='keep'><h3>Data rejected in the most pairs</h3><p>{} data rejected in at least one pair, {} in "
                     "two or more.</p>",
                     data.size(),
                     std::count_if(data.begin(), data.end(), [&](auto i) { return pairs_of[i].size() >= 2; }));
  if (!data.empty()) {
    const bool labels = !r.labels.empty();
    out += "<table class='sortable' id='cross-data'><thead><tr><th>id</th>";
    if (labels) out += "<th>label</th>";
    out += "<th>pairs rejected</th><th>points at</th><th>smallest q</th><th>pairs</th></tr></thead><tbody>";
    for (std::size_t k = 0; k < std::min(data.size(), kTableRows); ++k) {
      const std::size_t i = data[k];
      std::string pairs;
      for (std::size_t t : pairs_of[i])
        pairs += (pairs.empty() ? "" : "; ") + r.tests[t].model_a + " – " + r.tests[t].model_b;
      out += fmt::format("<tr data-datum='{}'>", i) + id_cell(r, i, plotted);
      if (labels) out += "<td>" + esc(i < r.labels.size() ? r.labels[i] : "") + "</td>";
      out += fmt::format("<td data-value='{0}'>{0} of {1}</td><td>{2}</td><td data-value='{3}'>{4}</td><td>{5}</td></tr>",
                         pairs_of[i].size(), r.tests.size(),
                         points_at[i] >= 0 ? esc(names[static_cast<std::size_t>(points_at[i])]) : std::string("–"),
                         best_q[i], num(best_q[i]), esc(pairs));
    }
    out += "</tbody></table>";
  }
  return out + "</div>";
}

// Links to the run's output files that exist (relative: they sit next to report.html).
std::string file_links(const std::string& dir) {
  namespace fs = std::filesystem;
  static const std::array<std::pair<const char*, const char*>, 13> known = {{
      {"summary.json", "every number of this report, the configuration and versions"},
      {"model_distances.csv", "the model distance matrix (the map's)"},
      {"model_distances_omnibus.csv", "population measure: the omnibus model distance"},
      {"model_distances_direction.csv", "population measure: the direction-only omnibus distance"},
      {"model_distances_normalised_omnibus.csv", "population measure: the omnibus distance of the degree-normalised kernels"},
      {"model_distances_knn_jaccard.csv", "population measure: 1 − mean kNN Jaccard index"},
      {"model_distances_mutual_knn.csv", "population measure: 1 − mean shared kNN share"},
      {"model_distances_linear_cka.csv", "population measure: 1 − linear CKA"},
      {"manifold.csv", "the model map coordinates"},
      {"datum_tests.csv", "per pair and datum: statistic, p, q, rejected, kNN Jaccard, rank change"},
      {"datum_shift.csv", "per pair and datum: shift and its rank"},
      {"latent_2d.csv", "the data plot coordinates (omnibus dimensions 1–2 per model)"},
      {"annotations.csv", "ids, labels and texts"},
  }};
  std::string out = "<ul class='files'>";
  for (const auto& [name, what] : known)
    if (fs::exists(fs::path(dir) / name)) out += fmt::format("<li><a href='{0}'>{0}</a>: {1}</li>", name, what);
  std::vector<std::string> kernels;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.rfind("kernel_", 0) == 0 && name.size() > 4 && name.substr(name.size() - 4) == ".mtx") kernels.push_back(name);
  }
  std::sort(kernels.begin(), kernels.end());
  for (const auto& name : kernels)
    out += fmt::format("<li><a href='{0}'>{0}</a>: a model's kNN graph (Matrix Market)</li>", esc(name));
  return out + "</ul>";
}

std::string methods(const nlohmann::json& s) {
  const auto& t = s.at("test_config");
  std::string inputs;
  for (const auto& i : s.at("inputs"))
    inputs += fmt::format("{}{} ({}, {}{})", inputs.empty() ? "" : "; ", esc(i.at("name").get<std::string>()),
                          esc(i.at("source").get<std::string>()), esc(i.at("kind").get<std::string>()),
                          i.at("kind") == "embeddings" ? fmt::format(", {} dims, {}", i.at("dim").get<long>(),
                                                                     esc(i.at("source_dtype").get<std::string>()))
                                                       : std::string());
  std::string text = fmt::format(
      "<p>datakernel {} compared {} models on n = {} data: {}. Each model's data kernel is its k-nearest-neighbour "
      "graph with k = {} by {} similarity, symmetrized by {}, self excluded. The {} graphs were embedded jointly by the "
      "omnibus embedding (diagonal augmentation, eigen-solver: {}, seed {}) at d = {} ({}; {} eigenvalues "
      "computed; relative gap after λ<sub>d</sub> {}). Model distances are ‖Ẑ<sub>g</sub> − Ẑ<sub>h</sub>‖<sub>F</sub> / "
      "‖(Ẑ<sub>g</sub> + Ẑ<sub>h</sub>)/2‖<sub>F</sub> from the {}; the model map is classical MDS of the {} distances "
      "(stress {}, negative eigenvalue mass {}).",
      esc(s.value("version", "?")), s.at("models").size(), s.at("n").get<long>(), inputs, s.at("k").get<long>(),
      esc(s.at("metric").get<std::string>()), esc(s.at("symmetrize").get<std::string>()), s.at("models").size(),
      esc(s.value("eigen_solver", std::string("lanczos"))), s.at("seed").get<unsigned long long>(), s.at("dim").get<long>(),
      esc(s.at("dim_rule").get<std::string>()),
      s.value("search_eigenvalues", 0), num(number_or_nan(s.at("eigengap"))),
      esc(s.at("distance_method").get<std::string>()), esc(s.value("distance", std::string("omnibus"))),
      num(number_or_nan(s.at("manifold_stress"))), num(number_or_nan(s.at("manifold_negative_mass"))));
  const std::string statistic = t.value("statistic", std::string("omnibus"));
  const std::string null = t.at("null").get<std::string>();
  const bool bootstrap_null = null != "empirical" && null != "analytic";
  if (t.value("enabled", true)) {
    text += statistic == "neighbourhood"
                ? std::string(" Per-datum tests: statistic = the median, over the datum's neighbours in either model, "
                              "of the change of its similarity to them, each similarity on its model's own scale "
                              "(distribution function of the model's kNN and random-pair similarities).")
                : fmt::format(" Per-datum tests: statistic ‖Ẑ<sub>a</sub>[i] − Ẑ<sub>b</sub>[i]‖ from the omnibus "
                              "embedding of each tested pair at d = {}.",
                              s.at("dim").get<long>());
    text += bootstrap_null
                ? fmt::format(" Null by parametric bootstrap with {} replicates from the {} null model; {}.",
                              t.at("bootstrap").get<long>(), esc(null),
                              t.value("bootstrap_p", std::string("count")) == "moments"
                                  ? "p from a scaled χ² fitted per datum to the replicates' mean and variance of T²"
                              : t.value("bootstrap_p", std::string("count")) == "pooled"
                                  ? "p from ranking the datum's standardized T among the standardized replicates of "
                                    "all data (each replicate standardized leave-one-out)"
                                  : "p = (1 + #{T⁽ᵇ⁾ ≥ T}) / (B + 1)")
                : null == "analytic"
                ? std::string(" Null: analytic, from the omnibus central limit theorem for two independent graphs of the "
                              "pooled random dot product graph: T² is a weighted sum of χ²₁ with the eigenvalues of "
                              "½ G⁻¹ C<sub>i</sub> G⁻¹, p from the scaled χ² with its mean and variance.")
                : std::string(" Null: empirical (Efron): the statistic of unmoved data, ") +
                      (statistic == "neighbourhood"
                           ? "on a log scale (quartiles taken at the similarity scales' resolution), "
                           : "on a Box–Cox scale chosen to make the bulk's quartiles symmetric, ") +
                      "is normal with centre and scale from the bulk of the data (median, upper half of the "
                      "interquartile range); continuous one-sided p-values.";
    text += fmt::format(" {} correction at α = {} over the n data of each pair{}.",
                        esc(t.at("correction").get<std::string>()), num(t.at("alpha").get<double>()),
                        t.contains("test_pair")
                            ? ", only the pair " + esc(t["test_pair"][0].get<std::string>()) + " and " +
                                  esc(t["test_pair"][1].get<std::string>())
                        : t.at("reference").get<std::string>().empty()
                            ? ", all pairs"
                            : ", every model against " + esc(t.at("reference").get<std::string>()));
  }
  if (s.contains("correlations"))
    text += " Downstream metrics were correlated with model distances over model pairs (Spearman and Pearson of "
            "D<sub>ij</sub> against |f<sub>i</sub> − f<sub>j</sub>|, two-sided Mantel permutation p-values).";
  if (s.contains("pair_measures") && s["pair_measures"].size() > 1)
    text += fmt::format(" The model map uses the {} measure; the other population measures ({}) were computed on the "
                        "same pairs and correlated the same way.",
                        esc(s.value("distance", std::string("omnibus"))), [&] {
                          std::string names;
                          for (const auto& m : s["pair_measures"])
                            if (m.at("name") != s.value("distance", std::string("omnibus")))
                              names += (names.empty() ? "" : ", ") + esc(m.at("name").get<std::string>());
                          return names;
                        }());
  text += fmt::format(" BLAS kernel: {}", esc(s.value("blas_core", "?")));
  if (s.contains("library_versions"))
    text += fmt::format("; Eigen {}; {}; compiler {}", esc(s["library_versions"].value("eigen", "?")),
                        esc(s["library_versions"].value("openblas", "?")), esc(s["library_versions"].value("compiler", "?")));
  text += ".</p>";
  text += "<p>Reproduce: <code>datakernel compare";
  std::string names;
  for (const auto& i : s.at("inputs")) {  // appends, not " " + s: GCC 12 bogus -Wrestrict (bug 105329)
    text += ' ';
    text += esc(i.at("source").get<std::string>());
    if (!names.empty()) names += ',';
    names += i.at("name").get<std::string>();
  }
  text += " --names " + esc(names);
  for (const auto& [option, key] : {std::pair{"--ids", "ids"}, {"--text", "text"}, {"--labels", "labels"}, {"--metrics", "metrics"}})
    if (s.contains("sources") && s["sources"].contains(key)) text += fmt::format(" {} {}", option, esc(s["sources"][key].get<std::string>()));
  const std::string test_options =
      !t.value("enabled", true)
          ? std::string(" --test none")
          : fmt::format(" --test {} --null {}{} --correction {} --alpha {}", esc(statistic), esc(null),
                        bootstrap_null ? fmt::format(" --bootstrap {} --bootstrap-p {}", t.at("bootstrap").get<long>(),
                                                     esc(t.value("bootstrap_p", std::string("count"))))
                                       : std::string(),
                        esc(t.at("correction").get<std::string>()), num(t.at("alpha").get<double>()));
  text += fmt::format(" --k {} --metric {} --symmetrize {} --dim {} --seed {}{}{}</code></p>",
                      s.at("k").get<long>(), esc(s.at("metric").get<std::string>()),
                      esc(s.at("symmetrize").get<std::string>()), s.at("dim").get<long>(),
                      s.at("seed").get<unsigned long long>(), test_options,
                      t.contains("test_pair")
                          ? " --test-pair " + esc(t["test_pair"][0].get<std::string>() + "," +
                                                  t["test_pair"][1].get<std::string>())
                      : t.at("reference").get<std::string>().empty()
                          ? ""
                          : " --reference " + esc(t.at("reference").get<std::string>()));
  if (s.contains("report_pair")) {
    const std::string pair = s["report_pair"][0].get<std::string>() + "," + s["report_pair"][1].get<std::string>();
    text.insert(text.size() - std::string("</code></p>").size(), " --report-pair " + esc(pair));
  }
  return text;
}


constexpr const char* kStyle = R"(
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:24px auto;max-width:1100px;color:#1a1a1a;padding:0 16px}
h1{margin-bottom:4px}h2{border-bottom:1px solid #ddd;padding-bottom:4px;margin-top:32px}
.meta{color:#555}.warn{background:#fff6e0;border-left:4px solid #e0a000;padding:6px 10px;margin:6px 0}
.hint{color:#666;font-style:italic}.print-only{display:none}
.plot{background:#fff;border:1px solid #e5e5e5;margin:6px 12px 6px 0;max-width:100%;height:auto}
.axis{stroke:#999;stroke-width:1}.label{font-size:12px;fill:#444}.tick{font-size:11px;fill:#333}.cell{font-size:11px}
.model circle{fill:#3b528b;stroke:#fff;stroke-width:1.5}.map-label{font-size:13px;fill:#111}
.model:hover circle{fill:#e05a00}.pair{fill:#21918c;stroke:#fff}.pair:hover{fill:#e05a00}
.pair-label{font-size:10px;fill:#333}.map-tag{color:#777;font-size:12px}.measure-table td.best{background:#eef3fb}.leader{stroke:#aaa;stroke-width:.8}
.uniform{stroke:#999;stroke-dasharray:5 4}.cdf-line{fill:none;stroke:#3b528b;stroke-width:2}
.alpha-marker{stroke:#c0392b;stroke-width:1.2;stroke-dasharray:3 3}.alpha-label{fill:#c0392b}.alpha-point{fill:#c0392b}
.floor-marker{stroke:#777;stroke-width:1;stroke-dasharray:1 3}
.scree-line{fill:none;stroke:#bbb;stroke-width:1}.ev{fill:#bbb}.ev.kept{fill:#3b528b}
.chosen-d{stroke:#c0392b;stroke-width:1.5}.chosen-d-label{font-size:12px;fill:#c0392b;font-weight:600}
.elbow{stroke:#21918c;stroke-dasharray:4 3}.elbow-label{fill:#21918c}
.pa{stroke:none;opacity:.8}.pb{opacity:.8}.move{stroke-width:1;opacity:.6}
.pt.linked{cursor:pointer}.pt.hl circle,.pt.hl rect,.pt:target circle,.pt:target rect{stroke:#e00;stroke-width:2.5;opacity:1}
tr.flash td{background:#ffe9a8}tr[data-datum]:hover td{background:#f4f8ff}
.row{display:flex;flex-wrap:wrap;align-items:flex-start;gap:0 16px}.map-notes{max-width:440px}
.howto{background:#f6f8fa;border:1px solid #e1e4e8;padding:4px 14px;margin:8px 0;max-width:900px}
.howto dt{font-weight:600;float:left;clear:left;width:96px}.howto dd{margin:0 0 6px 104px}
figure{margin:0 12px 12px 0}
table{border-collapse:collapse;font-size:13px;margin:8px 0}th,td{border:1px solid #ddd;padding:3px 6px;text-align:left}
th{background:#f3f3f3;cursor:pointer;user-select:none}th.asc::after{content:" ▲"}th.desc::after{content:" ▼"}
table.metric-values td:not(:first-child),table.measure-table td:not(:first-child){text-align:right}
td.text{max-width:420px}code{background:#f3f3f3;padding:1px 4px;word-break:break-all}
@media print{
body{margin:0;max-width:none;padding:0;font-size:11px}
.hint{display:none}
h2,h3,h2+p,h3+p,.row>p{break-after:avoid;page-break-after:avoid}h2{margin-top:16px}
.plot,figure,table,.howto,.warn,.map-notes,ul.files,.keep{break-inside:avoid;page-break-inside:avoid}
tr{break-inside:avoid;page-break-inside:avoid}thead{display:table-header-group}
th{cursor:auto}th.asc::after,th.desc::after{content:""}
a{color:inherit;text-decoration:none}tr:hover td{background:none}
td.text{max-width:300px}table{font-size:10px}
.plot{border:none;margin:2px 8px 2px 0}
.pair-test{break-inside:avoid;page-break-inside:avoid}.pair-test .row{flex-wrap:nowrap}
svg.cdf{width:190px;flex:none}.pair-test table{font-size:9px}.pair-test td.text{min-width:200px;max-width:260px}
.pair-test td.text span{display:-webkit-box;-webkit-line-clamp:2;line-clamp:2;-webkit-box-orient:vertical;overflow:hidden}.pair-test p{margin:4px 0}
.pair-test tbody tr:nth-child(n+13){display:none}.print-only{display:inline}
}
@page{margin:12mm}
)";

constexpr const char* kScript = R"(
document.querySelectorAll('table.sortable').forEach(function (table) {
  table.querySelectorAll('th').forEach(function (th, column) {
    th.addEventListener('click', function () {
      var body = table.tBodies[0];
      var rows = Array.prototype.slice.call(body.rows);
      var ascending = !th.classList.contains('asc');
      table.querySelectorAll('th').forEach(function (h) { h.classList.remove('asc', 'desc'); });
      th.classList.add(ascending ? 'asc' : 'desc');
      var key = function (row) {
        var cell = row.cells[column];
        var v = cell.getAttribute('data-value');
        return v !== null ? parseFloat(v) : cell.textContent;
      };
      rows.sort(function (a, b) {
        var x = key(a), y = key(b);
        var c = (typeof x === 'number' && typeof y === 'number') ? x - y : String(x).localeCompare(String(y));
        return ascending ? c : -c;
      });
      rows.forEach(function (row) { body.appendChild(row); });
    });
  });
});
function markDatum(datum, on) {
  var point = document.getElementById('d-' + datum);
  if (point) { if (on) point.classList.add('hl'); else point.classList.remove('hl'); }
}
document.querySelectorAll('tr[data-datum]').forEach(function (tr) {
  var datum = tr.getAttribute('data-datum');
  tr.addEventListener('mouseenter', function () { markDatum(datum, true); });
  tr.addEventListener('mouseleave', function () { markDatum(datum, false); });
});
document.querySelectorAll('g.pt.linked').forEach(function (g) {
  g.addEventListener('click', function () {
    var tr = document.querySelector('tr[data-datum="' + g.getAttribute('data-datum') + '"]');
    if (!tr) return;
    tr.scrollIntoView({block: 'center'});
    tr.classList.add('flash');
    setTimeout(function () { tr.classList.remove('flash'); }, 1600);
  });
});
)";

}  // namespace

static std::string render_report_checked(const std::string& results_dir);

std::string render_report(const std::string& results_dir) {
  // read_results checks every key and field the report uses; anything it missed still ends as an InputError
  // naming the file, never as an uncaught exception.
  try {
    return render_report_checked(results_dir);
  } catch (const nlohmann::json::exception& e) {
    throw InputError(results_dir + "/summary.json: " + e.what());
  } catch (const std::out_of_range& e) {
    throw InputError(results_dir + ": inconsistent output files (" + e.what() + ")");
  }
}

static std::string render_report_checked(const std::string& results_dir) {
  const ResultsOnDisk r = read_results(results_dir);
  const nlohmann::json& s = r.summary;
  std::vector<std::string> names;
  try {
    names = s.at("models").get<std::vector<std::string>>();
  } catch (const nlohmann::json::exception& e) {
    throw InputError(results_dir + "/summary.json: " + e.what());
  }
  const auto d = matrix_of(s.at("model_distances"));

  // The pair of the data plots: the one chosen with --report-pair, else the tested pair with the most rejections
  // (the first on ties), else the first two models.
  std::string a = names[0], b = names[1];
  const DatumTestRows* plotted_rows = nullptr;
  if (s.contains("report_pair")) {
    a = s["report_pair"][0].get<std::string>(), b = s["report_pair"][1].get<std::string>();
    for (const auto& candidate : r.tests)
      if ((candidate.model_a == a && candidate.model_b == b) || (candidate.model_a == b && candidate.model_b == a))
        plotted_rows = &candidate;
  } else {
    long most = -1;
    for (const auto& candidate : r.tests) {
      const long rejected = std::count(candidate.rejected.begin(), candidate.rejected.end(), true);
      if (rejected > most) most = rejected, plotted_rows = &candidate;
    }
    if (plotted_rows != nullptr) a = plotted_rows->model_a, b = plotted_rows->model_b;
  }
  const std::vector<bool> plotted = plotted_data(r, a, plotted_rows);
  std::vector<bool> in_table(plotted.size(), false);
  for (const DatumTestRows& rows : r.tests)
    for (std::size_t row : top_rows(rows, kTableRows))
      if (static_cast<std::size_t>(rows.datum[row]) < in_table.size()) in_table[static_cast<std::size_t>(rows.datum[row])] = true;
  const double floor_p = p_floor(s);

  std::string html = "<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
                     "<meta name='viewport' content='width=device-width, initial-scale=1'>"
                     "<title>datakernel report</title><style>";
  html += kStyle;
  html += "</style></head><body>\n<h1>datakernel report</h1>";
  html += fmt::format("<p class='meta'>{} models · n = {} data · k = {} ({}) · d = {} · {} · <a href='#files'>output "
                      "files</a></p>",
                      names.size(), s.at("n").get<long>(), s.at("k").get<long>(),
                      esc(s.at("metric").get<std::string>()), s.at("dim").get<long>(),
                      s.value("distance", std::string("omnibus")) == "omnibus"
                          ? esc(s.at("distance_method").get<std::string>())
                          : "map: " + esc(s.value("distance", std::string("omnibus"))) + " distance" +
                                map_measure_dim(s));
  for (const auto& w : s.value("warnings", nlohmann::json::array()))
    html += "<div class='warn'>" + esc(w.get<std::string>()) + "</div>";

  html += "\n<section id='map-section' class='keep'><h2>Model map</h2><p>Classical MDS of the model distances (" + esc(s.value("distance", std::string("omnibus"))) + " measure).</p><div class='row'>" +
          model_map(s, names, d) + map_notes(s, names) + "</div></section>";
  html += "\n<section id='heatmap-section' class='keep'><h2>Model distances</h2><p>Rows and columns ordered by average-linkage "
          "clustering.</p>" +
          heatmap(names, d) + "</section>";
  if (const std::string scree = scree_plot(s); !scree.empty())
    html += fmt::format("\n<section id='scree-section' class='keep'><h2>Embedding dimension</h2><p>Eigenvalues of the omnibus matrix "
                        "by |λ| (dark: the d = {} kept; {}). The elbows are Zhu–Ghodsi profile-likelihood breaks; d is "
                        "where the scree flattens.</p>{}</section>",
                        s.at("dim").get<long>(), esc(s.at("dim_rule").get<std::string>()), scree);

  if (s.contains("correlations") || s.contains("metric_values")) {
    html += "\n<section id='correlations'><div class='keep'><h2>Downstream metrics</h2>";
    if (const std::string table = metric_table(s, names); !table.empty())
      html += "<p>Each model's own values (from --metrics):</p>" + table;
    html += "</div>";
    if (const std::string table = measure_table(s); !table.empty())
      html += "<div class='keep' id='measures'><h3>Population measures against the metrics</h3><p>Each population "
              "measure's correlation with the metric's difference over the model pairs (higher = the measure "
              "tracks the downstream gap better; two-sided Mantel permutation p). The model map uses the measure "
              "marked (map); every matrix is in summary.json and model_distances_&lt;measure&gt;.csv.</p>" +
              table + "</div>";
    html += "<div class='row'>";
    for (const auto& c : s.value("correlations", nlohmann::json::array())) {
      html += "<figure>" + correlation_plot(s, names, d, c);
      html += fmt::format("<figcaption><b>{}</b>: Spearman ρ = {} (Mantel p = {}), Pearson r = {} (p = {}), {} pairs, "
                          "{} permutations{}. Each point is a pair of models{}.</figcaption></figure>",
                          esc(c.at("metric").get<std::string>()),
                          c.at("spearman").is_number() ? num(c["spearman"].get<double>()) : "n/a",
                          c.at("spearman_p").is_number() ? num(c["spearman_p"].get<double>()) : "n/a",
                          c.at("pearson").is_number() ? num(c["pearson"].get<double>()) : "n/a",
                          c.at("pearson_p").is_number() ? num(c["pearson_p"].get<double>()) : "n/a",
                          c.at("pairs").get<long>(), c.at("permutations").get<long>(),
                          c.at("exact").get<bool>() ? " (exact)" : "",
                          names.size() * (names.size() - 1) / 2 > 45 ? " (too many to label: hover them)" : "");
    }
    html += "</div></section>";
  }

  if (s.contains("tests")) {
    html += "\n<section id='tests'><div class='keep'><h2>Per-datum tests</h2>" + how_to_read(s) + "</div>";
    for (std::size_t t = 0; t < s["tests"].size(); ++t) {
      const auto& test = s["tests"][t];
      const std::string ta = test.at("model_a"), tb = test.at("model_b");
      const bool bootstrap_null = test.at("bootstrap").get<long>() > 0;
      const std::string null_text =
          bootstrap_null ? fmt::format("{} null, B = {}, smallest attainable p = {}",
                                       esc(test.at("null").get<std::string>()), test.at("bootstrap").get<long>(),
                                       num(test.at("smallest_attainable_p").get<double>()))
                         : esc(test.at("null").get<std::string>()) + " null, continuous p-values";
      html += fmt::format("<div class='pair-test'><h3>{} vs {}</h3><p><b>{}</b> of {} data rejected by {} at α = {} over "
                          "the {} data of this pair ({} statistic; {}; share of p &lt; α: {}; mean kNN Jaccard distance "
                          "{}).</p><div class='row'>",
                          esc(ta), esc(tb), test.at("n_rejected").get<long>(), s.at("n").get<long>(),
                          esc(test.at("correction").get<std::string>()), num(test.at("alpha").get<double>()),
                          s.at("n").get<long>(), esc(test.value("statistic", std::string("omnibus"))), null_text,
                          num(test.at("share_p_below_alpha").get<double>()),
                          num(test.value("mean_jaccard", 0.0)));
      html += cdf_plot(test) + "<div>";
      const DatumTestRows* rows = nullptr;
      for (const auto& candidate : r.tests)
        if (candidate.model_a == ta && candidate.model_b == tb) rows = &candidate;
      if (rows != nullptr)
        html += "<p>Most-moved data (smallest q, then largest statistic)<span class='hint'>; click a column to sort, "
                "an id to see its point</span><span class='print-only'>; printed: the first 12 rows, texts cut "
                "to two lines; all data in datum_tests.csv</span>:</p>" +
                top_table(*rows, r, kTableRows, plotted);
      html += "</div></div></div>";
    }
    html += "</section>";
  }
  if (const std::string cross = cross_pair(r, names, plotted); !cross.empty())
    html += "\n<section id='cross-pair'>" + cross + "</section>";

  html += fmt::format("\n<section id='embedding-section'><div class='keep'><h2>Omnibus embedding of the data: {} "
                      "(circles) and {} (squares)</h2><p>First two dimensions of the joint omnibus embedding{}.</p>",
                      esc(a), esc(b),
                      plotted_rows ? "; colour: −log10 q of the per-datum test, rejected data larger and joined across "
                                     "the two models<span class='hint'> (click a point with a table row to go to "
                                     "it)</span>"
                                   : "");
  html += embedding_plot(r, a, b, plotted_rows, floor_p, plotted, in_table) + "</div>";
  if (const std::string labelled = label_plot(r, a, b, plotted); !labelled.empty())
    html += "<div class='keep'><p>The same data coloured by label (--labels): the 9 most frequent labels, the rest "
            "grey.</p>" + labelled + "</div>";
  html += "</section>";
  html += "\n<section id='files' class='keep'><h2>Output files</h2><p>Next to this report in the output directory:</p>" +
          file_links(results_dir) + "</section>";
  html += "\n<section id='methods'><h2>Methods</h2>" + methods(s) + "</section>";
  html += "\n<script>";
  html += kScript;
  html += "</script>\n</body></html>\n";
  return html;
}

void write_report(const std::string& results_dir) {
  namespace fs = std::filesystem;
  const std::string html = render_report(results_dir);
  const fs::path target = fs::path(results_dir) / "report.html";
  const fs::path temporary = fs::path(results_dir) / ".report.html.tmp";
  try {
    write_file_checked(temporary.string(), html, target.string());
  } catch (...) {
    std::error_code ec;
    fs::remove(temporary, ec);
    throw;
  }
  std::error_code ec;
  fs::rename(temporary, target, ec);
  if (ec) {
    const std::string reason = ec.message();
    fs::remove(temporary, ec);
    throw ResourceError(target.string() + ": cannot move into place (" + reason + ")");
  }
}

}  // namespace dk
