//! kubectl's user-shaped outputs over our JSON documents: `-o jsonpath=TEMPLATE` (the whole
//! document), `-o custom-columns=HEADER:PATH,…` (one row per item: the records of the record
//! view, the tries of `explain`, the pages of `docs`), their `-file=` forms, and the
//! `--sort-by` order of the records.

use std::borrow::Cow;
use std::io::{self, Write};

use serde_json::Value;

use super::grid::{Cell, Grid};
use super::jsonpath::{self, JsonPathError, Path, RootReach, Template};
use super::schema;
use crate::model::{Record, Report, Verification};

/// A user-shaped output.
#[derive(Debug, Clone, PartialEq)]
pub enum Shape {
    /// `-o jsonpath=…`: the template applied to the whole document.
    JsonPath(Template),
    /// `-o custom-columns=…`: a table with one row per item.
    Columns(Columns),
}

/// Custom columns: each a header and the path its cells show.
#[derive(Debug, Clone, PartialEq)]
pub struct Columns {
    columns: Vec<(String, Path)>,
}

/// A custom-columns spec or file that does not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ColumnsError {
    /// A part is not `HEADER:PATH`.
    #[error("custom-columns spec {0:?} is not HEADER:PATH")]
    Spec(String),
    /// No column at all.
    #[error("custom-columns needs at least one HEADER:PATH")]
    Empty,
    /// The file's header and path lines differ in length.
    #[error("custom-columns-file has {headers} headers but {paths} paths")]
    FileShape {
        /// Words on the first line.
        headers: usize,
        /// Words on the second line.
        paths: usize,
    },
    /// A column's path does not parse.
    #[error("custom column {header:?} has an invalid path")]
    Path {
        /// The column.
        header: String,
        /// Why.
        #[source]
        source: JsonPathError,
    },
}

impl Columns {
    /// `HEADER:PATH,HEADER:PATH` (kubectl splits at commas and at each part's first colon).
    pub fn parse(spec: &str) -> Result<Columns, ColumnsError> {
        let pairs = spec
            .split(',')
            .map(|part| {
                part.split_once(':')
                    .filter(|(header, path)| !header.is_empty() && !path.is_empty())
                    .ok_or_else(|| ColumnsError::Spec(part.to_string()))
            })
            .collect::<Result<Vec<_>, _>>()?;
        Self::from_pairs(pairs)
    }

    /// kubectl's custom-columns file: a line of headers, then a line of paths, separated by
    /// whitespace.
    pub fn parse_file(text: &str) -> Result<Columns, ColumnsError> {
        let mut lines = text.lines().filter(|line| !line.trim().is_empty());
        let headers: Vec<&str> = lines
            .next()
            .map(|l| l.split_whitespace().collect())
            .unwrap_or_default();
        let paths: Vec<&str> = lines
            .next()
            .map(|l| l.split_whitespace().collect())
            .unwrap_or_default();
        if headers.len() != paths.len() {
            return Err(ColumnsError::FileShape {
                headers: headers.len(),
                paths: paths.len(),
            });
        }
        Self::from_pairs(headers.into_iter().zip(paths).collect())
    }

