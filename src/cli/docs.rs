//! `kubectl dnsrecords docs [ID]`: a finding's page, or the list of ids, from the text compiled
//! into the binary. Reads nothing: no cluster, no files.

use std::io::Write;

use clap::Args;

use super::args::{Cli, OutputFormat};
use super::{CliError, Exit, color};
use crate::docs;
use crate::render::{self, Format, RenderOptions};

/// `docs`'s own arguments.
#[derive(Debug, Args)]
pub struct DocsArgs {
    /// The finding's id (e.g. missing-hostname) or code (e.g. DNS002); none lists them all.
    #[arg(value_name = "ID")]
    pub id: Option<String>,
}

/// Prints the page (or the list) in `-o`'s format.
pub fn run(cli: &Cli, args: &DocsArgs, out: &mut dyn Write) -> Result<Exit, CliError> {
    super::shape::refuse_record_options(cli, "docs")?;
    let shape = super::shape::shape(cli)?;
    let format = match cli.output.format {
        OutputFormat::Table | OutputFormat::Wide => Format::Table,
        OutputFormat::Json => Format::Json,
        OutputFormat::Yaml => Format::Yaml,
        OutputFormat::Zone => return Err(CliError::DocsFormat),
    };
    let id = args.id.as_deref().map(docs::lookup).transpose()?;
    let options = RenderOptions {
        palette: color::decide(cli.color),
        headers: !cli.no_headers,
    };
    match &shape {
        // The shapes read the docs document; custom columns have a row per page.
        Some(shape) => {
            let document = render::docs_value(id).map_err(CliError::Io)?;
            render::render_document(&document, &["findings"], shape, options.headers, out)
        }
        None => render::render_docs(id, format, options, out),
    }
    .map_err(CliError::Io)?;
    out.flush().map_err(CliError::Io)?;
    Ok(Exit::Success)
}
