//! Data-recipe decisions (DataDecide, Magnusson et al. 2025): how often a ranking of recipes
//! made cheaply picks the same order as the recipes' actual scores at the target scale, and how
//! much compute one recipe is worth over another.
//!
//! * [`decision_accuracy`]: over every pair of recipes, whether a ranking (a ladder's prediction
//!   at the target, or the single-scale baseline: the recipes' scores at one small rung) orders
//!   the pair as the target's actual scores do. A pair whose actual scores differ by less than
//!   the target's checkpoint noise is a **tie**: reported on its own and counted neither right
//!   nor wrong. Accuracy = right / (right + wrong).
//! * [`compute_multiplier`]: the factor k by which recipe B's compute must grow for its predicted
//!   score to equal recipe A's at the target (OLMo-core's effective-compute idea); k > 1: A is
//!   worth k× the compute of B.
//! * [`decide`]: both over the ladders of several recipes (each the same rungs and target,
//!   trained on its own mix): for every task, the decision accuracy of each design fitted on
//!   growing subsets of the ladder (runs added in order of compute, as the `flops` backtest
//!   does) and of the single-scale baseline at every rung × multiplier, against the ladder
//!   compute each spends per recipe; and the compute multiplier of the predicted best recipe over
//!   each other, with a bootstrap interval.
//!
//! Recipes are decided on one or more metrics: accuracy (higher is better), or an intermediate
//! feature such as task bpb (lower is better), which a two-step design predicts in its step 1.
//! Scores are the mean of a run's last [`SCORE_WINDOW`] checkpoints, for the target's actual
//! value and for a small run's alike (the `actual` of every prediction table). The tie threshold
//! of a task is its target's checkpoint noise: the SD of the metric over the target run's last
//! [`crate::snr::NOISE_CHECKPOINTS`] checkpoints, averaged over the recipes (an upper bound when
//! few evaluations leave the end of the learning curve in it).

use ladder_core::rng::SplitMix64;
use ladder_core::{Entry, Feature, Ladder, Task};
use polars::prelude::*;
use rayon::prelude::*;

use crate::backtest::{levels, nominal_compute, Vary};
use crate::design::{Design, FittedDesign};
use crate::points::mean_of_last;
use crate::predict::{PredictError, Result, Target};
use crate::uncertainty::bootstrap::{resample, task_stream};
use crate::uncertainty::quantile;

/// Checkpoints averaged into a run's score (the paper's window).
pub const SCORE_WINDOW: usize = crate::points::PAPER_WINDOW;

/// One recipe's score under a ranking and at the target.
#[derive(Debug, Clone, PartialEq)]
pub struct RecipeScore {
    /// Recipe name.
    pub recipe: String,
    /// What the ranking says (a prediction at the target, or a small rung's score).
    pub ranked: f64,
    /// The actual score at the target.
    pub actual: f64,
}

/// The outcome of a ranking over every pair of recipes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Decisions {
    /// Pairs of recipes.
    pub pairs: usize,
    /// Pairs ordered as at the target.
    pub right: usize,
    /// Pairs ordered the other way (an equal ranked score counts as wrong: no decision).
    pub wrong: usize,
    /// Pairs whose actual scores differ by less than the noise: neither right nor wrong.
    pub ties: usize,
}

impl Decisions {
    /// right / (right + wrong); NaN when every pair is a tie.
    pub fn accuracy(&self) -> f64 {
        self.right as f64 / (self.right + self.wrong) as f64
    }
}

/// Decision accuracy of `scores` with ties below `noise` (|actual difference| < noise). Scores
/// that are not finite leave their pairs out (not counted in `pairs`).
pub fn decision_accuracy(scores: &[RecipeScore], noise: f64) -> Decisions {
    let mut d = Decisions { pairs: 0, right: 0, wrong: 0, ties: 0 };
    for (i, a) in scores.iter().enumerate() {
        for b in &scores[i + 1..] {
            if ![a.ranked, a.actual, b.ranked, b.actual].iter().all(|v| v.is_finite()) {
                continue;
            }
            d.pairs += 1;
            let actual = a.actual - b.actual;
            if actual.abs() < noise {
                d.ties += 1;
            } else if (a.ranked - b.ranked) * actual > 0.0 {
                d.right += 1;
            } else {
                d.wrong += 1;
            }
        }
    }
    d
}

