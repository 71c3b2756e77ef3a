//! Markdown of a recipe decision (`ladder decide`): which recipe wins each task at the target,
//! which the ladder and the single-scale baseline pick, decision accuracy against the compute
//! each spends, and the compute multipliers.

use polars::prelude::*;

use crate::columns::{distinct, floats, rows_where, strings};
use crate::ReportError;

/// Rows of the decisions table, as plain vectors.
struct Decisions {
    task: Vec<String>,
    method: Vec<String>,
    design: Vec<String>,
    level: Vec<String>,
    share: Vec<f64>,
    right: Vec<f64>,
    wrong: Vec<f64>,
    ties: Vec<f64>,
    picked: Vec<String>,
    winner: Vec<String>,
    noise: Vec<f64>,
}

impl Decisions {
    fn read(df: &DataFrame) -> Result<Self, ReportError> {
        Ok(Decisions {
            task: strings(df, "task")?,
            method: strings(df, "method")?,
            design: strings(df, "design")?,
            level: strings(df, "level")?,
            share: floats(df, "compute_share")?,
            right: floats(df, "right")?,
            wrong: floats(df, "wrong")?,
            ties: floats(df, "ties")?,
            picked: strings(df, "picked")?,
            winner: strings(df, "winner")?,
            noise: floats(df, "noise")?,
        })
    }

    fn rows(&self, keep: impl Fn(usize) -> bool) -> Vec<usize> {
        (0..self.task.len()).filter(|&i| keep(i)).collect()
    }

    /// The whole ladder's row of `design` for `task`: the subset with the most compute.
    fn full(&self, task: &str, design: &str) -> Option<usize> {
        self.rows(|i| self.method[i] == "ladder" && self.design[i] == design && self.task[i] == task)
            .into_iter()
            .max_by(|&a, &b| self.share[a].total_cmp(&self.share[b]))
    }
}

fn pct(x: f64) -> String {
    if x.is_finite() {
        format!("{:.0} %", 100.0 * x)
    } else {
        "—".into()
    }
}

/// The summary of a decision, per metric (column `metric` of every table): per task the actual
/// winner and the picks; decision accuracy pooled over tasks for every ladder subset and
/// single-scale run (with its compute share); the compute multipliers.
pub fn decision_summary(predictions: &DataFrame, decisions: &DataFrame, multipliers: &DataFrame) -> Result<String, ReportError> {
    let mut md = String::new();
    for metric in distinct(&strings(decisions, "metric")?) {
        md.push_str(&format!("# Recipes ranked by {metric}\n\n"));
        md.push_str(&metric_summary(
            &metric,
            &rows_where(predictions, "metric", &metric)?,
            &rows_where(decisions, "metric", &metric)?,
            &rows_where(multipliers, "metric", &metric)?,
        )?);
    }
    Ok(md)
}

