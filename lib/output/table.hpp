#pragma once
// Plain-text tables for people: columns padded to their content, sized to the
// terminal by shrinking the widest flexible columns (cut with "…"), optional
// colour per cell. "wide" shows the extra columns.
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace cdcctl::output {

enum class Color { None, Green, Yellow, Red, Blue, Dim, Bold };

struct Column {
  std::string header;
  bool wide_only = false;   // shown only with -o wide
  bool right_align = false; // numbers
  bool flexible = true;     // may be cut to fit the terminal
};

struct Cell {
  std::string text;
  Color color = Color::None;
  Cell() = default;
  Cell(std::string t, Color c = Color::None) : text(std::move(t)), color(c) {}
  Cell(const char* t, Color c = Color::None) : text(t), color(c) {}
};

struct Table {
  std::vector<Column> columns;
  std::vector<std::vector<Cell>> rows;
};

struct TableOptions {
  bool wide = false;
  bool color = false;
  int width = 0;  // terminal width; 0 = unlimited (not a terminal)
  bool headers = true;
};

void render_table(const Table& table, const TableOptions& options, std::ostream& out);

// Columns a string takes on a terminal (UTF-8 code points; no ANSI codes expected).
std::size_t display_width(std::string_view text);
// Cuts text to at most width columns, ending with "…" when cut.
std::string truncate_to_width(std::string_view text, std::size_t width);

std::string_view ansi_code(Color color);
// A colour for well-known states: RUNNING/OK green, FAILED/CRITICAL red, …
Color state_color(std::string_view state);

}  // namespace cdcctl::output
