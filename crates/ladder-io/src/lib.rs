//! Ladder data on disk, in the vocabulary of `ladder-core`.
//!
//! * [`olmo`]: the OLMo-ladder data format (a wide CSV per run, JSON configs grouping runs into
//!   entries), read and written, its column names and config keys in one place.
//! * [`table`] (feature `table`, on by default): the long run table and CSV/Parquet reading and
//!   writing of polars tables.

pub mod olmo;
#[cfg(feature = "table")]
pub mod table;

/// A failed polars operation as a [`ladder_core::LadderError`].
#[cfg(feature = "table")]
pub fn table_error(e: polars::prelude::PolarsError) -> ladder_core::LadderError {
    ladder_core::LadderError::Table(e.to_string())
}
