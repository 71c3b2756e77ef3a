//! Figures of what the paper plots, built from fits and result tables (rendered by
//! ladder-report): step 1, step 2, chained predictions, variance, error vs compute.

use ladder_fit::PAPER_WINDOW;
use std::path::{Path, PathBuf};

use anyhow::Context;
use ladder_core::{Entry, Feature, Ladder, Mode, Task};
use ladder_fit::design::FittedDesign;
use ladder_fit::points::{ladder_final_points, ladder_step2_points, CheckpointPolicy};
use ladder_fit::predict::Target;
use ladder_report::chart::{Figure, Mark, Panel, Series};
use ladder_report::columns::{distinct, floats, strings};
use polars::prelude::*;

/// Shortens a task key for panel titles (`hellaswag_val_5shot` → `hellaswag_val`).
fn short(task: &str) -> &str {
    task.strip_suffix("_5shot").unwrap_or(task)
}

/// Step 1 and step 2 of the paper's design for every task, with the target marked: `fits[i]`
/// is the two-step bpb design fitted for `tasks[i]`.
pub fn paper_fits(ladder: &Ladder, tasks: &[Task], fits: &[FittedDesign], target: &Entry, dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let t = Target::of(target);
    let sizes: Vec<&Entry> = ladder.entries.iter().filter(|e| e.mode == Mode::Train).collect();
    let mut step1_panels = Vec::new();
    let mut step2_panels = Vec::new();
    for (task, fitted) in tasks.iter().zip(fits) {
        let step1 = |n: f64, d: f64| fitted.prediction(&Target { n, d, ..t.clone() }).feature.expect("a two-step design");
        let step2 = |x: f64| fitted.accuracy_at(x).expect("a two-step design");
        let final_points = ladder_final_points(ladder, task, Feature::RcBpb, PAPER_WINDOW)?;
        let mut series = Vec::new();
        for (i, size) in sizes.iter().enumerate() {
            let points: Vec<(f64, f64)> = final_points.iter().filter(|p| p.n == size.n).map(|p| (p.d, p.y)).collect();
            let d_min = points.iter().map(|p| p.0).fold(f64::INFINITY, f64::min);
            let curve = (0..=40).map(|k| d_min * (t.d / d_min).powf(k as f64 / 40.0)).map(|d| (d, step1(size.n, d))).collect();
            series.push(Series { label: Some(size.name.clone()), points, mark: Mark::Points, color: i });
            series.push(Series { label: None, points: curve, mark: Mark::Line, color: i });
        }
        let target_curve = (0..=20).map(|k| t.d / 20.0 * (20f64).powf(k as f64 / 20.0)).map(|d| (d, step1(t.n, d))).collect();
        series.push(Series { label: Some(format!("{} fit", t.name)), points: target_curve, mark: Mark::Line, color: 7 });
        let actual = Target::observed(target, task, Feature::RcBpb, PAPER_WINDOW)?;
        series.push(Series { label: Some(format!("{} actual", t.name)), points: vec![(t.d, actual)], mark: Mark::Cross, color: 4 });
        step1_panels.push(Panel {
            title: short(&task.key).into(),
            x_label: "tokens D".into(),
            y_label: "task loss (bpb)".into(),
            log_x: true,
            series,
        });

        let (xs, ys) = ladder_step2_points(ladder, task, Feature::RcBpb, Feature::RcAcc, &CheckpointPolicy::paper())?;
        let x_target = Target::observed(target, task, Feature::RcBpb, PAPER_WINDOW)?;
        let y_target = Target::observed(target, task, Feature::RcAcc, PAPER_WINDOW)?;
        let predicted = step1(t.n, t.d);
        let (lo, hi) =
            xs.iter().chain([&x_target, &predicted]).fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| (a.min(*v), b.max(*v)));
        let curve = (0..=60).map(|k| lo + (hi - lo) * k as f64 / 60.0).map(|x| (x, step2(x))).collect();
        step2_panels.push(Panel {
            title: short(&task.key).into(),
            x_label: "task loss (bpb)".into(),
            y_label: "accuracy".into(),
            log_x: false,
            series: vec![
                Series { label: Some("ladder checkpoints".into()), points: xs.into_iter().zip(ys).collect(), mark: Mark::Points, color: 9 },
                Series { label: Some("sigmoid fit".into()), points: curve, mark: Mark::Line, color: 0 },
                Series { label: Some(format!("{} actual", t.name)), points: vec![(x_target, y_target)], mark: Mark::Cross, color: 1 },
                Series {
                    label: Some("chained prediction".into()),
                    points: vec![(predicted, step2(predicted))],
                    mark: Mark::Cross,
                    color: 2,
                },
            ],
        });
    }
    let mut written = Vec::new();
    let step1 = Figure {
        title: format!("Step 1: task loss vs tokens, fitted L(N, D); target {}", t.name),
        panels: step1_panels,
        columns: 3,
        shared_legend: true,
    };
    written.extend(step1.render(&dir.join("step1"))?);
    let step2 = Figure {
        title: format!("Step 2: accuracy vs task loss, fitted sigmoid; target {}", t.name),
        panels: step2_panels,
        columns: 3,
        shared_legend: true,
    };
    written.extend(step2.render(&dir.join("step2"))?);
    Ok(written)
}

