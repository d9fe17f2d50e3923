//! kubectl's output options: `-o jsonpath=…`/`custom-columns=…` (and their `-file=` forms, read
//! here), `--sort-by` and `-L`, checked against the format and the subcommand before anything is
//! read, so every combination is honoured or refused with a clear error.

use super::CliError;
use super::args::{Cli, OutputFormat, ShapeSpec};
use crate::render::jsonpath::{Path, Template};
use crate::render::{Columns, Shape};

/// The shape of `-o`, its file read and parsed; `None` for a plain format.
pub fn shape(cli: &Cli) -> Result<Option<Shape>, CliError> {
    let read = |path: &std::path::Path| {
        std::fs::read_to_string(path).map_err(|source| CliError::ShapeFile {
            path: path.display().to_string(),
            source,
        })
    };
    Ok(match &cli.output.shape {
        None => None,
        Some(ShapeSpec::JsonPath(text)) => Some(Shape::JsonPath(Template::parse(text)?)),
        Some(ShapeSpec::JsonPathFile(path)) => {
            // An editor's final newline is not part of the template.
            let text = read(path)?;
            let text = text.strip_suffix('\n').unwrap_or(&text);
            Some(Shape::JsonPath(Template::parse(text)?))
        }
        Some(ShapeSpec::CustomColumns(spec)) => Some(Shape::Columns(Columns::parse(spec)?)),
        Some(ShapeSpec::CustomColumnsFile(path)) => {
            Some(Shape::Columns(Columns::parse_file(&read(path)?)?))
        }
    })
}

/// `--sort-by` and `-L` for the record view: refused where they cannot apply.
pub fn record_options(cli: &Cli) -> Result<Option<Path>, CliError> {
    let table = cli.output.shape.is_none()
        && matches!(cli.output.format, OutputFormat::Table | OutputFormat::Wide);
    if !cli.label_columns.is_empty() && !table {
        return Err(CliError::FlagFormat {
            flag: "-L/--label-columns",
            format: format_name(cli),
            why: "it adds columns to -o table and -o wide",
        });
    }
    if cli.label_columns.iter().any(|key| key.trim().is_empty()) {
        return Err(CliError::EmptyLabel);
    }
    let sort = cli
        .sort_by
        .as_deref()
        .map(Path::parse_relaxed)
        .transpose()?;
    if sort.is_some() && cli.output.shape.is_none() && cli.output.format == OutputFormat::Zone {
        return Err(CliError::FlagFormat {
            flag: "--sort-by",
            format: format_name(cli),
            why: "a zone file keeps its zones' order; every other format is sorted",
        });
    }
    Ok(sort)
}

/// `-o` as the user named it, for messages.
pub fn format_name(cli: &Cli) -> String {
    let name = match &cli.output.shape {
        Some(ShapeSpec::JsonPath(_)) => "jsonpath",
        Some(ShapeSpec::JsonPathFile(_)) => "jsonpath-file",
        Some(ShapeSpec::CustomColumns(_)) => "custom-columns",
        Some(ShapeSpec::CustomColumnsFile(_)) => "custom-columns-file",
        None => match cli.output.format {
            OutputFormat::Table => "table",
            OutputFormat::Wide => "wide",
            OutputFormat::Json => "json",
            OutputFormat::Yaml => "yaml",
            OutputFormat::Zone => "zone",
        },
    };
    format!("-o {name}")
}

/// `--sort-by` and `-L` shape the record list only: a subcommand refuses them.
pub fn refuse_record_options(cli: &Cli, command: &'static str) -> Result<(), CliError> {
    let flag = if cli.sort_by.is_some() {
        Some("--sort-by")
    } else if !cli.label_columns.is_empty() {
        Some("-L/--label-columns")
    } else {
        None
    };
    match flag {
        Some(flag) => Err(CliError::FlagCommand { flag, command }),
        None => Ok(()),
    }
}
