// The readable form of an attribute report.
#include <cmath>
#include <cstdarg>
#include <cstdio>

#include "facekit/attribute_eval.h"

namespace facekit::eval {

namespace {

std::string format(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
std::string format(const char* fmt, ...) {
  char buffer[512];
  va_list args;
  va_start(args, fmt);
  std::vsnprintf(buffer, sizeof buffer, fmt, args);
  va_end(args);
  return buffer;
}

std::string percent(double share) { return std::isfinite(share) ? format("%.1f %%", 100 * share) : "n/a"; }
std::string years(double y) { return std::isfinite(y) ? format("%.2f", y) : "n/a"; }

std::string source_line(const SourceScores& s) {
  if (const auto* c = std::get_if<ClassScores>(&s.overall))
    return format("  %-20s %5lld/%-5lld %9s %9s %7.3f\n", s.source.c_str(), static_cast<long long>(c->found),
                  static_cast<long long>(c->total), percent(c->accuracy).c_str(),
                  percent(c->balanced_accuracy).c_str(), c->reliability.ece);
  const auto& a = std::get<AgeScores>(s.overall);
  return format("  %-20s %5lld/%-5lld %7s %7s %9s %9s\n", s.source.c_str(), static_cast<long long>(a.found),
                static_cast<long long>(a.total), years(a.mae).c_str(), years(a.bias).c_str(),
                percent(a.within_5).c_str(), percent(a.interval_coverage).c_str());
}

std::string breakdown_text(const Breakdown& b) {
  std::string s = format("  by %s:", grouping_name(b.by));
  for (const auto& [name, scores] : b.groups) {
    if (const auto* c = std::get_if<ClassScores>(&scores))
      s += format(" %s %s (%lld);", name.c_str(), percent(c->accuracy).c_str(), static_cast<long long>(c->total));
    else
      s += format(" %s MAE %s (%lld);", name.c_str(), years(std::get<AgeScores>(scores).mae).c_str(),
                  static_cast<long long>(std::get<AgeScores>(scores).total));
  }
  if (b.gap) {
    const bool age = std::holds_alternative<AgeScores>(b.groups.front().second);
    s += age ? format(" gap %.2f years", *b.gap) : format(" gap %.1f points", 100 * *b.gap);
    s += " (best " + b.best + ", worst " + b.worst + ")";
  }
  return s + "\n";
}

std::string confusion_text(const ClassScores& c) {
  std::string s = format("  confusion (rows: truth, columns: predicted):\n  %-10s", "");
  for (const auto& name : c.classes) s += format(" %8.8s", name.c_str());
  s += format(" %8s\n", "missed");
  for (size_t t = 0; t < c.classes.size(); ++t) {
    s += format("  %-10.10s", c.classes[t].c_str());
    for (int64_t n : c.confusion[t]) s += format(" %8lld", static_cast<long long>(n));
    s += "\n";
  }
  return s;
}

}  // namespace

std::string attribute_report_text(const AttributeReport& report) {
  std::string s = format("%lld labelled faces, %lld analysed (%s), %lld missed\n", static_cast<long long>(report.total),
                         static_cast<long long>(report.found),
                         percent(report.total ? static_cast<double>(report.found) / report.total : 0).c_str(),
                         static_cast<long long>(report.total - report.found));
  for (const AttributeEvaluation& e : report.attributes) {
    s += format("\n%s (%lld labelled)\n", attribute_name(e.attribute), static_cast<long long>(e.labelled));
    if (e.attribute == Attribute::kAge)
      s += format("  %-20s %11s %7s %7s %9s %9s\n", "source", "found", "MAE", "bias", "within 5", "in 1 sd");
    else
      s += format("  %-20s %11s %9s %9s %7s\n", "source", "found", "accuracy", "balanced", "ECE");
    for (const SourceScores& source : e.sources) s += source_line(source);
    const SourceScores& combined = e.sources.front();
    s += "  " + combined.source + ":\n";
    for (const Breakdown& b : combined.breakdowns) s += breakdown_text(b);
    if (const auto* c = std::get_if<ClassScores>(&combined.overall); c && e.attribute != Attribute::kGender)
      s += confusion_text(*c);
  }
  return s;
}

}  // namespace facekit::eval
