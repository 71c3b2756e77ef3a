//! Coverage backtest: hold out the largest rung of the ladder, treat each of its runs as a
//! pseudo-target, fit on the rest, and count how often the intervals cover the observed
//! accuracy.

use crate::points::PAPER_WINDOW;
use ladder_core::{Feature, Ladder, LadderError, Mode, Task};
use polars::prelude::*;

use super::{bootstrap, delta_interval, BootstrapSettings, Interval};
use crate::design::Design;
use crate::points::mean_of_last;
use crate::predict::{Result, Target};

/// One row per design × task × pseudo-target (a run of the largest train entry): prediction,
/// actual accuracy (mean of its last 5 checkpoints), delta and bootstrap intervals, and whether
/// each covers the actual value. Bootstrap columns are NaN when `bootstrap` is `None`.
pub fn coverage_backtest(
    ladder: &Ladder,
    designs: &[Box<dyn Design>],
    tasks: &[Task],
    level: f64,
    bootstrap_settings: Option<&BootstrapSettings>,
) -> Result<DataFrame> {
    let largest = ladder
        .train_entries()
        .max_by(|a, b| a.n.total_cmp(&b.n))
        .ok_or_else(|| LadderError::UnknownEntry { name: "a train entry".into(), known: "(none)".into() })?;
    let held_out = largest.name.clone();
    let fit_on = Ladder { entries: ladder.entries.iter().filter(|e| e.name != held_out && e.mode == Mode::Train).cloned().collect() };
    let pseudo: Vec<(String, Target, &ladder_core::Run)> = largest
        .runs
        .iter()
        .map(|r| {
            let d = r.final_tokens();
            (r.name.clone(), Target { name: r.name.clone(), n: largest.n, d, c: d * largest.flops_per_token }, r)
        })
        .collect();
    let targets: Vec<Target> = pseudo.iter().map(|p| p.1.clone()).collect();
    let cols = (
        Vec::new(),
        Vec::new(),
        Vec::new(),
        Vec::new(),
        Vec::new(),
        Vec::new(),
        Vec::new(),
        Vec::new(),
        Vec::new(),
        Vec::new(),
        Vec::new(),
    );
    let (mut design, mut task, mut target, mut actual, mut predicted, mut d_lo, mut d_hi, mut b_lo, mut b_hi, mut d_cov, mut b_cov) = cols;
    for d in designs {
        for k in tasks {
            let fitted = d.fit(&fit_on, k);
            let boot = match (bootstrap_settings, &fitted) {
                (Some(s), Ok(_)) => Some(bootstrap(&fit_on, d.as_ref(), k, &targets, &BootstrapSettings { level, ..*s }, &|| {})),
                _ => None,
            };
            for (i, (name, t, run)) in pseudo.iter().enumerate() {
                let a = mean_of_last(&run.finite_task_values(k, Feature::RcAcc)?.1, PAPER_WINDOW);
                let (p, delta) = match &fitted {
                    Ok(f) => (f.predict(t), delta_interval(f, t, level, (k.minimum, k.maximum)).map(|x| x.0).unwrap_or(Interval::NONE)),
                    Err(_) => (f64::NAN, Interval::NONE),
                };
                let b = boot.as_ref().map_or(Interval::NONE, |b| b[i].interval);
                design.push(d.name().to_string());
                task.push(k.key.clone());
                target.push(name.clone());
                actual.push(a);
                predicted.push(p);
                d_lo.push(delta.lo);
                d_hi.push(delta.hi);
                b_lo.push(b.lo);
                b_hi.push(b.hi);
                d_cov.push(delta.lo.is_finite().then(|| delta.contains(a)));
                b_cov.push(b.lo.is_finite().then(|| b.contains(a)));
            }
        }
    }
    let n = design.len();
    Ok(df!("design" => design, "task" => task, "held_out" => vec![held_out.as_str(); n], "pseudo_target" => target,
        "level" => vec![level; n], "actual" => actual, "predicted" => predicted, "delta_lo" => d_lo, "delta_hi" => d_hi,
        "boot_lo" => b_lo, "boot_hi" => b_hi, "delta_covers" => d_cov, "boot_covers" => b_cov)
    .map_err(ladder_io::table_error)?)
}
