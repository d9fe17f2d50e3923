//! `--watch` (`-w`): the live source's watch session feeding the pure core on every change, and
//! the output of the difference — for the record view and for `explain`. The clock, the
//! terminal check, Ctrl-C and `--watch-timeout` live here; the diff and the renderers read none.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{IsTerminal, Write};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use super::args::{Cli, OutputFormat};
use super::explain::ExplainArgs;
use super::{CliError, Exit};
use crate::analyze::analyze_dns;
use crate::model::{LabelSelector, Note, NoteLevel, Selection, Target};
use crate::render::escape;
use crate::render::watch::{self as render, AnswerSummary, Screen};
use crate::source::{self, Connection, LiveQuery, WatchUpdate};
use crate::watch_diff::{self, WatchView};

/// How a watch ended.
enum Ended {
    /// `--watch-timeout` elapsed.
    Timeout,
    /// Ctrl-C.
    Interrupted,
    /// The handler asked to stop (`--until-resolves` saw the name resolve).
    Stopped(Exit),
}

/// What a handler wants after an update.
enum Flow {
    Continue,
    Stop(Exit),
}

/// Connects, starts the watch for the query `scope` builds, and hands every update to
/// `on_update` until it stops, the timeout elapses or Ctrl-C arrives.
fn watch(
    cli: &Cli,
    scope: impl FnOnce(&Connection) -> LiveQuery,
    mut on_update: impl FnMut(WatchUpdate, &str) -> Result<Flow, CliError>,
) -> Result<Ended, CliError> {
    let options = super::connect_options(cli);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(CliError::Runtime)?;
    runtime.block_on(async {
        let connection = source::connect(&options).await?;
        let namespace = cli
            .namespace
            .clone()
            .unwrap_or_else(|| connection.namespace.clone());
        let query = scope(&connection);
        let mut session = source::watch_cluster(&connection, &query)?;
        let deadline = cli
            .watch_timeout
            .map(|timeout| tokio::time::Instant::now() + timeout);
        let timeout = async {
            match deadline {
                Some(deadline) => tokio::time::sleep_until(deadline).await,
                None => std::future::pending().await,
            }
        };
        let mut timeout = std::pin::pin!(timeout);
        let mut interrupt = std::pin::pin!(tokio::signal::ctrl_c());
        loop {
            tokio::select! {
                update = session.next() => {
                    if let Flow::Stop(exit) = on_update(update?, &namespace)? {
                        return Ok(Ended::Stopped(exit));
                    }
                }
                () = &mut timeout => return Ok(Ended::Timeout),
                // An error installing the handler leaves Ctrl-C to the default: the process ends.
                _ = &mut interrupt => return Ok(Ended::Interrupted),
            }
        }
    })
}

/// A watch failure the session retries, or a target that went away: one line on stderr.
fn warn(message: &str) {
    let _ = writeln!(std::io::stderr(), "warning: {}", escape::terminal(message));
}

/// The record view, watched.
pub(super) fn records(
    cli: &Cli,
    targets: Vec<Target>,
    selector: Option<LabelSelector>,
    out: &mut dyn Write,
) -> Result<Exit, CliError> {
    if !cli.filenames.is_empty() {
        return Err(CliError::WatchNeedsCluster);
    }
    refuse_shape(cli)?;
    let wide = match cli.output.format {
        OutputFormat::Yaml => return Err(CliError::WatchFormat("yaml")),
        OutputFormat::Zone => return Err(CliError::WatchFormat("zone")),
        OutputFormat::Wide => true,
        OutputFormat::Table | OutputFormat::Json => false,
    };
    let lines = cli.output.format == OutputFormat::Json || !std::io::stdout().is_terminal();
    let palette = super::color::decide(cli.color);
    let mut previous: Option<WatchView> = None;
    let mut timeline = Timeline::default();
    let mut notes = Notes::default();
    let query_targets = targets.clone();
    let ended = watch(
        cli,
        |connection| LiveQuery {
            namespace: (!cli.all_namespaces).then(|| connection.namespace.clone()),
            targets: query_targets,
            paging: source::Paging::chunks(cli.chunk_size),
        },
        |update, namespace| {
            let now = SystemTime::now();
            let time = rfc3339(now);
            let view = match update {
                WatchUpdate::Snapshot(loaded) => {
                    // Every stanza, as the record list computes them: a second server block's
                    // names appear here too.
                    let (dns, config_notes) = super::cluster_dns(cli, &loaded.snapshot)?;
                    let selection = Selection {
                        namespaces: (!cli.all_namespaces).then(|| vec![namespace.to_string()]),
                        targets: targets.clone(),
                        selector: selector.clone(),
                    };
                    let report = analyze_dns(&loaded.snapshot, &dns, &selection)?;
                    for note in config_notes
                        .iter()
                        .chain(&loaded.notes)
                        .chain(&report.notes)
                    {
                        notes.say(note);
                    }
                    WatchView::of(&report)
                }
                WatchUpdate::TargetGone(not_found) => {
                    warn(&not_found.to_string());
                    WatchView::default()
                }
                WatchUpdate::Interrupted { resource, error } => {
                    warn(&format!("watching {resource} failed, retrying: {error}"));
                    return Ok(Flow::Continue);
                }
            };
            let changes = match &previous {
                None => watch_diff::initial(&view),
                Some(previous) => watch_diff::diff(previous, &view),
            };
            let first = previous.is_none();
            timeline.update(&view, now);
            if lines {
                for change in &changes {
                    render::change_line(change, &time, out).map_err(CliError::Io)?;
                }
                if first {
                    render::synced_line(&view, &time, out).map_err(CliError::Io)?;
                }
            } else if first || !changes.is_empty() {
                let shown = timeline.shown(now);
                let subject = subject(cli, &targets, namespace);
                // The first screen is the state itself: nothing in it is a change to mark.
                let marked: &[_] = if first { &[] } else { &changes };
                let screen = Screen {
                    time: &time,
                    subject: &subject,
                    timeline: wide.then_some(&shown),
                    palette,
                    headers: !cli.no_headers,
                };
                render::screen(&view, marked, &screen, out).map_err(CliError::Io)?;
            }
            out.flush().map_err(CliError::Io)?;
            previous = Some(view);
            Ok(Flow::Continue)
        },
    )?;
    Ok(match ended {
        Ended::Stopped(exit) => exit,
        Ended::Timeout | Ended::Interrupted => Exit::Success,
    })
}