/// The compute factor k at which `b`'s prediction equals `a`'s at `target`: b is evaluated at
/// N·√k, D·√k (the target's shape, compute ×k). Found by bisection of log k in [1/`span`,
/// `span`]; `None` when the two predictions do not cross there (one recipe dominates beyond
/// the span) or a prediction is not finite. Assumes predictions rise with compute.
pub fn compute_multiplier(a: &FittedDesign, b: &FittedDesign, target: &Target, span: f64) -> Option<f64> {
    multiplier_by(&|f: &FittedDesign, t: &Target| f.predict(t), a, b, target, span)
}

/// [`compute_multiplier`] of any score that rises with compute (`score` of a fitted design at a
/// target).
fn multiplier_by(
    score: &dyn Fn(&FittedDesign, &Target) -> f64,
    a: &FittedDesign,
    b: &FittedDesign,
    target: &Target,
    span: f64,
) -> Option<f64> {
    let goal = score(a, target);
    let at = |k: f64| {
        let s = k.sqrt();
        score(b, &Target { name: target.name.clone(), n: target.n * s, d: target.d * s, c: target.c * k }) - goal
    };
    let (mut lo, mut hi) = (-span.ln(), span.ln());
    let (f_lo, f_hi) = (at(lo.exp()), at(hi.exp()));
    if !(goal.is_finite() && f_lo.is_finite() && f_hi.is_finite()) || f_lo * f_hi > 0.0 {
        return None;
    }
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if (at(mid.exp()) < 0.0) == (f_lo < 0.0) {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    Some((0.5 * (lo + hi)).exp())
}

/// One recipe's ladder: its train runs and the target, trained on the recipe's mix.
#[derive(Debug, Clone)]
pub struct RecipeLadder {
    /// Recipe name.
    pub recipe: String,
    /// Its runs.
    pub ladder: Ladder,
}

/// What [`decide`] decides on and computes besides the decisions.
#[derive(Debug, Clone, PartialEq)]
pub struct DecideSettings {
    /// The target entry every recipe's ladder holds.
    pub target: String,
    /// The metrics recipes are ranked by, each at the target and in every ranking: accuracy
    /// (higher is better) and intermediate features (task bpb, ...: lower is better). A design
    /// ranks by accuracy and by its own intermediate feature.
    pub metrics: Vec<Feature>,
    /// Designs (by name) whose compute multipliers are computed (empty: the first design).
    pub multiplier_designs: Vec<String>,
    /// Bootstrap draws of each multiplier (0: no interval).
    pub draws: usize,
    /// Interval level.
    pub level: f64,
    /// Bootstrap seed.
    pub seed: u64,
    /// Multipliers are searched in [1/span, span].
    pub span: f64,
}

impl DecideSettings {
    /// Whether the `index`-th design's compute multipliers are computed.
    fn multiplies(&self, index: usize, design: &dyn Design) -> bool {
        if self.multiplier_designs.is_empty() {
            index == 0
        } else {
            self.multiplier_designs.iter().any(|n| n == design.name())
        }
    }
}

impl Default for DecideSettings {
    fn default() -> Self {
        DecideSettings {
            target: String::new(),
            metrics: vec![Feature::RcAcc],
            multiplier_designs: Vec::new(),
            draws: 0,
            level: crate::uncertainty::DEFAULT_LEVEL,
            seed: 0,
            span: 100.0,
        }
    }
}

/// The tables of [`decide`]; every one has a `metric` column.
pub struct DecisionOutput {
    /// One row per metric × design × task × recipe: the whole ladder's prediction at the target
    /// and the actual value (`metric`, `recipe`, `design`, `task`, `target`, `predicted`,
    /// `actual`, `abs_error`, `error`).
    pub predictions: DataFrame,
    /// One row per metric × task × ranking: `method` (`ladder` or `single_scale`), `design`
    /// (empty for the baseline), `level` (the ladder subset or the run), `runs` per recipe,
    /// `compute` per recipe and its `compute_share` of the target's, `pairs`, `right`, `wrong`,
    /// `ties`, `accuracy`, `picked` (the recipe ranked first), `winner` (the actual best),
    /// `noise` (the tie threshold), `error` (why a ladder subset could not be fitted).
    pub decisions: DataFrame,
    /// One row per metric × multiplier design × task × other recipe: how much compute `versus`
    /// needs to match the predicted best `recipe` at the target (`multiplier`, NaN when the
    /// predictions do not cross within the span), its bootstrap interval (`boot_lo`, `boot_hi`;
    /// draws without a crossing or a fit in `boot_failed`), and the actual gap (`actual_gap`:
    /// best − versus in the metric's direction, × 100 for accuracy).
    pub multipliers: DataFrame,
}

/// Population SD.
fn sd(values: &[f64]) -> f64 {
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    (values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n).sqrt()
}

/// The recipe ranked first by higher-is-better `scores` (ties: the first in order); `None` when
/// a score is not finite.
fn best(scores: &[f64]) -> Option<usize> {
    if scores.iter().any(|s| !s.is_finite()) {
        return None;
    }
    Some((0..scores.len()).fold(0, |b, i| if scores[i] > scores[b] { i } else { b }))
}

/// +1 for accuracies, −1 for losses: the factor that makes a metric higher-is-better.
fn orientation(metric: Feature) -> f64 {
    if metric.is_accuracy() {
        1.0
    } else {
        -1.0
    }
}

/// What `design` predicts of `metric` from a fit (`None`: it does not predict that metric).
fn predicts(design: &dyn Design, metric: Feature) -> Option<fn(&FittedDesign, &Target) -> f64> {
    if metric.is_accuracy() {
        Some(|f, t| f.predict(t))
    } else if design.intermediate() == Some(metric) {
        Some(|f, t| f.prediction(t).feature.unwrap_or(f64::NAN))
    } else {
        None
    }
}

/// Every recipe's ladder must hold the same train runs and the target at the same scale.
fn check_recipes(recipes: &[RecipeLadder], target: &str) -> Result<()> {
    let bad = |message: String| PredictError::Design { design: "[decision]".into(), message };
    if recipes.len() < 2 {
        return Err(bad(format!("a decision needs at least two recipes, found {}", recipes.len())));
    }
    let runs = |l: &Ladder| -> Vec<(String, String)> {
        let mut v: Vec<(String, String)> =
            l.train_entries().flat_map(|e| e.runs.iter().map(move |r| (e.name.clone(), r.name.clone()))).collect();
        v.sort();
        v
    };
    let first = &recipes[0];
    let (reference, t0) = (runs(&first.ladder), first.ladder.target(target)?);
    for r in &recipes[1..] {
        let t = r.ladder.target(target)?;
        let here = runs(&r.ladder);
        if here != reference {
            let only = |a: &[(String, String)], b: &[(String, String)]| {
                a.iter().filter(|x| !b.contains(x)).map(|(_, run)| run.as_str()).collect::<Vec<_>>().join(", ")
            };
            return Err(bad(format!(
                "recipes {} and {} hold different train runs (only in {}: [{}]; only in {}: [{}]); every recipe trains the same ladder",
                first.recipe,
                r.recipe,
                first.recipe,
                only(&reference, &here),
                r.recipe,
                only(&here, &reference)
            )));
        }
        let (a, b) = (Target::of(t0), Target::of(t));
        if (a.n - b.n).abs() > 1e-9 * a.n || (a.d - b.d).abs() > 1e-9 * a.d {
            return Err(bad(format!(
                "target {target} has N = {}, D = {} in {} but N = {}, D = {} in {}",
                a.n, a.d, first.recipe, b.n, b.d, r.recipe
            )));
        }
    }
    Ok(())
}

/// A run's score on `task`: the mean of its last [`SCORE_WINDOW`] values of `metric`.
fn score(entry: &Entry, run: usize, task: &Task, metric: Feature) -> Result<f64> {
    Ok(mean_of_last(&entry.runs[run].finite_task_values(task, metric)?.1, SCORE_WINDOW))
}

/// Decision accuracy of every design (on growing subsets of the ladder) and of the single-scale
/// baseline, per metric and task, over `recipes`; the whole ladder's predictions; and the
/// compute multipliers (see the module docs). `progress` is called once per bootstrap draw.
pub fn decide(
    recipes: &[RecipeLadder],
    designs: &[Box<dyn Design>],
    tasks: &[Task],
    settings: &DecideSettings,
    progress: &(dyn Fn() + Sync),
) -> Result<DecisionOutput> {
    check_recipes(recipes, &settings.target)?;
    for name in &settings.multiplier_designs {
        if !designs.iter().any(|d| d.name() == name) {
            return Err(PredictError::Design {
                design: name.clone(),
                message: "named in [decision] multiplier_designs but not defined".into(),
            });
        }
    }
    if settings.metrics.is_empty() {
        return Err(PredictError::Design { design: "[decision]".into(), message: "no metric to decide on".into() });
    }
    let names: Vec<String> = recipes.iter().map(|r| r.recipe.clone()).collect();
    let targets: Vec<&Entry> = recipes.iter().map(|r| r.ladder.target(&settings.target)).collect::<std::result::Result<_, _>>()?;
    let target = Target::of(targets[0]);
    // Ladder subsets: runs added in order of compute; the last one is the whole ladder.
    let subsets = levels(&recipes[0].ladder, Vary::Flops);
    let full = subsets.len() - 1;
    let train_runs: Vec<(&Entry, &ladder_core::Run)> =
        recipes[0].ladder.train_entries().flat_map(|e| e.runs.iter().map(move |r| (e, r))).collect();
    let compute_of = |keep: &[(String, String)]| -> f64 {
        train_runs.iter().filter(|(e, r)| keep.contains(&(e.name.clone(), r.name.clone()))).map(|(e, r)| nominal_compute(e, r)).sum()
    };
    let jobs: Vec<(usize, usize, usize, usize)> = (0..subsets.len())
        .flat_map(|l| {
            (0..designs.len()).flat_map(move |d| (0..tasks.len()).flat_map(move |k| (0..recipes.len()).map(move |r| (l, d, k, r))))
        })
        .collect();
    let fits: Vec<std::result::Result<FittedDesign, String>> = jobs
        .par_iter()
        .map(|&(l, d, k, r)| {
            let keep = &subsets[l].keep;
            let subset = recipes[r].ladder.with_train_runs(|e, run| keep.contains(&(e.name.clone(), run.name.clone())));
            designs[d].fit(&subset, &tasks[k]).map_err(|e| e.to_string())
        })
        .collect();
    let fit_at = |l: usize, d: usize, k: usize, r: usize| &fits[((l * designs.len() + d) * tasks.len() + k) * recipes.len() + r];

    let mut rows = DecisionRows::default();
    let mut predictions = PredictionRows::default();
    let mut multipliers = MultiplierRows::default();
    for &metric in &settings.metrics {
        let sign = orientation(metric);
        for (k, task) in tasks.iter().enumerate() {
            // The actual values at the target and the tie threshold.
            let mut actual = Vec::new();
            let mut sds = Vec::new();
            for t in &targets {
                let last = t.runs.len() - 1;
                actual.push(score(t, last, task, metric)?);
                let values = t.runs[last].finite_task_values(task, metric)?.1;
                sds.push(sd(&values[values.len().saturating_sub(crate::snr::NOISE_CHECKPOINTS)..]));
            }
            let noise = sds.iter().sum::<f64>() / sds.len() as f64;
            let oriented: Vec<f64> = actual.iter().map(|a| sign * a).collect();
            let winner = best(&oriented).map(|i| names[i].clone()).unwrap_or_default();
            let context = RowContext { metric, task, target: &target, names: &names, actual: &oriented, noise, winner: &winner };
            for (d, design) in designs.iter().enumerate() {
                let Some(value) = predicts(design.as_ref(), metric) else { continue };
                for (l, subset) in subsets.iter().enumerate() {
                    let results: Vec<&std::result::Result<FittedDesign, String>> = (0..recipes.len()).map(|r| fit_at(l, d, k, r)).collect();
                    let error = results.iter().find_map(|f| f.as_ref().err()).cloned().unwrap_or_default();
                    let ranked: Vec<f64> = results.iter().map(|f| f.as_ref().map_or(f64::NAN, |f| sign * value(f, &target))).collect();
                    rows.push(
                        &context,
                        "ladder",
                        design.name(),
                        &subset.label,
                        subset.keep.len(),
                        compute_of(&subset.keep),
                        &ranked,
                        error,
                    );
                }
                for (r, name) in names.iter().enumerate() {
                    let f = fit_at(full, d, k, r);
                    predictions.push(
                        metric,
                        name,
                        design.name(),
                        task,
                        &settings.target,
                        f.as_ref().map_or(f64::NAN, |f| value(f, &target)),
                        actual[r],
                        f.as_ref().err(),
                    );
                }
            }
            for (entry, run) in &train_runs {
                let ranked: Vec<f64> = recipes
                    .iter()
                    .map(|r| {
                        let e = r.ladder.entry(&entry.name)?;
                        let j = e.runs.iter().position(|x| x.name == run.name).expect("checked: the same runs");
                        Ok(sign * score(e, j, task, metric)?)
                    })
                    .collect::<Result<_>>()?;
                rows.push(&context, "single_scale", "", &run.name, 1, nominal_compute(entry, run), &ranked, String::new());
            }
            for (d, design) in designs.iter().enumerate() {
                let chosen = settings.multiplies(d, design.as_ref());
                let Some(value) = predicts(design.as_ref(), metric).filter(|_| chosen) else { continue };
                let oriented_value = move |f: &FittedDesign, t: &Target| sign * value(f, t);
                let fitted: Vec<Option<&FittedDesign>> = (0..recipes.len()).map(|r| fit_at(full, d, k, r).as_ref().ok()).collect();
                multipliers.add(&context, design.as_ref(), recipes, &fitted, &oriented_value, settings, progress);
            }
        }
    }
    Ok(DecisionOutput { predictions: predictions.frame()?, decisions: rows.frame()?, multipliers: multipliers.frame()? })
}

/// Bootstrap draws [`decide`] makes (for a progress bar): per metric, task and multiplier design
/// that predicts the metric.
pub fn bootstrap_draws(designs: &[Box<dyn Design>], tasks: usize, settings: &DecideSettings) -> usize {
    let pairs: usize = settings
        .metrics
        .iter()
        .map(|&m| {
            designs.iter().enumerate().filter(|(i, d)| settings.multiplies(*i, d.as_ref()) && predicts(d.as_ref(), m).is_some()).count()
        })
        .sum();
    pairs * tasks * settings.draws
}

/// What every row of one metric and task shares.
struct RowContext<'a> {
    metric: Feature,
    task: &'a Task,
    target: &'a Target,
    names: &'a [String],
    /// Actual values at the target, higher is better.
    actual: &'a [f64],
    noise: f64,
    winner: &'a str,
}

