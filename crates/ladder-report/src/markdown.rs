//! Markdown tables from prediction tables.

use polars::prelude::*;

use crate::columns::{distinct, strings};
use crate::ReportError;

/// Pivots a prediction table (columns `design`, `task`, `target`, `abs_rel_error`) into the
/// paper's layout: per target, tasks × designs of |relative error| in percent, with the mean over
/// tasks as the last row (— where a design failed).
pub fn error_pivot(predictions: &DataFrame) -> Result<String, ReportError> {
    let (designs, tasks, targets) = (strings(predictions, "design")?, strings(predictions, "task")?, strings(predictions, "target")?);
    let errors = predictions.column("abs_rel_error")?.f64()?.clone();
    let (design_order, task_order, target_order) = (distinct(&designs), distinct(&tasks), distinct(&targets));
    let lookup = |d: &str, t: &str, g: &str| {
        (0..designs.len()).find(|&i| designs[i] == d && tasks[i] == t && targets[i] == g).and_then(|i| errors.get(i)).filter(|v| v.is_finite())
    };
    let mut md = String::new();
    for target in &target_order {
        md.push_str(&format!(
            "### {target}: |relative error| of the predicted accuracy (%)\n\n| task | {} |\n|---|{}\n",
            design_order.join(" | "),
            "---|".repeat(design_order.len())
        ));
        for task in &task_order {
            let cells: Vec<String> = design_order.iter().map(|d| lookup(d, task, target).map_or("—".into(), |v| format!("{:.1}", 100.0 * v))).collect();
            md.push_str(&format!("| {task} | {} |\n", cells.join(" | ")));
        }
        let means: Vec<String> = design_order
            .iter()
            .map(|d| {
                let v: Vec<f64> = task_order.iter().filter_map(|t| lookup(d, t, target)).collect();
                if v.len() == task_order.len() {
                    format!("**{:.1}**", 100.0 * v.iter().sum::<f64>() / v.len() as f64)
                } else {
                    "—".into()
                }
            })
            .collect();
        md.push_str(&format!("| mean | {} |\n\n", means.join(" | ")));
    }
    Ok(md)
}

/// Per design and target: how many actual values fall inside the delta-method and bootstrap
/// intervals (columns `in_delta`, `in_boot` of a prediction table), and, with a coverage backtest
/// table, the empirical coverage of each design's intervals next to the nominal level.
pub fn interval_summary(predictions: &DataFrame, coverage: Option<&DataFrame>) -> Result<String, ReportError> {
    let (designs, targets) = (strings(predictions, "design")?, strings(predictions, "target")?);
    let flags = |df: &DataFrame, name: &str| -> Result<Vec<Option<bool>>, ReportError> {
        let c = df.column(name)?.bool()?.clone();
        Ok((0..c.len()).map(|i| c.get(i)).collect())
    };
    let count = |rows: &[usize], v: &[Option<bool>]| {
        let known: Vec<bool> = rows.iter().filter_map(|&i| v[i]).collect();
        if known.is_empty() {
            "—".to_string()
        } else {
            format!("{} / {}", known.iter().filter(|b| **b).count(), known.len())
        }
    };
    let (in_delta, in_boot) = (flags(predictions, "in_delta")?, flags(predictions, "in_boot")?);
    let mut md = String::from("### Actual values inside the intervals\n\n| design | target | delta method | bootstrap |\n|---|---|---|---|\n");
    for design in distinct(&designs) {
        for target in distinct(&targets) {
            let rows: Vec<usize> = (0..designs.len()).filter(|&i| designs[i] == design && targets[i] == target).collect();
            md.push_str(&format!("| {design} | {target} | {} | {} |\n", count(&rows, &in_delta), count(&rows, &in_boot)));
        }
    }
    if let Some(cov) = coverage {
        let (d, level) = (strings(cov, "design")?, cov.column("level")?.f64()?.get(0).unwrap_or(f64::NAN));
        let (dc, bc) = (flags(cov, "delta_covers")?, flags(cov, "boot_covers")?);
        let held = strings(cov, "held_out")?.first().cloned().unwrap_or_default();
        md.push_str(&format!(
            "\n### Coverage backtest: {held} held out, its runs as pseudo-targets (nominal {:.0} %)\n\n| design | delta method | bootstrap |\n|---|---|---|\n",
            100.0 * level
        ));
        for design in distinct(&d) {
            let rows: Vec<usize> = (0..d.len()).filter(|&i| d[i] == design).collect();
            md.push_str(&format!("| {design} | {} | {} |\n", count(&rows, &dc), count(&rows, &bc)));
        }
    }
    md.push('\n');
    Ok(md)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pivots_tasks_by_designs_per_target() {
        let df = df!(
            "design" => ["a", "b", "a", "b"],
            "task" => ["t1", "t1", "t2", "t2"],
            "target" => ["7B", "7B", "7B", "7B"],
            "abs_rel_error" => [0.01, 0.02, 0.03, f64::NAN]
        )
        .unwrap();
        let md = error_pivot(&df).unwrap();
        assert!(md.contains("| task | a | b |"), "{md}");
        assert!(md.contains("| t1 | 1.0 | 2.0 |") && md.contains("| t2 | 3.0 | — |"), "{md}");
        assert!(md.contains("| mean | **2.0** | — |"), "{md}");
    }
}
