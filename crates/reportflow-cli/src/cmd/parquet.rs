//! `reportflow parquet check DIR`: reads a Parquet sink's dataset directory back with the arrow
//! reader and prints, per dataset, its files, rows and distinct keys (`doc_id`;
//! `(doc_id, section_id)`; `indicator_id`), with examples of repeated keys and overlapping
//! offset ranges. Exits 0 when every row is unique by its key, 1 otherwise: what an operator
//! runs before pointing a warehouse loader at the directory.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;

/// Arguments of `reportflow parquet`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// What to do.
    #[command(subcommand)]
    pub action: Action,
}

/// The `parquet` subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum Action {
    /// Count rows, distinct keys and files of a dataset directory (exit 1 on duplicates).
    Check {
        /// The directory the sink writes (its `--dir`), holding documents/, sections/ and
        /// indicators/.
        #[arg(value_name = "DIR")]
        dir: PathBuf,
    },
}

/// Runs `reportflow parquet`.
pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    match &args.action {
        Action::Check { dir } => {
            let report = reportflow_sink_parquet::check(dir)
                .with_context(|| format!("checking {}", dir.display()))?;
            print!("{report}");
            Ok(if report.is_ok() {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            })
        }
    }
}