/// Column builder of the multipliers table.
#[derive(Default)]
struct MultiplierRows {
    metric: Vec<String>,
    design: Vec<String>,
    task: Vec<String>,
    recipe: Vec<String>,
    versus: Vec<String>,
    k: Vec<f64>,
    lo: Vec<f64>,
    hi: Vec<f64>,
    failed: Vec<u32>,
    gap: Vec<f64>,
}

impl MultiplierRows {
    /// The multipliers of the predicted best recipe over every other one (whole-ladder fits
    /// `fitted`), with a bootstrap over each recipe's runs.
    #[allow(clippy::too_many_arguments)]
    fn add(
        &mut self,
        c: &RowContext,
        design: &dyn Design,
        recipes: &[RecipeLadder],
        fitted: &[Option<&FittedDesign>],
        score: &(dyn Fn(&FittedDesign, &Target) -> f64 + Sync),
        settings: &DecideSettings,
        progress: &(dyn Fn() + Sync),
    ) {
        let predicted: Vec<f64> = fitted.iter().map(|f| f.map_or(f64::NAN, |f| score(f, c.target))).collect();
        let Some(top) = best(&predicted) else { return };
        let top_fit = fitted[top].expect("a finite prediction has a fit");
        let draws: Vec<Option<Vec<Option<f64>>>> = (0..settings.draws)
            .into_par_iter()
            .map(|i| {
                let refits: Option<Vec<FittedDesign>> = recipes
                    .iter()
                    .enumerate()
                    .map(|(r, rl)| {
                        let stream = settings.seed ^ task_stream(c.task) ^ (r as u64 + 1).wrapping_mul(0x9e37_79b9_7f4a_7c15);
                        let mut rng = SplitMix64::new(stream, i as u64);
                        design.fit(&resample(&rl.ladder, &mut rng), c.task).ok()
                    })
                    .collect();
                progress();
                refits.map(|f| (0..recipes.len()).map(|r| multiplier_by(score, &f[top], &f[r], c.target, settings.span)).collect())
            })
            .collect();
        let tail = (1.0 - settings.level) / 2.0;
        let scale = if c.metric.is_accuracy() { 100.0 } else { 1.0 };
        for (r, other) in c.names.iter().enumerate() {
            if r == top {
                continue;
            }
            let point = fitted[r].and_then(|f| multiplier_by(score, top_fit, f, c.target, settings.span)).unwrap_or(f64::NAN);
            let mut ks: Vec<f64> = draws.iter().filter_map(|dr| dr.as_ref().and_then(|v| v[r])).collect();
            ks.sort_by(f64::total_cmp);
            let enough = ks.len() >= 2;
            self.metric.push(c.metric.name().to_string());
            self.design.push(design.name().to_string());
            self.task.push(c.task.key.clone());
            self.recipe.push(c.names[top].clone());
            self.versus.push(other.clone());
            self.k.push(point);
            self.lo.push(if enough { quantile(&ks, tail) } else { f64::NAN });
            self.hi.push(if enough { quantile(&ks, 1.0 - tail) } else { f64::NAN });
            self.failed.push((settings.draws - ks.len()) as u32);
            self.gap.push(scale * (c.actual[top] - c.actual[r]));
        }
    }