/// Predicted vs actual accuracy, one panel per target, one colour per design.
pub fn predicted_vs_actual(predictions: &DataFrame, dir: &Path, stem: &str) -> anyhow::Result<Vec<PathBuf>> {
    let (designs, targets) = (strings(predictions, "design")?, strings(predictions, "target")?);
    let (pred, actual) = (floats(predictions, "predicted")?, floats(predictions, "actual")?);
    let column = |name: &str| -> anyhow::Result<Vec<f64>> {
        Ok(if predictions.column(name).is_ok() { floats(predictions, name)? } else { vec![f64::NAN; pred.len()] })
    };
    let (boot_lo, boot_hi, delta_lo, delta_hi) = (column("boot_lo")?, column("boot_hi")?, column("delta_lo")?, column("delta_hi")?);
    let panels = distinct(&targets)
        .into_iter()
        .map(|target| {
            let rows: Vec<usize> = (0..targets.len()).filter(|&i| targets[i] == target).collect();
            let (lo, hi) = rows
                .iter()
                .flat_map(|&i| [pred[i], actual[i]])
                .filter(|v| v.is_finite())
                .fold((1.0f64, 0.0f64), |(a, b), v| (a.min(v), b.max(v)));
            let mut series = vec![Series {
                label: Some("perfect".into()),
                points: vec![(lo, lo), (hi, hi)],
                mark: Mark::Line,
                color: PERFECT_LINE_COLOR,
            }];
            for (k, design) in distinct(&designs).iter().enumerate() {
                let mine: Vec<usize> = rows.iter().copied().filter(|&i| &designs[i] == design).collect();
                let points = mine.iter().map(|&i| (actual[i], pred[i])).collect();
                series.push(Series { label: Some(design.clone()), points, mark: Mark::Points, color: k });
                // Error bars: the bootstrap interval where there is one, else the delta method's.
                let bars = mine
                    .iter()
                    .filter_map(|&i| {
                        let (lo, hi) = if boot_lo[i].is_finite() { (boot_lo[i], boot_hi[i]) } else { (delta_lo[i], delta_hi[i]) };
                        // Accuracy lives in [0, 1]; a delta-method interval can run far past it.
                        (lo.is_finite() && hi.is_finite()).then_some([(actual[i], lo.clamp(0.0, 1.0)), (actual[i], hi.clamp(0.0, 1.0))])
                    })
                    .flatten()
                    .collect();
                series.push(Series { label: None, points: bars, mark: Mark::Segments, color: k });
            }
            Panel {
                title: format!("target {target}"),
                x_label: "actual accuracy".into(),
                y_label: "predicted accuracy".into(),
                log_x: false,
                series,
            }
        })
        .collect();
    let figure = Figure {
        title: "Prediction vs actual (one point per task; bars: bootstrap or delta-method interval, clipped to [0, 1])".into(),
        panels,
        columns: 3,
        shared_legend: true,
    };
    Ok(figure.render(&dir.join(stem))?.to_vec())
}

/// Palette index of the y = x reference line: past the designs' colours.
const PERFECT_LINE_COLOR: usize = 13;

/// Variance table: relative SD of task loss vs of accuracy, one point per task.
pub fn variance(table: &DataFrame, dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let tasks = strings(table, "Task")?;
    let (loss, acc) = (floats(table, "Loss Rel SD (CV)")?, floats(table, "Accuracy Rel SD (CV)")?);
    let series = (0..tasks.len())
        .map(|i| Series { label: Some(tasks[i].clone()), points: vec![(100.0 * loss[i], 100.0 * acc[i])], mark: Mark::Cross, color: i })
        .collect();
    let panel = Panel {
        title: "last 10 checkpoints of 1B-10xC".into(),
        x_label: "task loss CV (%)".into(),
        y_label: "accuracy CV (%)".into(),
        log_x: false,
        series,
    };
    let figure = Figure { title: "Checkpoint-to-checkpoint variation".into(), panels: vec![panel], columns: 2, shared_legend: true };
    Ok(figure.render(&dir.join("variance"))?.to_vec())
}

