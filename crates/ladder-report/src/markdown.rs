//! Markdown tables from prediction tables.

use polars::prelude::*;

use ladder_core::{Ladder, LadderError};

use crate::columns::{distinct, floats, strings};
use crate::ReportError;

/// Pivots a prediction table (columns `design`, `task`, `target`, `abs_rel_error`) into the
/// paper's layout: per target, tasks × designs of |relative error| in percent, with the mean over
/// tasks as the last row (— where a design failed).
pub fn error_pivot(predictions: &DataFrame) -> Result<String, ReportError> {
    pivot(predictions, "abs_rel_error", "|relative error| of the predicted accuracy (%)")
}

/// As [`error_pivot`], of the absolute error in accuracy points (column `abs_error`, × 100): the
/// paper's "within 2 points".
pub fn points_pivot(predictions: &DataFrame) -> Result<String, ReportError> {
    pivot(predictions, "abs_error", "|predicted − actual| accuracy (points)")
}

fn pivot(predictions: &DataFrame, column: &str, title: &str) -> Result<String, ReportError> {
    let (designs, tasks, targets) = (strings(predictions, "design")?, strings(predictions, "task")?, strings(predictions, "target")?);
    let errors = predictions.column(column)?.f64()?.clone();
    let errors: Vec<Option<f64>> = (0..errors.len()).map(|i| errors.get(i).map(f64::abs)).collect();
    let (design_order, task_order, target_order) = (distinct(&designs), distinct(&tasks), distinct(&targets));
    let lookup = |d: &str, t: &str, g: &str| {
        (0..designs.len()).find(|&i| designs[i] == d && tasks[i] == t && targets[i] == g).and_then(|i| errors[i]).filter(|v| v.is_finite())
    };
    let mut md = String::new();
    for target in &target_order {
        md.push_str(&format!(
            "### {target}: {title}\n\n| task | {} |\n|---|{}\n",
            design_order.join(" | "),
            "---|".repeat(design_order.len())
        ));
        for task in &task_order {
            let cells: Vec<String> =
                design_order.iter().map(|d| lookup(d, task, target).map_or("—".into(), |v| format!("{:.1}", 100.0 * v))).collect();
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

/// Per target: tasks × (actual, each design's prediction with its 90 % delta-method interval) of
/// a prediction table (columns `design`, `task`, `target`, `predicted`, `actual`, `delta_lo`,
/// `delta_hi`, `delta_se`). The actual value is the same for every design of a task (— where none
/// is known). A prediction with a standard error but no interval lies outside the task's accuracy
/// range and is marked "outside range".
pub fn predicted_vs_actual(predictions: &DataFrame) -> Result<String, ReportError> {
    let (designs, tasks, targets) = (strings(predictions, "design")?, strings(predictions, "task")?, strings(predictions, "target")?);
    let (predicted, actual) = (floats(predictions, "predicted")?, floats(predictions, "actual")?);
    let (lo, hi, se) = (floats(predictions, "delta_lo")?, floats(predictions, "delta_hi")?, floats(predictions, "delta_se")?);
    let (design_order, task_order) = (distinct(&designs), distinct(&tasks));
    let row = |d: &str, t: &str, g: &str| (0..designs.len()).find(|&i| designs[i] == d && tasks[i] == t && targets[i] == g);
    let number = |v: f64| if v.is_finite() { format!("{v:.3}") } else { "—".into() };
    let mut md = String::new();
    for target in distinct(&targets) {
        md.push_str(&format!(
            "### {target}: predicted vs actual accuracy (90 % delta-method interval)\n\n| task | actual | {} |\n|---|---|{}\n",
            design_order.join(" | "),
            "---|".repeat(design_order.len())
        ));
        for task in &task_order {
            let known = design_order.iter().filter_map(|d| row(d, task, &target)).map(|i| actual[i]).find(|v| v.is_finite());
            let cells: Vec<String> = design_order
                .iter()
                .map(|d| match row(d, task, &target) {
                    Some(i) if predicted[i].is_finite() && lo[i].is_finite() => {
                        format!("{} ({}–{})", number(predicted[i]), number(lo[i]), number(hi[i]))
                    }
                    Some(i) if predicted[i].is_finite() && se[i].is_finite() => format!("{} (outside range)", number(predicted[i])),
                    Some(i) => number(predicted[i]),
                    None => "—".into(),
                })
                .collect();
            md.push_str(&format!("| {task} | {} | {} |\n", known.map_or("—".into(), number), cells.join(" | ")));
        }
        md.push('\n');
    }
    Ok(md)
}

/// The ladder's training compute against each target's (FLOPs per token × tokens, method.md §7):
/// the share the method spends to predict the target.
pub fn compute_share(ladder: &Ladder, targets: &[String]) -> Result<String, LadderError> {
    let runs: usize = ladder.train_entries().map(|e| e.runs.len()).sum();
    let spent = ladder.train_compute();
    let mut md =
        format!("### Compute\n\nThe ladder: {runs} runs, {spent:.3e} FLOPs.\n\n| target | FLOPs | ladder / target |\n|---|---|---|\n");
    for target in targets {
        let flops = ladder.entry(target)?.compute();
        md.push_str(&format!("| {target} | {flops:.3e} | {:.1} % |\n", 100.0 * spent / flops));
    }
    md.push('\n');
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
    let mut md =
        String::from("### Actual values inside the intervals\n\n| design | target | delta method | bootstrap |\n|---|---|---|---|\n");
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

/// A projection table (`ladder_fit::project::project`) as Markdown: per design, target and task
/// the feature and accuracy predicted with its intervals (confidence, bootstrap when drawn,
/// prediction; "uninformative" where the prediction leaves the accuracy range) and its trust
/// verdict with the reasons.
pub fn projections(table: &DataFrame, level: f64) -> Result<String, ReportError> {
    let (designs, tasks, targets) = (strings(table, "design")?, strings(table, "task")?, strings(table, "target")?);
    let (feature, predicted) = (floats(table, "feature_predicted")?, floats(table, "predicted")?);
    let (ci_lo, ci_hi, pi_lo, pi_hi) = (floats(table, "ci_lo")?, floats(table, "ci_hi")?, floats(table, "pi_lo")?, floats(table, "pi_hi")?);
    let (boot_lo, boot_hi) = (floats(table, "boot_lo")?, floats(table, "boot_hi")?);
    let (verdicts, reasons) = (strings(table, "verdict")?, strings(table, "reasons")?);
    let bootstrapped = boot_lo.iter().any(|v| v.is_finite());
    let pct = (100.0 * level).round();
    let boot_head = if bootstrapped { format!(" {pct} % bootstrap |") } else { String::new() };
    let mut md = format!(
        "### Projections (no trained target)\n\n| design | target | task | feature predicted | accuracy | {pct} % confidence |{boot_head} {pct} % prediction (one run) | trust | why |\n|---|---|---|---|---|---|{}---|---|---|\n",
        if bootstrapped { "---|" } else { "" }
    );
    let band = |lo: f64, hi: f64| if lo.is_finite() { format!("{lo:.3}–{hi:.3}") } else { "uninformative".into() };
    for i in 0..tasks.len() {
        let boot = if bootstrapped { format!(" {} |", band(boot_lo[i], boot_hi[i])) } else { String::new() };
        md.push_str(&format!(
            "| {} | {} | {} | {:.4} | {:.3} | {} |{boot} {} | {} | {} |\n",
            designs[i],
            targets[i],
            tasks[i],
            feature[i],
            predicted[i],
            band(ci_lo[i], ci_hi[i]),
            band(pi_lo[i], pi_hi[i]),
            verdicts[i],
            reasons[i]
        ));
    }
    md.push('\n');
    Ok(md)
}

/// Per design: how the trust verdicts of a prediction table with actual values (columns
/// `design`, `verdict`, `abs_error`) turned out: predictions, how many within 2 points, and the
/// mean |error| in points, per verdict.
pub fn trust_summary(predictions: &DataFrame) -> Result<String, ReportError> {
    let (designs, verdicts, errors) =
        (strings(predictions, "design")?, strings(predictions, "verdict")?, floats(predictions, "abs_error")?);
    let order = ["good", "caution", "weak", "unusable"];
    let mut md = String::from("### Which predictions to trust\n\nEach prediction's verdict (from the ladder alone, before its target is seen) against the error it then has: predictions, within 2 points, mean |error| (points).\n\n| design | ");
    md.push_str(&order.join(" | "));
    md.push_str(" |\n|---|");
    md.push_str(&"---|".repeat(order.len()));
    md.push('\n');
    for design in distinct(&designs) {
        let cells: Vec<String> = order
            .iter()
            .map(|v| {
                let e: Vec<f64> =
                    (0..designs.len()).filter(|&i| designs[i] == design && verdicts[i] == *v).map(|i| errors[i].abs()).collect();
                let known: Vec<f64> = e.iter().copied().filter(|x| x.is_finite()).collect();
                if e.is_empty() {
                    "—".into()
                } else if known.is_empty() {
                    format!("{}", e.len())
                } else {
                    let within = known.iter().filter(|&&x| x <= 0.02).count();
                    format!("{}: {within} within 2, {:.1}", e.len(), 100.0 * known.iter().sum::<f64>() / known.len() as f64)
                }
            })
            .collect();
        md.push_str(&format!("| {design} | {} |\n", cells.join(" | ")));
    }
    md.push('\n');
    Ok(md)
}

/// The signal-to-noise table (`ladder_fit::snr::snr_table`: `task`, `acc_signal`, `acc_noise`,
/// `acc_snr`, `bpb_snr`, `runs`) as Markdown, with how to read it.
pub fn snr_summary(snr: &DataFrame) -> Result<String, ReportError> {
    let tasks = strings(snr, "task")?;
    let (signal, noise, acc, bpb) =
        (floats(snr, "acc_signal")?, floats(snr, "acc_noise")?, floats(snr, "acc_snr")?, floats(snr, "bpb_snr")?);
    let mut md = String::from(
        "### Signal and noise per task (final scores of the ladder's runs)\n\nSignal: (max − min) / mean of the runs' final accuracy; noise: SD / mean over each run's last 3 checkpoints, averaged (an upper bound: it includes the end of the learning curve). A task with accuracy SNR near 1 cannot be told apart across the ladder.\n\n| task | acc signal | acc noise | acc SNR | bpb SNR |\n|---|---|---|---|---|\n",
    );
    for i in 0..tasks.len() {
        md.push_str(&format!("| {} | {:.3} | {:.4} | {:.1} | {:.1} |\n", tasks[i], signal[i], noise[i], acc[i], bpb[i]));
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

    #[test]
    fn lists_actual_and_each_designs_prediction_with_its_interval() {
        let df = df!(
            "design" => ["a", "b", "a", "b", "a"],
            "task" => ["t1", "t1", "t2", "t2", "t3"],
            "target" => ["7B", "7B", "7B", "7B", "7B"],
            "predicted" => [0.5, 0.6, 0.7, f64::NAN, 1.2],
            "actual" => [0.55, 0.55, 0.65, 0.65, 0.7],
            "delta_lo" => [0.4, f64::NAN, 0.6, f64::NAN, f64::NAN],
            "delta_hi" => [0.6, f64::NAN, 0.8, f64::NAN, f64::NAN],
            "delta_se" => [0.05, f64::NAN, 0.05, f64::NAN, 0.1]
        )
        .unwrap();
        let md = predicted_vs_actual(&df).unwrap();
        assert!(md.contains("| task | actual | a | b |"), "{md}");
        assert!(md.contains("| t1 | 0.550 | 0.500 (0.400–0.600) | 0.600 |"), "{md}");
        assert!(md.contains("| t2 | 0.650 | 0.700 (0.600–0.800) | — |"), "{md}");
        assert!(md.contains("| t3 | 0.700 | 1.200 (outside range) | — |"), "{md}");
    }

    #[test]
    fn compute_share_sums_flops_per_token_times_final_tokens_of_the_train_runs() {
        use ladder_core::{Checkpoints, Entry, Mode, Run};
        let run = |name: &str, tokens: f64| {
            Run::new(name, name, Checkpoints { steps: None, tokens: vec![tokens / 2.0, tokens], metrics: vec![] })
        };
        let entry = |name: &str, mode, flops_per_token, runs| Entry { name: name.into(), mode, n: 1.0, flops_per_token, runs };
        let ladder = Ladder {
            entries: vec![
                entry("small", Mode::Train, 10.0, vec![run("s1", 100.0), run("s2", 200.0)]),
                entry("big", Mode::Eval, 1000.0, vec![run("b", 300.0)]),
            ],
        };
        let md = compute_share(&ladder, &["big".to_string()]).unwrap();
        assert!(md.contains("2 runs, 3.000e3 FLOPs"), "{md}");
        assert!(md.contains("| big | 3.000e5 | 1.0 % |"), "{md}");
        assert!(compute_share(&ladder, &["huge".to_string()]).is_err());
    }
}
