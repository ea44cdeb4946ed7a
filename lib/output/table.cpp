#include "output/table.hpp"

#include <algorithm>
#include <numeric>

namespace cdcctl::output {

namespace {
constexpr std::size_t kGap = 3;       // spaces between columns, as kubectl
constexpr std::size_t kMinColumn = 8; // never cut a column below this
}  // namespace

std::size_t display_width(std::string_view text) {
  std::size_t width = 0;
  for (unsigned char c : text) {
    if ((c & 0xC0) != 0x80) ++width;  // count lead bytes only
  }
  return width;
}

std::string truncate_to_width(std::string_view text, std::size_t width) {
  if (display_width(text) <= width) return std::string(text);
  if (width == 0) return {};
  std::string out;
  std::size_t columns = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if ((c & 0xC0) != 0x80) {
      if (columns == width - 1) break;
      ++columns;
    }
    out.push_back(text[i]);
  }
  return out + "…";
}

std::string_view ansi_code(Color color) {
  switch (color) {
    case Color::None: return "";
    case Color::Green: return "\033[32m";
    case Color::Yellow: return "\033[33m";
    case Color::Red: return "\033[31m";
    case Color::Blue: return "\033[34m";
    case Color::Dim: return "\033[2m";
    case Color::Bold: return "\033[1m";
  }
  return "";
}

Color state_color(std::string_view state) {
  if (state == "RUNNING" || state == "OK" || state == "ok" || state == "healthy") return Color::Green;
  if (state == "FAILED" || state == "CRITICAL" || state == "FAIL" || state == "unreachable" || state == "error" || state == "lost")
    return Color::Red;
  if (state == "PAUSED" || state == "WARNING" || state == "WARN" || state == "RESTARTING" || state == "UNASSIGNED" ||
      state == "STOPPED" || state == "UNKNOWN" || state == "unreserved")
    return Color::Yellow;
  return Color::None;
}

void render_table(const Table& table, const TableOptions& options, std::ostream& out) {
  std::vector<std::size_t> shown;
  for (std::size_t i = 0; i < table.columns.size(); ++i) {
    if (options.wide || !table.columns[i].wide_only) shown.push_back(i);
  }
  if (shown.empty()) return;

  std::vector<std::size_t> widths(shown.size(), 0);
  for (std::size_t s = 0; s < shown.size(); ++s) {
    if (options.headers) widths[s] = display_width(table.columns[shown[s]].header);
    for (const auto& row : table.rows) {
      if (shown[s] < row.size()) widths[s] = std::max(widths[s], display_width(row[shown[s]].text));
    }
  }

  // Fit to the terminal: repeatedly shave the widest flexible column.
  if (options.width > 0) {
    const std::size_t limit = static_cast<std::size_t>(options.width);
    auto total = [&] { return std::accumulate(widths.begin(), widths.end(), std::size_t{0}) + kGap * (widths.size() - 1); };
    while (total() > limit) {
      std::size_t widest = widths.size();
      for (std::size_t s = 0; s < widths.size(); ++s) {
        if (!table.columns[shown[s]].flexible || widths[s] <= kMinColumn) continue;
        if (widest == widths.size() || widths[s] > widths[widest]) widest = s;
      }
      if (widest == widths.size()) break;  // nothing left to cut: let the terminal wrap
      widths[widest] -= std::min(widths[widest] - kMinColumn, total() - limit);
    }
  }

  // A cell is one line: newlines and tabs (multi-line server errors) become
  // spaces, other control characters are dropped so nothing moves the cursor.
  auto one_line = [](const std::string& text) {
    std::string out;
    for (char c : text) {
      if (c == '\n' || c == '\t' || c == '\r') out.push_back(' ');
      else if (static_cast<unsigned char>(c) >= 0x20 && c != 0x7f) out.push_back(c);
    }
    return out;
  };
  auto emit_row = [&](auto cell_at) {
    std::string line;
    for (std::size_t s = 0; s < shown.size(); ++s) {
      const Cell cell = cell_at(shown[s]);
      std::string text = truncate_to_width(one_line(cell.text), widths[s]);
      const std::size_t pad = widths[s] - display_width(text);
      const bool last = s + 1 == shown.size();
      const bool right = table.columns[shown[s]].right_align;
      if (right) line.append(pad, ' ');
      if (options.color && cell.color != Color::None) {
        line += ansi_code(cell.color);
        line += text;
        line += "\033[0m";
      } else {
        line += text;
      }
      if (!right && !last) line.append(pad, ' ');
      if (!last) line.append(kGap, ' ');
    }
    out << line << '\n';
  };

  if (options.headers) {
    emit_row([&](std::size_t column) { return Cell(table.columns[column].header); });
  }
  for (const auto& row : table.rows) {
    emit_row([&](std::size_t column) { return column < row.size() ? row[column] : Cell(); });
  }
}

}  // namespace cdcctl::output