/// Backtest: mean |relative error| over tasks vs the ladder subset, one panel per direction.
pub fn error_vs_compute(backtest: &DataFrame, dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let (vary, designs) = (strings(backtest, "vary")?, strings(backtest, "design")?);
    let (level, x, err) = (floats(backtest, "level")?, floats(backtest, "x")?, floats(backtest, "abs_rel_error")?);
    let target = strings(backtest, "target")?.first().cloned().unwrap_or_default();
    let panels = distinct(&vary)
        .into_iter()
        .map(|v| {
            let series = distinct(&designs)
                .iter()
                .enumerate()
                .map(|(k, design)| {
                    let rows: Vec<usize> = (0..vary.len()).filter(|&i| vary[i] == v && &designs[i] == design).collect();
                    let mut levels: Vec<f64> = rows.iter().map(|&i| level[i]).collect();
                    levels.dedup();
                    let points = levels
                        .iter()
                        .filter_map(|&l| {
                            let e: Vec<f64> = rows.iter().filter(|&&i| level[i] == l).map(|&i| err[i]).collect();
                            let xv = rows.iter().find(|&&i| level[i] == l).map(|&i| x[i])?;
                            // A level counts only when every task could be fitted.
                            e.iter().all(|v| v.is_finite()).then(|| (xv, 100.0 * e.iter().sum::<f64>() / e.len() as f64))
                        })
                        .collect();
                    Series { label: Some(design.clone()), points, mark: Mark::Line, color: k }
                })
                .collect();
            let (x_label, log_x) = match v.as_str() {
                "n" => ("largest size N in the ladder", true),
                "xc" => ("largest data multiplier (xC)", false),
                _ => ("nominal compute of the run added (FLOPs)", true),
            };
            Panel {
                title: format!("vary {v}"),
                x_label: x_label.into(),
                y_label: format!("mean |rel. error| at {target} (%)"),
                log_x,
                series,
            }
        })
        .collect();
    let figure = Figure { title: format!("Prediction error vs ladder compute (target {target})"), panels, columns: 2, shared_legend: true };
    figure.render(&dir.join("error_vs_compute")).map(|p| p.to_vec()).context("rendering error_vs_compute")
}

/// Decision accuracy vs compute share (DataDecide's frontier) of the recipes ranked by `metric`:
/// one panel for all tasks pooled, then one per task; a line per design through its ladder
/// subsets (where every recipe could be fitted), points for the single-scale rankings.
pub fn decision_vs_compute(decisions: &DataFrame, metric: &str, dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let decisions = &ladder_report::columns::rows_where(decisions, "metric", metric)?;
    let (task, method, design, level) =
        (strings(decisions, "task")?, strings(decisions, "method")?, strings(decisions, "design")?, strings(decisions, "level")?);
    let (share, right, wrong, picked) =
        (floats(decisions, "compute_share")?, floats(decisions, "right")?, floats(decisions, "wrong")?, strings(decisions, "picked")?);
    let designs: Vec<String> = distinct(&design).into_iter().filter(|d| !d.is_empty()).collect();
    // (compute share, pooled accuracy) of each level of a ranking over the rows of `tasks`.
    let points = |tasks: &[String], method_name: &str, design_name: &str| -> Vec<(f64, f64)> {
        let rows: Vec<usize> =
            (0..task.len()).filter(|&i| method[i] == method_name && design[i] == design_name && tasks.contains(&task[i])).collect();
        let mut out: Vec<(f64, f64)> = distinct(&rows.iter().map(|&i| level[i].clone()).collect::<Vec<_>>())
            .iter()
            .filter_map(|l| {
                let mine: Vec<usize> = rows.iter().copied().filter(|&i| &level[i] == l).collect();
                if mine.iter().any(|&i| picked[i].is_empty()) {
                    return None;
                }
                let (r, w): (f64, f64) = mine.iter().fold((0.0, 0.0), |(r, w), &i| (r + right[i], w + wrong[i]));
                (r + w > 0.0).then(|| (share[mine[0]], 100.0 * r / (r + w)))
            })
            .collect();
        out.sort_by(|a, b| a.0.total_cmp(&b.0));
        out
    };
    let all_tasks = distinct(&task);
    let mut panels = Vec::new();
    for (title, tasks) in std::iter::once(("all tasks pooled".to_string(), all_tasks.clone()))
        .chain(all_tasks.iter().map(|t| (short(t).to_string(), vec![t.clone()])))
    {
        let mut series: Vec<Series> = designs
            .iter()
            .enumerate()
            .map(|(k, d)| Series { label: Some(format!("ladder: {d}")), points: points(&tasks, "ladder", d), mark: Mark::Line, color: k })
            .collect();
        series.push(Series {
            label: Some("single scale".into()),
            points: points(&tasks, "single_scale", ""),
            mark: Mark::Points,
            color: 6,
        });
        panels.push(Panel {
            title,
            x_label: "ladder compute / target compute".into(),
            y_label: "decision accuracy (%)".into(),
            log_x: true,
            series,
        });
    }
    let figure = Figure {
        title: format!("Decision accuracy on {metric} vs compute: ranking recipes by a ladder fit or by one small run"),
        panels,
        columns: 4,
        shared_legend: true,
    };
    let stem = format!("decision_accuracy_{metric}");
    figure.render(&dir.join(&stem)).map(|p| p.to_vec()).with_context(|| format!("rendering {stem}"))
}