/// `explain -w`: a line each time the answer changes; with `--until-resolves`, exit 0 as soon
/// as it resolves.
pub(super) fn explain(
    cli: &Cli,
    args: &ExplainArgs,
    pod_name: Option<String>,
    out: &mut dyn Write,
) -> Result<Exit, CliError> {
    if !cli.filenames.is_empty() {
        return Err(CliError::WatchNeedsCluster);
    }
    refuse_shape(cli)?;
    let json = match cli.output.format {
        OutputFormat::Json => true,
        OutputFormat::Table | OutputFormat::Wide => false,
        OutputFormat::Yaml => return Err(CliError::WatchFormat("yaml")),
        OutputFormat::Zone => return Err(CliError::ExplainFormat),
    };
    let mut last: Option<AnswerSummary> = None;
    let ended = watch(
        cli,
        // The name may point anywhere, as for the one-shot explain: every namespace.
        |_| LiveQuery {
            namespace: None,
            targets: Vec::new(),
            paging: source::Paging::chunks(cli.chunk_size),
        },
        |update, namespace| {
            let snapshot = match update {
                WatchUpdate::Snapshot(loaded) => loaded.snapshot,
                WatchUpdate::Interrupted { resource, error } => {
                    warn(&format!("watching {resource} failed, retrying: {error}"));
                    return Ok(Flow::Continue);
                }
                // explain names no target: nothing can go away.
                WatchUpdate::TargetGone(_) => return Ok(Flow::Continue),
            };
            let trace =
                super::explain::trace(cli, args, namespace, &snapshot, pod_name.as_deref())?;
            let summary = render::summarize(&trace);
            if last.as_ref() != Some(&summary) {
                let time = rfc3339(SystemTime::now());
                render::answer_line(&trace.asked, &summary, &time, json, out)
                    .map_err(CliError::Io)?;
                out.flush().map_err(CliError::Io)?;
            }
            let resolves = summary.resolves;
            last = Some(summary);
            Ok(if args.until_resolves && resolves {
                Flow::Stop(Exit::Success)
            } else {
                Flow::Continue
            })
        },
    )?;
    let resolves = last.is_some_and(|s| s.resolves);
    Ok(match ended {
        Ended::Stopped(exit) => exit,
        Ended::Timeout | Ended::Interrupted if args.until_resolves || !resolves => Exit::Unresolved,
        Ended::Timeout | Ended::Interrupted => Exit::Success,
    })
}

/// The notes of the snapshots (forbidden lists, assumed Corefile, skipped objects): on stderr,
/// each once, so the output stays the stream of changes.
#[derive(Default)]
struct Notes {
    said: BTreeSet<String>,
}

impl Notes {
    fn say(&mut self, note: &Note) {
        if self.said.insert(note.message.clone()) {
            let level = match note.level {
                NoteLevel::Info => "note",
                NoteLevel::Warning => "warning",
            };
            let _ = writeln!(
                std::io::stderr(),
                "{level}: {}",
                escape::terminal(&note.message)
            );
        }
    }
}