    fn frame(self) -> Result<DataFrame> {
        Ok(DataFrame::new_infer_height(vec![
            Column::new("metric".into(), self.metric),
            Column::new("design".into(), self.design),
            Column::new("task".into(), self.task),
            Column::new("recipe".into(), self.recipe),
            Column::new("versus".into(), self.versus),
            Column::new("multiplier".into(), self.k),
            Column::new("boot_lo".into(), self.lo),
            Column::new("boot_hi".into(), self.hi),
            Column::new("boot_failed".into(), self.failed),
            Column::new("actual_gap".into(), self.gap),
        ])
        .map_err(ladder_io::table_error)?)
    }
}

/// Column builder of the predictions table.
#[derive(Default)]
struct PredictionRows {
    metric: Vec<String>,
    recipe: Vec<String>,
    design: Vec<String>,
    task: Vec<String>,
    target: Vec<String>,
    predicted: Vec<f64>,
    actual: Vec<f64>,
    error: Vec<String>,
}

impl PredictionRows {
    #[allow(clippy::too_many_arguments)]
    fn push(
        &mut self,
        metric: Feature,
        recipe: &str,
        design: &str,
        task: &Task,
        target: &str,
        predicted: f64,
        actual: f64,
        error: Option<&String>,
    ) {
        self.metric.push(metric.name().to_string());
        self.recipe.push(recipe.to_string());
        self.design.push(design.to_string());
        self.task.push(task.key.clone());
        self.target.push(target.to_string());
        self.predicted.push(predicted);
        self.actual.push(actual);
        self.error.push(error.cloned().unwrap_or_default());
    }