    fn from_pairs(pairs: Vec<(&str, &str)>) -> Result<Columns, ColumnsError> {
        if pairs.is_empty() {
            return Err(ColumnsError::Empty);
        }
        let columns = pairs
            .into_iter()
            .map(|(header, path)| {
                Path::parse_relaxed(path)
                    .map(|path| (header.to_string(), path))
                    .map_err(|source| ColumnsError::Path {
                        header: header.to_string(),
                        source,
                    })
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Columns { columns })
    }

    /// The members of the document's root any column can read (see [`RootReach`]).
    pub fn root_reach(&self) -> RootReach {
        self.columns
            .iter()
            .fold(RootReach::none(), |reach, (_, path)| {
                reach.union(path.root_reach())
            })
    }

    /// The table: headers as given (unless `headers` is false), one row per item, `<none>`
    /// for a path that selects nothing. `rows` gives the items afresh for each of the two
    /// passes, so that they need not all exist at once.
    pub fn render<'v, I>(
        &self,
        root: &Value,
        rows: impl Fn() -> I,
        headers: bool,
        out: &mut dyn Write,
    ) -> io::Result<()>
    where
        I: Iterator<Item = io::Result<Cow<'v, Value>>>,
    {
        if !headers && rows().next().is_none() {
            return Ok(());
        }
        let header: Vec<Cell<'_>> = self
            .columns
            .iter()
            .map(|(header, _)| Cell::plain(super::escape::terminal(header)))
            .collect();
        let cells = |row: &Value| -> Vec<Cell<'static>> {
            self.columns
                .iter()
                .map(|(_, path)| Cell::plain(jsonpath::column_text(&path.select(root, row))))
                .collect()
        };
        // Measured in a first pass and written in a second, a row at a time: `-A` gives as many
        // rows as records.
        let mut grid = Grid::new(header.len());
        if headers {
            grid.measure(header.iter().map(|cell| cell.text.as_ref()));
        }
        for row in rows() {
            grid.measure(cells(&*row?).iter().map(|cell| cell.text.as_ref()));
        }
        if headers {
            grid.write_row(header, out)?;
        }
        for row in rows() {
            grid.write_row(cells(&*row?), out)?;
        }
        Ok(())
    }
}

/// Writes `document` in `shape`; `items` names the arrays whose elements are the rows of custom
/// columns, in order (`["tries"]` for explain's document).
pub fn render_document(
    document: &Value,
    items: &[&str],
    shape: &Shape,
    headers: bool,
    out: &mut dyn Write,
) -> io::Result<()> {
    match shape {
        Shape::JsonPath(template) => {
            // Exactly what the template writes, no newline added: as kubectl prints it, so
            // `$(kubectl dnsrecords -o jsonpath=…)` and a pipe see the same bytes.
            out.write_all(template.execute(document).as_bytes())
        }
        Shape::Columns(columns) => {
            let rows = || {
                items
                    .iter()
                    .filter_map(|key| document.get(key).and_then(Value::as_array))
                    .flatten()
                    .map(|row| Ok(Cow::Borrowed(row)))
            };
            columns.render(document, rows, headers, out)
        }
    }
}

/// The record view's document as a JSON value, with only the members `reach` names filled
/// (the others are empty): as a `Value`, a large cluster's document is several times its
/// JSON text.
fn report_value(
    report: &Report,
    verification: Option<&Verification>,
    reach: &RootReach,
) -> io::Result<Value> {
    if reach.is_none() {
        // Nothing reads the root: no document at all.
        return Ok(Value::Null);
    }
    serde_json::to_value(schema::document_reaching(report, verification, reach))
        .map_err(io::Error::other)
}

/// One record's row: its JSON value, as the document holds it.
fn record_row(record: &Record) -> io::Result<Cow<'static, Value>> {
    schema::record_value(record)
        .map(Cow::Owned)
        .map_err(io::Error::other)
}

/// Writes the record view in `shape`: the template over the `dnsrecords/v1` document, or a
/// column table with one row per record (zone records first, as the table shows them). Only
/// what the template or the columns can read is built: a row's value exists while its row is
/// measured or written, and the document holds only the members named from its root.
pub fn render_report(
    report: &Report,
    verification: Option<&Verification>,
    shape: &Shape,
    headers: bool,
    out: &mut dyn Write,
) -> io::Result<()> {
    match shape {
        Shape::JsonPath(template) => match template.streamed_reach("records") {
            // The usual templates walk the records one by one: each record's value exists
            // while the template runs on it.
            Some(reach) => {
                let root = report_value(report, verification, &reach)?;
                let text = template
                    .execute_streamed(&root, "records", || report.records.iter().map(record_row))?;
                out.write_all(text.as_bytes())
            }
            None => {
                let document = report_value(report, verification, &template.root_reach())?;
                render_document(&document, &[], shape, headers, out)
            }
        },
        Shape::Columns(columns) => {
            let root = report_value(report, verification, &columns.root_reach())?;
            // Zone records first, as the table shows them.
            let rows = || {
                (report.listed_zone_records())
                    .chain(&report.records)
                    .map(record_row)
            };
            columns.render(&root, rows, headers, out)
        }
    }
}