/// What the header says is watched.
fn subject(cli: &Cli, targets: &[Target], namespace: &str) -> String {
    let what = if targets.is_empty() {
        "every Service".to_string()
    } else {
        targets
            .iter()
            .map(|t| match t {
                Target::Service(name) => format!("svc/{name}"),
                Target::StatefulSet(name) => format!("sts/{name}"),
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    if cli.all_namespaces {
        format!("{what} in every namespace")
    } else {
        format!("{what} in {namespace}")
    }
}

/// When each record appeared and each absent name went missing, for `-o wide`.
#[derive(Default)]
struct Timeline {
    records: BTreeMap<String, SystemTime>,
    absent: BTreeMap<String, SystemTime>,
}

impl Timeline {
    /// Keeps the times of what is still there, starts the clock for what is new.
    fn update(&mut self, view: &WatchView, now: SystemTime) {
        let records: Vec<String> = view.records.iter().map(render::record_key).collect();
        self.records.retain(|key, _| records.contains(key));
        for key in records {
            self.records.entry(key).or_insert(now);
        }
        let absent: Vec<String> = view.absent().into_iter().map(render::name_key).collect();
        self.absent.retain(|key, _| absent.contains(key));
        for key in absent {
            self.absent.entry(key).or_insert(now);
        }
    }

    /// The text of the time line: a record's time of appearance, an absent name's duration.
    fn shown(&self, now: SystemTime) -> BTreeMap<String, String> {
        let mut shown: BTreeMap<String, String> = self
            .records
            .iter()
            .map(|(key, since)| (key.clone(), rfc3339(*since)))
            .collect();
        for (key, since) in &self.absent {
            let elapsed = now.duration_since(*since).unwrap_or_default();
            shown.insert(key.clone(), whole_seconds(elapsed));
        }
        shown
    }
}

/// `0s`, `12s`, `3m`, `1h` — whole seconds, as the header's clock counts them.
fn whole_seconds(duration: Duration) -> String {
    let seconds = duration.as_secs();
    if seconds == 0 {
        "0s".to_string()
    } else {
        source::format_duration(Duration::from_secs(seconds))
    }
}

/// RFC 3339 in UTC with milliseconds: `2026-12-01T11:40:03.120Z`.
pub(crate) fn rfc3339(time: SystemTime) -> String {
    let since_epoch = time.duration_since(UNIX_EPOCH).unwrap_or_default();
    let seconds = since_epoch.as_secs();
    let days = i64::try_from(seconds / 86_400).unwrap_or(0);
    let (year, month, day) = civil_from_days(days);
    let of_day = seconds % 86_400;
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:03}Z",
        of_day / 3600,
        of_day / 60 % 60,
        of_day % 60,
        since_epoch.subsec_millis()
    )
}

/// Days since 1970-01-01 → (year, month, day) in the proleptic Gregorian calendar: Howard
/// Hinnant's `civil_from_days`, which counts in 400-year eras of 146097 days from 0000-03-01.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let mp = (5 * day_of_year + 2) / 153;
    let day = u32::try_from(day_of_year - (153 * mp + 2) / 5 + 1).unwrap_or(1);
    let month = u32::try_from(if mp < 10 { mp + 3 } else { mp - 9 }).unwrap_or(1);
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// kubectl's shaped outputs have no streaming form: a watch would have to re-run the template
/// per change, and a script reading JSON Lines gets every field already.
fn refuse_shape(cli: &Cli) -> Result<(), CliError> {
    match &cli.output.shape {
        Some(_) => Err(CliError::FlagFormat {
            flag: "--watch",
            format: super::shape::format_name(cli),
            why: "a watch prints table, wide or json (JSON Lines)",
        }),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_rfc3339_utc_with_milliseconds() {
        let at = |seconds: u64, millis: u64| {
            rfc3339(UNIX_EPOCH + Duration::from_secs(seconds) + Duration::from_millis(millis))
        };
        assert_eq!(at(0, 0), "1970-01-01T00:00:00.000Z");
        // 2000-02-29: a leap day of a year divisible by 400.
        assert_eq!(at(951_782_400, 5), "2000-02-29T00:00:00.005Z");
        assert_eq!(at(1_795_864_803, 120), "2026-11-28T11:20:03.120Z");
        assert_eq!(at(4_107_542_399, 999), "2100-02-28T23:59:59.999Z");
    }

    #[test]
    fn durations_count_whole_seconds() {
        assert_eq!(whole_seconds(Duration::from_millis(400)), "0s");
        assert_eq!(whole_seconds(Duration::from_millis(12_700)), "12s");
        assert_eq!(whole_seconds(Duration::from_secs(180)), "3m");
    }
}