    fn frame(self) -> Result<DataFrame> {
        let abs_error: Vec<f64> = self.predicted.iter().zip(&self.actual).map(|(p, a)| (p - a).abs()).collect();
        Ok(DataFrame::new_infer_height(vec![
            Column::new("metric".into(), self.metric),
            Column::new("recipe".into(), self.recipe),
            Column::new("design".into(), self.design),
            Column::new("task".into(), self.task),
            Column::new("target".into(), self.target),
            Column::new("predicted".into(), self.predicted),
            Column::new("actual".into(), self.actual),
            Column::new("abs_error".into(), abs_error),
            Column::new("error".into(), self.error),
        ])
        .map_err(ladder_io::table_error)?)
    }
}

/// Column builder of the decisions table.
#[derive(Default)]
struct DecisionRows {
    metric: Vec<String>,
    task: Vec<String>,
    method: Vec<&'static str>,
    design: Vec<String>,
    level: Vec<String>,
    runs: Vec<u32>,
    compute: Vec<f64>,
    share: Vec<f64>,
    pairs: Vec<u32>,
    right: Vec<u32>,
    wrong: Vec<u32>,
    ties: Vec<u32>,
    accuracy: Vec<f64>,
    picked: Vec<String>,
    winner: Vec<String>,
    noise: Vec<f64>,
    error: Vec<String>,
}