fn metric_summary(metric: &str, predictions: &DataFrame, decisions: &DataFrame, multipliers: &DataFrame) -> Result<String, ReportError> {
    let accuracy = metric.ends_with("acc");
    let points = if accuracy { 100.0 } else { 1.0 };
    let unit = if accuracy { "points" } else { metric };
    let d = Decisions::read(decisions)?;
    let tasks = distinct(&d.task);
    let designs: Vec<String> = distinct(&d.design).into_iter().filter(|x| !x.is_empty()).collect();
    let (p_recipe, p_design, p_task, p_actual) =
        (strings(predictions, "recipe")?, strings(predictions, "design")?, strings(predictions, "task")?, floats(predictions, "actual")?);
    let target = strings(predictions, "target")?.first().cloned().unwrap_or_default();
    let actual_of = |task: &str, recipe: &str| {
        (0..p_task.len()).find(|&i| p_task[i] == task && p_recipe[i] == recipe && p_design[i] == p_design[0]).map(|i| p_actual[i])
    };
    let mut md = format!("## Which recipe wins each task at {target}\n\n");
    md.push_str(&format!(
        "The actual best recipe at the target by {metric} (mean of its last 5 checkpoints; {}) and its lead over the runner-up; \
         a lead below the target's checkpoint noise is a near-tie. Then the recipe each design's whole ladder picks, and how many \
         single-scale rankings (one rung at one multiplier) pick the winner.\n\n",
        if accuracy { "higher is better" } else { "lower is better" }
    ));
    md.push_str(&format!(
        "| task | winner | {metric} | lead ({unit}) | noise ({unit}) | {} | single scale picks it |\n|---|---|---|---|---|{}---|\n",
        designs.iter().map(|x| format!("{x} picks")).collect::<Vec<_>>().join(" | "),
        "---|".repeat(designs.len())
    ));
    let singles_total = |task: &str| d.rows(|i| d.method[i] == "single_scale" && d.task[i] == task);
    let mut ladder_right = vec![0usize; designs.len()];
    let (mut single_right, mut single_all) = (0usize, 0usize);
    for task in &tasks {
        let Some(first) = d.rows(|i| &d.task[i] == task).first().copied() else { continue };
        let winner = &d.winner[first];
        let sign = if accuracy { 1.0 } else { -1.0 };
        let mut scores: Vec<(String, f64)> = distinct(&p_recipe).into_iter().filter_map(|r| actual_of(task, &r).map(|a| (r, a))).collect();
        scores.sort_by(|a, b| (sign * b.1).total_cmp(&(sign * a.1)));
        let lead = if scores.len() >= 2 { points * sign * (scores[0].1 - scores[1].1) } else { f64::NAN };
        let picks: Vec<String> = designs
            .iter()
            .enumerate()
            .map(|(k, design)| match d.full(task, design) {
                Some(i) if d.picked[i] == *winner => {
                    ladder_right[k] += 1;
                    format!("{} ✓", d.picked[i])
                }
                Some(i) if d.picked[i].is_empty() => "—".into(),
                Some(i) => d.picked[i].clone(),
                None => "—".into(),
            })
            .collect();
        let singles = singles_total(task);
        let right = singles.iter().filter(|&&i| d.picked[i] == *winner).count();
        single_right += right;
        single_all += singles.len();
        md.push_str(&format!(
            "| {task} | {winner} | {:.3} | {lead:.3} | {:.3} | {} | {right}/{} |\n",
            scores.first().map_or(f64::NAN, |s| s.1),
            points * d.noise[first],
            picks.join(" | "),
            singles.len()
        ));
    }
    md.push_str(&format!(
        "| **all** | | | | | {} | **{single_right}/{single_all}** |\n\n",
        ladder_right.iter().map(|n| format!("**{n}/{}**", tasks.len())).collect::<Vec<_>>().join(" | ")
    ));

    md.push_str("## Decision accuracy against ladder compute\n\n");
    md.push_str(
        "Pairs of recipes ordered as at the target, pooled over tasks (near-ties, below the target's noise, apart). Compute is per \
         recipe, as a share of the target's: a ladder subset holds its runs (added in order of compute), a single-scale ranking \
         one run.\n\n| ranking | design | level | compute share | right | wrong | ties | decision accuracy |\n|---|---|---|---|---|---|---|---|\n",
    );
    let mut groups: Vec<(String, String, String)> = Vec::new();
    for i in 0..d.task.len() {
        let key = (d.method[i].clone(), d.design[i].clone(), d.level[i].clone());
        if !groups.contains(&key) {
            groups.push(key);
        }
    }
    let mut lines: Vec<(f64, String)> = Vec::new();
    for (method, design, level) in &groups {
        let rows = d.rows(|i| &d.method[i] == method && &d.design[i] == design && &d.level[i] == level);
        // A ladder subset counts only when every recipe could be fitted for every task.
        if rows.iter().any(|&i| d.picked[i].is_empty()) {
            continue;
        }
        let sum = |v: &[f64]| rows.iter().map(|&i| v[i]).sum::<f64>();
        let (right, wrong, ties) = (sum(&d.right), sum(&d.wrong), sum(&d.ties));
        let share = d.share[rows[0]];
        let name = if method == "ladder" { "ladder fit" } else { "single scale" };
        lines.push((
            share,
            format!("| {name} | {design} | {level} | {share:.3} | {right} | {wrong} | {ties} | {} |\n", pct(right / (right + wrong))),
        ));
    }
    lines.sort_by(|a, b| a.0.total_cmp(&b.0));
    for (_, line) in lines {
        md.push_str(&line);
    }
    md.push('\n');

    md.push_str("## How much better is the predicted best recipe?\n\n");
    md.push_str(&format!(
        "The compute multiplier k: the other recipe reaches the best one's predicted {metric} at the target with k× the target's \
         compute (N and D both × √k); an interval from the bootstrap (each recipe's runs resampled, both refitted), — where the \
         predictions do not cross within the span. The actual gap is best − versus at the target (in the metric's direction).\n\n"
    ));
    md.push_str(&format!(
        "| design | task | best (predicted) | versus | k | interval | failed draws | actual gap ({unit}) |\n|---|---|---|---|---|---|---|---|\n"
    ));
    let (m_design, m_task, m_recipe, m_versus) =
        (strings(multipliers, "design")?, strings(multipliers, "task")?, strings(multipliers, "recipe")?, strings(multipliers, "versus")?);
    let (k, lo, hi, failed, gap) = (
        floats(multipliers, "multiplier")?,
        floats(multipliers, "boot_lo")?,
        floats(multipliers, "boot_hi")?,
        floats(multipliers, "boot_failed")?,
        floats(multipliers, "actual_gap")?,
    );
    let num = |x: f64| if x.is_finite() { format!("{x:.2}") } else { "—".into() };
    for i in 0..m_task.len() {
        let interval = if lo[i].is_finite() { format!("[{}, {}]", num(lo[i]), num(hi[i])) } else { "—".into() };
        md.push_str(&format!(
            "| {} | {} | {} | {} | {} | {interval} | {} | {:.3} |\n",
            m_design[i],
            m_task[i],
            m_recipe[i],
            m_versus[i],
            num(k[i]),
            failed[i],
            gap[i]
        ));
    }
    md.push('\n');
    Ok(md)
}
