//! Plain-text tables: columns padded to their widest cell, numbers right-aligned. Written by
//! hand because the output is small and a table crate would be a heavy dependency for it.

/// How a column's cells line up.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Align {
    Left,
    Right,
}

/// A table with a header row; render with [`Table::render`].
pub struct Table {
    columns: Vec<(String, Align)>,
    rows: Vec<Vec<String>>,
}

impl Table {
    pub fn new(columns: &[(&str, Align)]) -> Self {
        Self {
            columns: columns.iter().map(|(h, a)| (h.to_string(), *a)).collect(),
            rows: Vec::new(),
        }
    }

    /// Adds a row; missing cells are blank, extra cells are dropped.
    pub fn row(&mut self, cells: Vec<String>) {
        self.rows.push(cells);
    }

    /// The table as lines separated by `\n` (with a trailing one), columns two spaces apart,
    /// no trailing white space. Headers that are all empty make a table without a header line.
    pub fn render(&self) -> String {
        fn cell(row: &[String], i: usize) -> &str {
            row.get(i).map_or("", String::as_str)
        }
        let widths: Vec<usize> = (0..self.columns.len())
            .map(|i| {
                self.rows
                    .iter()
                    .map(|r| cell(r, i).chars().count())
                    .chain([self.columns[i].0.chars().count()])
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        let line = |cells: Vec<&str>| {
            let padded: Vec<String> = cells
                .iter()
                .zip(&self.columns)
                .zip(&widths)
                .map(|((c, (_, align)), w)| match align {
                    Align::Left => format!("{c:<w$}"),
                    Align::Right => format!("{c:>w$}"),
                })
                .collect();
            padded.join("  ").trim_end().to_string() + "\n"
        };
        let mut out = if self.columns.iter().all(|(h, _)| h.is_empty()) {
            String::new()
        } else {
            line(self.columns.iter().map(|(h, _)| h.as_str()).collect())
        };
        for r in &self.rows {
            out += &line((0..self.columns.len()).map(|i| cell(r, i)).collect());
        }
        out
    }
}

/// A number with up to `decimals` places, as tables show them (`12.30` → `12.3`, `4.00` → `4`).
pub fn num(v: f64, decimals: usize) -> String {
    let s = format!("{v:.decimals$}");
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_are_padded_and_aligned() {
        let mut t = Table::new(&[("NAME", Align::Left), ("REQ/S", Align::Right)]);
        t.row(vec!["a".into(), "1234.5".into()]);
        t.row(vec!["longer name".into(), "7".into()]);
        assert_eq!(
            t.render(),
            "NAME          REQ/S\n\
             a            1234.5\n\
             longer name       7\n"
        );
    }

    #[test]
    fn short_rows_leave_blanks_and_no_trailing_space() {
        let mut t = Table::new(&[("A", Align::Left), ("B", Align::Left)]);
        t.row(vec!["xyz".into()]);
        assert_eq!(t.render(), "A    B\nxyz\n");
    }

    #[test]
    fn empty_headers_mean_no_header_line() {
        let mut t = Table::new(&[("", Align::Left), ("", Align::Left)]);
        t.row(vec!["key".into(), "value".into()]);
        assert_eq!(t.render(), "key  value\n");
    }

    #[test]
    fn numbers_drop_useless_zeros() {
        assert_eq!(num(12.3, 2), "12.3");
        assert_eq!(num(4.0, 2), "4");
        assert_eq!(num(0.123456, 3), "0.123");
        assert_eq!(num(1500.0, 0), "1500");
    }
}