impl DecisionRows {
    /// One ranking (`ranked`: higher is better) of the recipes.
    #[allow(clippy::too_many_arguments)]
    fn push(
        &mut self,
        c: &RowContext,
        method: &'static str,
        design: &str,
        level: &str,
        runs: usize,
        compute: f64,
        ranked: &[f64],
        error: String,
    ) {
        let scores: Vec<RecipeScore> = c
            .names
            .iter()
            .zip(ranked.iter().zip(c.actual))
            .map(|(n, (&r, &a))| RecipeScore { recipe: n.clone(), ranked: r, actual: a })
            .collect();
        let d = decision_accuracy(&scores, c.noise);
        self.metric.push(c.metric.name().to_string());
        self.task.push(c.task.key.clone());
        self.method.push(method);
        self.design.push(design.to_string());
        self.level.push(level.to_string());
        self.runs.push(runs as u32);
        self.compute.push(compute);
        self.share.push(compute / c.target.c);
        self.pairs.push(d.pairs as u32);
        self.right.push(d.right as u32);
        self.wrong.push(d.wrong as u32);
        self.ties.push(d.ties as u32);
        self.accuracy.push(d.accuracy());
        self.picked.push(best(ranked).map(|i| c.names[i].clone()).unwrap_or_default());
        self.winner.push(c.winner.to_string());
        self.noise.push(c.noise);
        self.error.push(error);
    }

