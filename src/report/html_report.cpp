#include "datakernel/report/html_report.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <numeric>

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

struct Scale {
  double lo, hi, a, b;
  Scale(double data_lo, double data_hi, double range_a, double range_b) : lo(data_lo), hi(data_hi), a(range_a), b(range_b) {
    if (!(hi > lo)) lo -= 0.5, hi += 0.5;
    const double pad = 0.06 * (hi - lo);
    lo -= pad;
    hi += pad;
  }
  double operator()(double x) const { return a + (x - lo) / (hi - lo) * (b - a); }
};

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

std::string axes(double width, double height, double left, double bottom, const std::string& x_label,
                 const std::string& y_label) {
  return fmt::format(
      "<line x1='{0}' y1='{1}' x2='{2}' y2='{1}' class='axis'/><line x1='{0}' y1='{3}' x2='{0}' y2='{1}' class='axis'/>"
      "<text x='{4}' y='{5}' class='label' text-anchor='middle'>{6}</text>"
      "<text x='14' y='{7}' class='label' text-anchor='middle' transform='rotate(-90 14 {7})'>{8}</text>",
      left, height - bottom, width - 10, 10, (left + width - 10) / 2, height - 6, esc(x_label), (height - bottom) / 2,
      esc(y_label));
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

std::string model_map(const nlohmann::json& s, const std::vector<std::string>& names,
                      const std::vector<std::vector<double>>& d) {
  const auto coords = matrix_of(s.at("manifold"));
  const double width = 560, height = 420, left = 40, bottom = 34;
  std::vector<double> xs, ys;
  for (const auto& c : coords) {
    xs.push_back(c.empty() ? 0.0 : c[0]);
    ys.push_back(c.size() > 1 ? c[1] : 0.0);
  }
  const Scale sx(*std::min_element(xs.begin(), xs.end()), *std::max_element(xs.begin(), xs.end()), left + 10, width - 20);
  const Scale sy(*std::min_element(ys.begin(), ys.end()), *std::max_element(ys.begin(), ys.end()), height - bottom - 10, 20);
  std::string out = fmt::format("<svg class='plot' id='model-map' width='{}' height='{}' viewBox='0 0 {} {}' "
                                "role='img' aria-label='model map'>",
                                width, height, width, height);
  out += axes(width, height, left, bottom, "MDS 1", "MDS 2");
  for (std::size_t g = 0; g < names.size(); ++g) {
    std::vector<std::size_t> others;
    for (std::size_t h = 0; h < names.size(); ++h)
      if (h != g) others.push_back(h);
    std::sort(others.begin(), others.end(), [&](auto a, auto b) { return d[g][a] < d[g][b]; });
    std::string nearest;
    for (std::size_t r = 0; r < std::min<std::size_t>(3, others.size()); ++r)
      nearest += fmt::format("{}{} ({})", r ? ", " : "", names[others[r]], num(d[g][others[r]]));
    const bool right_half = sx(xs[g]) > width / 2;  // labels point inwards, so they stay inside the plot
    out += fmt::format("<g class='model'><title>{} — nearest: {}</title><circle cx='{:.1f}' cy='{:.1f}' r='7'/>"
                       "<text x='{:.1f}' y='{:.1f}' text-anchor='{}'>{}</text></g>",
                       esc(names[g]), esc(nearest), sx(xs[g]), sy(ys[g]), sx(xs[g]) + (right_half ? -10 : 10),
                       sy(ys[g]) - 8, right_half ? "end" : "start", esc(names[g]));
  }
  return out + "</svg>";
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

std::string correlation_plot(const nlohmann::json& s, const std::vector<std::string>& names,
                             const std::vector<std::vector<double>>& d, const nlohmann::json& c) {
  const std::string metric = c.at("metric");
  if (!s.contains("metric_values") || !s["metric_values"].contains(metric)) return "";
  const std::vector<double> f = s["metric_values"][metric].get<std::vector<double>>();
  std::vector<double> xs, ys;
  std::vector<std::string> tips;
  for (std::size_t i = 0; i < names.size(); ++i)
    for (std::size_t j = i + 1; j < names.size(); ++j) {
      xs.push_back(std::abs(f[i] - f[j]));
      ys.push_back(d[i][j]);
      tips.push_back(names[i] + " – " + names[j]);
    }
  const double width = 420, height = 320, left = 44, bottom = 34;
  const Scale sx(*std::min_element(xs.begin(), xs.end()), *std::max_element(xs.begin(), xs.end()), left + 6, width - 16);
  const Scale sy(*std::min_element(ys.begin(), ys.end()), *std::max_element(ys.begin(), ys.end()), height - bottom - 6, 16);
  std::string out = fmt::format("<svg class='plot' width='{0}' height='{1}' viewBox='0 0 {0} {1}' role='img' "
                                "aria-label='distance against metric difference'>",
                                width, height);
  out += axes(width, height, left, bottom, "|" + metric + " difference|", "model distance");
  for (std::size_t p = 0; p < xs.size(); ++p)
    out += fmt::format("<circle cx='{:.1f}' cy='{:.1f}' r='5' class='pair'><title>{}: distance {}, |Δ| {}</title></circle>",
                       sx(xs[p]), sy(ys[p]), esc(tips[p]), num(ys[p]), num(xs[p]));
  return out + "</svg>";
}

std::string cdf_plot(const nlohmann::json& test) {
  const double width = 360, height = 320, left = 44, bottom = 34;
  const Scale sx(0, 1, left + 4, width - 14), sy(0, 1, height - bottom - 4, 14);
  std::string out = fmt::format("<svg class='plot cdf' width='{0}' height='{1}' viewBox='0 0 {0} {1}' role='img' "
                                "aria-label='p-value CDF'>",
                                width, height);
  out += axes(width, height, left, bottom, "p-value", "share of data with p ≤ x");
  out += fmt::format("<line x1='{:.1f}' y1='{:.1f}' x2='{:.1f}' y2='{:.1f}' class='uniform'/>", sx(0), sy(0), sx(1), sy(1));
  std::string points;
  for (const auto& xy : test.at("p_value_cdf"))
    points += fmt::format("{:.1f},{:.1f} ", sx(xy[0].get<double>()), sy(xy[1].get<double>()));
  out += "<polyline class='cdf-line' points='" + points + "'/>";
  out += fmt::format("<text x='{:.1f}' y='{:.1f}' class='tick'>uniform</text>", sx(0.62), sy(0.56));
  return out + "</svg>";
}

std::string top_table(const DatumTestRows& rows, const ResultsOnDisk& r, int limit) {
  std::vector<std::size_t> order(rows.statistic.size());
  std::iota(order.begin(), order.end(), 0);
  // Ranked by q, then by the statistic (q-values tie in runs under BH).
  std::stable_sort(order.begin(), order.end(), [&](auto a, auto b) {
    if (rows.q_value[a] != rows.q_value[b]) return rows.q_value[a] < rows.q_value[b];
    return rows.statistic[a] > rows.statistic[b];
  });
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
  for (std::size_t k = 0; k < std::min<std::size_t>(order.size(), static_cast<std::size_t>(limit)); ++k) {
    const std::size_t row = order[k];
    const auto datum = static_cast<std::size_t>(rows.datum[row]);
    const std::string id = datum < r.ids.size() ? r.ids[datum] : std::to_string(datum);
    out += fmt::format("<tr><td data-value='{0}'>{0}</td><td>{1}</td>", k + 1, esc(id));
    if (labels) out += "<td>" + esc(datum < r.labels.size() ? r.labels[datum] : "") + "</td>";
    if (texts) out += "<td class='text'>" + esc(datum < r.texts.size() ? r.texts[datum] : "") + "</td>";
    out += fmt::format("<td data-value='{0}'>{1}</td><td data-value='{2}'>{3}</td><td data-value='{4}'>{5}</td><td>{6}</td></tr>",
                       rows.statistic[row], num(rows.statistic[row]), rows.p_value[row], num(rows.p_value[row]),
                       rows.q_value[row], num(rows.q_value[row]), rows.rejected[row] ? "yes" : "no");
    out.resize(out.size() - 5);  // reopen the row for the neighbourhood measures
    out += fmt::format("<td data-value='{0}'>{1}</td>", rows.jaccard[row], num(rows.jaccard[row]));
    if (ranks) out += fmt::format("<td data-value='{0}'>{1}</td>", rows.rank_change[row], num(rows.rank_change[row]));
    out += "</tr>";
  }
  return out + "</tbody></table>";
}

std::string embedding_plot(const ResultsOnDisk& r, const std::string& a, const std::string& b,
                           const DatumTestRows* test, int bootstrap) {
  if (!r.z1.count(a) || !r.z1.count(b)) return "<p>No 2-D embedding in this output (latent_2d.csv).</p>";
  const std::size_t n = r.z1.at(a).size();
  std::vector<double> score(n, 0.0);
  std::vector<bool> rejected(n, false);
  // Colour saturates at the smallest attainable q: 1/(B+1) for a bootstrap null, 10⁻¹⁰ for continuous p-values.
  const double cap = bootstrap > 0 ? std::log10(bootstrap + 1.0) : 10.0;
  if (test != nullptr)
    for (std::size_t k = 0; k < test->datum.size(); ++k) {
      const auto i = static_cast<std::size_t>(test->datum[k]);
      if (i >= n) continue;
      score[i] = std::min(cap, -std::log10(std::max(test->q_value[k], 1e-300)));
      rejected[i] = test->rejected[k];
    }
  // At most 4,000 data drawn (every rejected one, the rest by a fixed stride), most significant on top.
  std::vector<std::size_t> shown;
  const std::size_t stride = std::max<std::size_t>(1, n / 4000);
  for (std::size_t i = 0; i < n; ++i)
    if (rejected[i] || i % stride == 0) shown.push_back(i);
  std::stable_sort(shown.begin(), shown.end(), [&](auto x, auto y) { return score[x] < score[y]; });
  double x_lo = 1e300, x_hi = -1e300, y_lo = 1e300, y_hi = -1e300;
  for (const auto& model : {a, b})
    for (std::size_t i : shown) {
      x_lo = std::min(x_lo, r.z1.at(model)[i]), x_hi = std::max(x_hi, r.z1.at(model)[i]);
      y_lo = std::min(y_lo, r.z2.at(model)[i]), y_hi = std::max(y_hi, r.z2.at(model)[i]);
    }
  const double width = 640, height = 460, left = 44, bottom = 34;
  const Scale sx(x_lo, x_hi, left + 6, width - 16), sy(y_lo, y_hi, height - bottom - 6, 16);
  std::string out = fmt::format("<svg class='plot' id='embedding' width='{0}' height='{1}' viewBox='0 0 {0} {1}' "
                                "role='img' aria-label='omnibus embedding of the data'>",
                                width, height);
  out += axes(width, height, left, bottom, "omnibus dimension 1", "omnibus dimension 2");
  for (std::size_t i : shown) {
    const std::string id = i < r.ids.size() ? r.ids[i] : std::to_string(i);
    const std::string fill = cap > 0 && test ? colour(score[i] / cap) : "#888";
    out += fmt::format("<g><title>{} ({} → {}), −log10 q = {}</title>"
                       "<circle cx='{:.1f}' cy='{:.1f}' r='{}' fill='{}' class='pa'/>"
                       "<rect x='{:.1f}' y='{:.1f}' width='{}' height='{}' fill='{}' class='pb'/>",
                       esc(id), esc(a), esc(b), num(score[i]), sx(r.z1.at(a)[i]), sy(r.z2.at(a)[i]),
                       rejected[i] ? 3.5 : 2.0, fill, sx(r.z1.at(b)[i]) - 2.5, sy(r.z2.at(b)[i]) - 2.5, 5, 5, fill);
    if (rejected[i])
      out += fmt::format("<line x1='{:.1f}' y1='{:.1f}' x2='{:.1f}' y2='{:.1f}' class='move' stroke='{}'/>",
                         sx(r.z1.at(a)[i]), sy(r.z2.at(a)[i]), sx(r.z1.at(b)[i]), sy(r.z2.at(b)[i]), fill);
    out += "</g>";
  }
  // colour bar
  for (int k = 0; k < 50; ++k)
    out += fmt::format("<rect x='{}' y='{}' width='4' height='8' fill='{}'/>", width - 230 + 4 * k, 14, colour(k / 49.0));
  out += fmt::format("<text x='{}' y='36' class='tick'>0</text><text x='{}' y='36' class='tick' text-anchor='end'>"
                     "−log10 q = {}</text>",
                     width - 230, width - 30, num(cap));
  return out + "</svg>";
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
      "omnibus embedding (diagonal augmentation, Lanczos via Spectra, seed {}) at d = {} ({}; {} eigenvalues "
      "computed; relative gap after λ<sub>d</sub> {}). Model distances are ‖Ẑ<sub>g</sub> − Ẑ<sub>h</sub>‖<sub>F</sub> / "
      "‖(Ẑ<sub>g</sub> + Ẑ<sub>h</sub>)/2‖<sub>F</sub> from the {}; the model map is classical MDS of that matrix "
      "(stress {}, negative eigenvalue mass {}).",
      esc(s.value("version", "?")), s.at("models").size(), s.at("n").get<long>(), inputs, s.at("k").get<long>(),
      esc(s.at("metric").get<std::string>()), esc(s.at("symmetrize").get<std::string>()), s.at("models").size(),
      s.at("seed").get<unsigned long long>(), s.at("dim").get<long>(), esc(s.at("dim_rule").get<std::string>()),
      s.value("search_eigenvalues", 0), num(number_or_nan(s.at("eigengap"))),
      esc(s.at("distance_method").get<std::string>()), num(number_or_nan(s.at("manifold_stress"))),
      num(number_or_nan(s.at("manifold_negative_mass"))));
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
                : std::string(" Null: empirical (Efron): the statistic of unmoved data, on a Box–Cox scale chosen to make "
                              "the bulk's quartiles symmetric, is normal with centre and scale from the bulk of the "
                              "data (median, upper half of the interquartile range); continuous one-sided p-values.");
    text += fmt::format(" {} correction at α = {} over the n data of each pair{}.",
                        esc(t.at("correction").get<std::string>()), num(t.at("alpha").get<double>()),
                        t.at("reference").get<std::string>().empty()
                            ? ", all pairs"
                            : ", every model against " + esc(t.at("reference").get<std::string>()));
  }
  if (s.contains("correlations"))
    text += " Downstream metrics were correlated with model distances over model pairs (Spearman and Pearson of "
            "D<sub>ij</sub> against |f<sub>i</sub> − f<sub>j</sub>|, two-sided Mantel permutation p-values).";
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
                      t.at("reference").get<std::string>().empty()
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
.plot{background:#fff;border:1px solid #e5e5e5;margin:6px 12px 6px 0;max-width:100%;height:auto}
.axis{stroke:#999;stroke-width:1}.label{font-size:12px;fill:#444}.tick{font-size:11px;fill:#333}.cell{font-size:11px}
.model circle{fill:#3b528b;stroke:#fff;stroke-width:1.5}.model text{font-size:13px;fill:#111}
.model:hover circle{fill:#e05a00}.pair{fill:#21918c;stroke:#fff}.pair:hover{fill:#e05a00}
.uniform{stroke:#999;stroke-dasharray:5 4}.cdf-line{fill:none;stroke:#3b528b;stroke-width:2}
.pa{stroke:none;opacity:.8}.pb{opacity:.8}.move{stroke-width:1;opacity:.6}
.row{display:flex;flex-wrap:wrap;align-items:flex-start}
table{border-collapse:collapse;font-size:13px;margin:8px 0}th,td{border:1px solid #ddd;padding:3px 6px;text-align:left}
th{background:#f3f3f3;cursor:pointer;user-select:none}th.asc::after{content:" ▲"}th.desc::after{content:" ▼"}
td.text{max-width:420px}code{background:#f3f3f3;padding:1px 4px;word-break:break-all}
@media print{body{margin:0;max-width:none}.plot{page-break-inside:avoid}th{cursor:auto}section{page-break-inside:avoid}}
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
  std::string html = "<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
                     "<meta name='viewport' content='width=device-width, initial-scale=1'>"
                     "<title>datakernel report</title><style>";
  html += kStyle;
  html += "</style></head><body>\n<h1>datakernel report</h1>";
  html += fmt::format("<p class='meta'>{} models · n = {} data · k = {} ({}) · d = {} · {}</p>", names.size(),
                      s.at("n").get<long>(), s.at("k").get<long>(), esc(s.at("metric").get<std::string>()),
                      s.at("dim").get<long>(), esc(s.at("distance_method").get<std::string>()));
  for (const auto& w : s.value("warnings", nlohmann::json::array()))
    html += "<div class='warn'>" + esc(w.get<std::string>()) + "</div>";

  html += "\n<section id='map-section'><h2>Model map</h2><p>Classical MDS of the model distances; hover a model for "
          "its nearest models.</p><div class='row'>" +
          model_map(s, names, d) + "</div></section>";
  html += "\n<section id='heatmap-section'><h2>Model distances</h2><p>Rows and columns ordered by average-linkage "
          "clustering.</p>" +
          heatmap(names, d) + "</section>";

  if (s.contains("correlations")) {
    html += "\n<section id='correlations'><h2>Downstream metrics</h2><div class='row'>";
    for (const auto& c : s["correlations"]) {
      html += "<figure>" + correlation_plot(s, names, d, c);
      html += fmt::format("<figcaption><b>{}</b>: Spearman ρ = {} (Mantel p = {}), Pearson r = {} (p = {}), {} pairs, "
                          "{} permutations{}</figcaption></figure>",
                          esc(c.at("metric").get<std::string>()),
                          c.at("spearman").is_number() ? num(c["spearman"].get<double>()) : "n/a",
                          c.at("spearman_p").is_number() ? num(c["spearman_p"].get<double>()) : "n/a",
                          c.at("pearson").is_number() ? num(c["pearson"].get<double>()) : "n/a",
                          c.at("pearson_p").is_number() ? num(c["pearson_p"].get<double>()) : "n/a",
                          c.at("pairs").get<long>(), c.at("permutations").get<long>(),
                          c.at("exact").get<bool>() ? " (exact)" : "");
    }
    html += "</div></section>";
  }

  if (s.contains("tests")) {
    html += "\n<section id='tests'><h2>Per-datum tests</h2>";
    for (std::size_t t = 0; t < s["tests"].size(); ++t) {
      const auto& test = s["tests"][t];
      const std::string a = test.at("model_a"), b = test.at("model_b");
      const bool bootstrap_null = test.at("bootstrap").get<long>() > 0;
      const std::string null_text =
          bootstrap_null ? fmt::format("{} null, B = {}, smallest attainable p = {}",
                                       esc(test.at("null").get<std::string>()), test.at("bootstrap").get<long>(),
                                       num(test.at("smallest_attainable_p").get<double>()))
                         : esc(test.at("null").get<std::string>()) + " null, continuous p-values";
      html += fmt::format("<h3>{} vs {}</h3><p><b>{}</b> of {} data rejected by {} at α = {} over the {} data of this "
                          "pair ({} statistic; {}; share of p &lt; α: {}; mean kNN Jaccard distance {}).</p>"
                          "<div class='row'>",
                          esc(a), esc(b), test.at("n_rejected").get<long>(), s.at("n").get<long>(),
                          esc(test.at("correction").get<std::string>()), num(test.at("alpha").get<double>()),
                          s.at("n").get<long>(), esc(test.value("statistic", std::string("omnibus"))), null_text,
                          num(test.at("share_p_below_alpha").get<double>()),
                          num(test.value("mean_jaccard", 0.0)));
      html += cdf_plot(test) + "<div>";
      const DatumTestRows* rows = nullptr;
      for (const auto& candidate : r.tests)
        if (candidate.model_a == a && candidate.model_b == b) rows = &candidate;
      if (rows != nullptr) html += "<p>Most-moved data (smallest q, then largest statistic; click a column to sort):</p>" + top_table(*rows, r, 25);
      html += "</div></div>";
    }
    html += "</section>";
  }

  {
    std::string a = names.size() > 1 ? names[0] : "", b = names.size() > 1 ? names[1] : "";
    // The pair chosen with --report-pair, else the tested pair with the most rejections (the first on ties),
    // else the first two models.
    const DatumTestRows* rows = nullptr;
    if (s.contains("report_pair")) {
      a = s["report_pair"][0].get<std::string>(), b = s["report_pair"][1].get<std::string>();
      for (const auto& candidate : r.tests)
        if ((candidate.model_a == a && candidate.model_b == b) || (candidate.model_a == b && candidate.model_b == a))
          rows = &candidate;
    } else {
      long most = -1;
      for (const auto& candidate : r.tests) {
        const long rejected = std::count(candidate.rejected.begin(), candidate.rejected.end(), true);
        if (rejected > most) most = rejected, rows = &candidate;
      }
      if (rows != nullptr) a = rows->model_a, b = rows->model_b;
    }
    const int bootstrap = s.contains("tests") && !s["tests"].empty() ? s["tests"][0].at("bootstrap").get<int>() : 0;
    html += fmt::format("\n<section id='embedding-section'><h2>Omnibus embedding of the data: {} (circles) and {} "
                        "(squares)</h2><p>First two dimensions of the joint omnibus embedding{}.</p>",
                        esc(a), esc(b),
                        rows ? "; colour: −log10 q of the per-datum test, rejected data larger and joined across the "
                               "two models"
                             : "");
    html += embedding_plot(r, a, b, rows, bootstrap) + "</section>";
  }
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
