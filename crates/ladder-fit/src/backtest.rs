//! Compute-vs-error backtests (method.md §9): fit every design on growing subsets of the ladder
//! and record the error at a target, to see how much ladder compute a prediction needs.

use crate::points::PAPER_WINDOW;
use ladder_core::{Entry, Feature, Ladder, Run, Task};
use polars::prelude::*;
use rayon::prelude::*;
use serde::Deserialize;

use crate::design::Design;
use crate::predict::{Result, Target};

/// Which way the ladder grows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Vary {
    /// Model sizes, smallest first, each with all its runs.
    N,
    /// Data multipliers, smallest first, each with all sizes.
    Xc,
    /// Single runs in order of nominal compute F · 20 · N · multiplier.
    Flops,
}

impl Vary {
    /// Name used in tables.
    pub fn name(self) -> &'static str {
        match self {
            Vary::N => "n",
            Vary::Xc => "xc",
            Vary::Flops => "flops",
        }
    }
}

/// One subset of the ladder: a label, its x value, and which (entry, run) pairs it keeps.
pub(crate) struct Level {
    pub(crate) label: String,
    pub(crate) x: f64,
    pub(crate) keep: Vec<(String, String)>,
}

/// Nominal compute of a run: F · 20 · N · multiplier (actual final compute when the run has no
/// multiplier).
pub(crate) fn nominal_compute(entry: &Entry, run: &Run) -> f64 {
    run.multiplier.map_or(run.final_tokens(), |m| 20.0 * entry.n * m) * entry.flops_per_token
}

pub(crate) fn levels(ladder: &Ladder, vary: Vary) -> Vec<Level> {
    let runs: Vec<(&Entry, &Run)> = ladder.train_entries().flat_map(|e| e.runs.iter().map(move |r| (e, r))).collect();
    let key = |(e, r): &(&Entry, &Run)| (e.name.clone(), r.name.clone());
    match vary {
        Vary::N => {
            let mut sizes: Vec<&Entry> = ladder.train_entries().collect();
            sizes.sort_by(|a, b| a.n.total_cmp(&b.n));
            (0..sizes.len())
                .map(|k| Level {
                    label: format!("<= {}", sizes[k].name),
                    x: sizes[k].n,
                    keep: runs.iter().filter(|(e, _)| e.n <= sizes[k].n).map(key).collect(),
                })
                .collect()
        }
        Vary::Xc => {
            let mut mults: Vec<f64> = runs.iter().filter_map(|(_, r)| r.multiplier).collect();
            mults.sort_by(f64::total_cmp);
            mults.dedup();
            mults
                .iter()
                .map(|&m| Level {
                    label: format!("<= {m}xC"),
                    x: m,
                    keep: runs.iter().filter(|(_, r)| r.multiplier.is_some_and(|x| x <= m)).map(key).collect(),
                })
                .collect()
        }
        Vary::Flops => {
            let mut sorted = runs.clone();
            sorted.sort_by(|a, b| nominal_compute(a.0, a.1).total_cmp(&nominal_compute(b.0, b.1)));
            (0..sorted.len())
                .map(|k| Level {
                    label: format!("+ {}", sorted[k].1.name),
                    x: nominal_compute(sorted[k].0, sorted[k].1),
                    keep: sorted[..=k].iter().map(key).collect(),
                })
                .collect()
        }
    }
}

/// Runs the backtest: for every level of `vary`, every design and task, fit on the subset and
/// record the prediction for `target`. Levels whose fits fail (too few runs for the law) keep a
/// row with the error message.
pub fn backtest(ladder: &Ladder, designs: &[Box<dyn Design>], tasks: &[Task], target: &str, vary: Vary) -> Result<DataFrame> {
    let entry = ladder.entry(target)?;
    let t = Target::of(entry);
    let levels = levels(ladder, vary);
    let jobs: Vec<(usize, &dyn Design, &Task)> =
        (0..levels.len()).flat_map(|l| designs.iter().flat_map(move |d| tasks.iter().map(move |t| (l, d.as_ref(), t)))).collect();
    let results: Vec<(usize, &dyn Design, &Task, std::result::Result<f64, String>)> = jobs
        .into_par_iter()
        .map(|(l, design, task)| {
            let subset = ladder.with_train_runs(|e, r| levels[l].keep.contains(&(e.name.clone(), r.name.clone())));
            let predicted = design.fit(&subset, task).map(|f| f.predict(&t)).map_err(|e| e.to_string());
            (l, design, task, predicted)
        })
        .collect();
    let (mut design, mut task, mut level, mut label, mut x, mut runs, mut predicted, mut actual, mut rel, mut error) =
        (vec![], vec![], vec![], vec![], vec![], vec![], vec![], vec![], vec![], vec![]);
    for (l, d, k, p) in results {
        let a = Target::observed(entry, k, Feature::RcAcc, PAPER_WINDOW)?;
        let p = p.map_err(|e| error.push(e)).ok();
        if p.is_some() {
            error.push(String::new());
        }
        let p = p.unwrap_or(f64::NAN);
        design.push(d.name().to_string());
        task.push(k.key.clone());
        level.push(l as u32);
        label.push(levels[l].label.clone());
        x.push(levels[l].x);
        runs.push(levels[l].keep.len() as u32);
        predicted.push(p);
        actual.push(a);
        rel.push(((p - a) / a).abs());
    }
    let vary_col = vec![vary.name(); design.len()];
    Ok(df!("vary" => vary_col, "level" => level, "label" => label, "x" => x, "runs" => runs, "design" => design,
        "task" => task, "target" => vec![target; rel.len()], "predicted" => predicted, "actual" => actual,
        "abs_rel_error" => rel, "error" => error)
    .map_err(ladder_io::table_error)?)
}