    fn frame(self) -> Result<DataFrame> {
        Ok(DataFrame::new_infer_height(vec![
            Column::new("metric".into(), self.metric),
            Column::new("task".into(), self.task),
            Column::new("method".into(), self.method.iter().map(|m| m.to_string()).collect::<Vec<_>>()),
            Column::new("design".into(), self.design),
            Column::new("level".into(), self.level),
            Column::new("runs".into(), self.runs),
            Column::new("compute".into(), self.compute),
            Column::new("compute_share".into(), self.share),
            Column::new("pairs".into(), self.pairs),
            Column::new("right".into(), self.right),
            Column::new("wrong".into(), self.wrong),
            Column::new("ties".into(), self.ties),
            Column::new("accuracy".into(), self.accuracy),
            Column::new("picked".into(), self.picked),
            Column::new("winner".into(), self.winner),
            Column::new("noise".into(), self.noise),
            Column::new("error".into(), self.error),
        ])
        .map_err(ladder_io::table_error)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn score(recipe: &str, ranked: f64, actual: f64) -> RecipeScore {
        RecipeScore { recipe: recipe.into(), ranked, actual }
    }

    #[test]
    fn a_hand_made_table_gives_the_known_fraction() {
        // Actual order a > b > c > d; the ranking swaps c and d and puts b first.
        let scores = [score("a", 0.50, 0.60), score("b", 0.55, 0.50), score("c", 0.30, 0.40), score("d", 0.35, 0.30)];
        // Pairs: ab wrong, ac right, ad right, bc right, bd right, cd wrong → 4 of 6.
        let d = decision_accuracy(&scores, 0.0);
        assert_eq!((d.pairs, d.right, d.wrong, d.ties), (6, 4, 2, 0));
        assert!((d.accuracy() - 4.0 / 6.0).abs() < 1e-15);
    }

    #[test]
    fn near_ties_are_reported_apart_and_not_counted() {
        // a and b differ by 0.005 at the target, below the noise 0.01: a tie whichever way the
        // ranking orders them.
        let scores = [score("a", 0.40, 0.505), score("b", 0.45, 0.500), score("c", 0.10, 0.30)];
        let d = decision_accuracy(&scores, 0.01);
        assert_eq!((d.pairs, d.right, d.wrong, d.ties), (3, 2, 0, 1));
        assert_eq!(d.accuracy(), 1.0);
        // All ties: no accuracy at all.
        assert!(decision_accuracy(&scores[..2], 0.01).accuracy().is_nan());
        // An equal ranked score is no decision: wrong.
        let d = decision_accuracy(&[score("a", 0.4, 0.6), score("b", 0.4, 0.5)], 0.0);
        assert_eq!((d.right, d.wrong), (0, 1));
        // A missing score leaves its pairs out.
        assert_eq!(decision_accuracy(&[score("a", f64::NAN, 0.6), score("b", 0.4, 0.5)], 0.0).pairs, 0);
    }
}
