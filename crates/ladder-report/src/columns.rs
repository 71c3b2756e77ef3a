//! Reading result-table columns as plain vectors (nulls as empty strings or NaN).

use polars::prelude::*;

use crate::ReportError;

/// Values of a string column, nulls as empty strings.
pub fn strings(df: &DataFrame, name: &str) -> Result<Vec<String>, ReportError> {
    let c = df.column(name)?.str()?.clone();
    Ok((0..c.len()).map(|i| c.get(i).unwrap_or_default().to_string()).collect())
}

/// Values of a numeric column as f64, nulls as NaN.
pub fn floats(df: &DataFrame, name: &str) -> Result<Vec<f64>, ReportError> {
    let c = df.column(name)?.cast(&DataType::Float64)?;
    let c = c.f64()?;
    Ok((0..c.len()).map(|i| c.get(i).unwrap_or(f64::NAN)).collect())
}

/// Distinct values in order of first appearance.
pub fn distinct(values: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for v in values {
        if !out.contains(v) {
            out.push(v.clone());
        }
    }
    out
}

/// The rows of `df` whose string column `name` equals `value`.
pub fn rows_where(df: &DataFrame, name: &str, value: &str) -> Result<DataFrame, ReportError> {
    let mask: BooleanChunked = strings(df, name)?.iter().map(|v| v == value).collect();
    Ok(df.filter(&mask)?)
}
