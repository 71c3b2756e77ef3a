//! Reports: figures (plotters, PNG and SVG) and Markdown tables, from plain data.
//!
//! * [`chart`]: figures as data (panels of line and point series) rendered to PNG and SVG.
//! * [`markdown`]: prediction tables pivoted into the paper's layout.
//! * [`decision`]: the summary of a recipe decision.
//! * [`columns`]: reading result-table columns as plain vectors.
//!
//! Nothing here fits or predicts: callers turn their results into [`chart::Figure`]s.

pub mod chart;
pub mod columns;
pub mod decision;
pub mod markdown;

/// Errors of rendering or reading a table.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// Drawing failed.
    #[error("drawing {path}: {message}")]
    Draw {
        /// The file being drawn.
        path: std::path::PathBuf,
        /// The backend's message.
        message: String,
    },
    /// A table lacks a column or has the wrong type.
    #[error("table error: {0}")]
    Table(#[from] polars::prelude::PolarsError),
}
