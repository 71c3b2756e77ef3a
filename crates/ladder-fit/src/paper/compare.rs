//! Agreement of reproduced tables with the published ones.

use std::path::Path;

use ladder_core::LadderError;
use polars::prelude::*;

use super::PaperTable;
use crate::predict::Result;

/// For every numeric column of every paper table (one of [`super::TABLE_NAMES`]; others such as
/// `fit_diagnostics` have no published counterpart) against `published_dir/<name>.csv`, the
/// largest absolute difference and the row where it occurs (empty when the column agrees
/// exactly). Tables must list the same rows in the same order; a missing published file is an
/// error naming it.
pub fn compare_with_published(tables: &[PaperTable], published_dir: &Path) -> Result<DataFrame> {
    let (mut table, mut column, mut diff, mut worst) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for t in tables {
        if !super::TABLE_NAMES.contains(&t.name) {
            continue;
        }
        let path = published_dir.join(format!("{}.csv", t.name));
        if !path.is_file() {
            return Err(LadderError::Io {
                path,
                source: std::io::Error::new(std::io::ErrorKind::NotFound, "the published table to compare with does not exist"),
            }
            .into());
        }
        let published = CsvReadOptions::default()
            .with_has_header(true)
            .try_into_reader_with_file_path(Some(path.clone()))
            .and_then(|r| r.finish())
            .map_err(ladder_io::table_error)?;
        let key = |df: &DataFrame| -> Result<Vec<String>> {
            let first = &df.columns()[0];
            let names = first.str().map_err(ladder_io::table_error)?;
            Ok((0..names.len()).map(|i| names.get(i).unwrap_or_default().to_string()).collect())
        };
        let (ours_rows, published_rows) = (key(&t.frame)?, key(&published)?);
        if ours_rows != published_rows {
            return Err(LadderError::Malformed {
                path,
                line: 0,
                message: format!("rows {published_rows:?} differ from the reproduced rows {ours_rows:?}"),
            }
            .into());
        }
        for c in t.frame.columns().iter().skip(1) {
            let Ok(p) = published.column(c.name()).and_then(|p| p.cast(&DataType::Float64)) else { continue };
            let (ours, theirs) = (c.f64().map_err(ladder_io::table_error)?, p.f64().map_err(ladder_io::table_error)?);
            let (row, d) = (0..ours.len())
                .map(|i| match (ours.get(i), theirs.get(i)) {
                    (Some(a), Some(b)) => (i, (a - b).abs()),
                    _ => (i, f64::NAN),
                })
                .fold((0, 0.0f64), |best, cur| if cur.1 > best.1 || cur.1.is_nan() { cur } else { best });
            table.push(t.name);
            column.push(c.name().to_string());
            diff.push(d);
            worst.push(if d > 0.0 { ours_rows.get(row).cloned().unwrap_or_default() } else { String::new() });
        }
    }
    Ok(df!("table" => table, "column" => column, "max_abs_diff" => diff, "worst_row" => worst).map_err(ladder_io::table_error)?)
}