/// `--sort-by`: the report's records in the order of `path` evaluated on each record's JSON
/// form (`.name`, `.ttl`, `.source.pod`), stable, records without the field first — as
/// kubectl sorts items. Every renderer then prints them in this order. Each record's value
/// exists only while its key is taken.
pub fn sort_records(report: &mut Report, path: &Path) -> io::Result<()> {
    let root = report_value(report, None, &path.root_reach())?;
    let keys = report
        .records
        .iter()
        .map(|record| {
            let value = schema::record_value(record).map_err(io::Error::other)?;
            Ok(path.select(&root, &value).first().map(|v| (*v).clone()))
        })
        .collect::<io::Result<Vec<Option<Value>>>>()?;
    let mut keyed: Vec<(Option<Value>, crate::model::Record)> = keys
        .into_iter()
        .zip(std::mem::take(&mut report.records))
        .collect();
    keyed.sort_by(|(a, _), (b, _)| jsonpath::compare_values(a.as_ref(), b.as_ref()));
    report.records = keyed.into_iter().map(|(_, record)| record).collect();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn table(columns: &Columns, doc: &Value, items: &[&str]) -> String {
        let mut out = Vec::new();
        render_document(doc, items, &Shape::Columns(columns.clone()), true, &mut out)
            .expect("render");
        String::from_utf8(out).expect("utf-8")
    }

    fn doc() -> Value {
        json!({
            "records": [
                {"name": "a.x.", "type": "A", "ttl": 30, "data": "10.0.0.1",
                 "source": {"kind": "Endpoint", "pod": "a-0"}},
                {"name": "b.x.", "type": "SRV", "ttl": 5, "data": "0 100 80 b.x.",
                 "source": {"kind": "Service"}}
            ]
        })
    }

    #[test]
    fn columns_from_a_spec() {
        let columns = Columns::parse("NAME:.name,TYPE:type,POD:{.source.pod}").expect("parses");
        assert_eq!(
            table(&columns, &doc(), &["records"]),
            "NAME  TYPE  POD\na.x.  A     a-0\nb.x.  SRV   <none>\n"
        );
    }

    #[test]
    fn columns_from_a_file() {
        let columns = Columns::parse_file("NAME   TTL\n.name  .ttl\n").expect("parses");
        assert_eq!(
            table(&columns, &doc(), &["records"]),
            "NAME  TTL\na.x.  30\nb.x.  5\n"
        );
    }

    #[test]
    fn bad_specs_are_typed_errors() {
        assert_eq!(
            Columns::parse("NAME"),
            Err(ColumnsError::Spec("NAME".to_string()))
        );
        assert_eq!(
            Columns::parse("NAME:.name,"),
            Err(ColumnsError::Spec(String::new()))
        );
        assert_eq!(
            Columns::parse_file("A B\n.a\n"),
            Err(ColumnsError::FileShape {
                headers: 2,
                paths: 1
            })
        );
        assert!(matches!(
            Columns::parse("NAME:.a[").expect_err("bad path"),
            ColumnsError::Path { header, .. } if header == "NAME"
        ));
    }

    #[test]
    fn jsonpath_output_is_exactly_the_template_text() {
        let template = Template::parse("{.records[*].type}").expect("parses");
        let mut out = Vec::new();
        render_document(&doc(), &[], &Shape::JsonPath(template), true, &mut out).expect("render");
        assert_eq!(out, b"A SRV");
        let empty = Template::parse("{.nothing}").expect("parses");
        let mut out = Vec::new();
        render_document(&doc(), &[], &Shape::JsonPath(empty), true, &mut out).expect("render");
        assert!(out.is_empty());
    }
}
