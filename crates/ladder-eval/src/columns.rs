//! Results as run-table columns named like the OLMo ladder's (ladder-recipe §5.3), so the fitting
//! side reads our runs unchanged, and the registry's weighted task values (the MMLU average).

use ladder_core::task::Task;

use crate::metrics::QuestionMetrics;
use crate::task_eval::TaskResult;

/// The column of a source's held-out LM loss (`eval/<source>-validation/CrossEntropyLoss`).
pub fn heldout_column(source: &str) -> String {
    format!("eval/{source}-validation/CrossEntropyLoss")
}

/// The column of the held-out loss over every source together.
pub const HELDOUT_ALL: &str = "eval/all-validation/CrossEntropyLoss";

/// A task's five logged metrics: its accuracy under its primary ranking, bpb, soft, soft_log and
/// ce_loss.
pub fn task_columns(result: &TaskResult) -> Vec<(String, f64)> {
    let (label, m) = (&result.task, &result.metrics);
    vec![
        (format!("eval/downstream/{label}_{}", m.primary.name()), m.accuracy()),
        (format!("eval/downstream_bpb/{label}_bpb"), m.mean.bpb),
        (format!("eval/downstream_soft/{label}_soft"), m.mean.soft),
        (format!("eval/downstream_soft_log/{label}_soft_log"), m.mean.soft_log),
        (format!("eval/downstream_ce_loss/{label}_ce_loss"), m.mean.ce_loss),
    ]
}

/// A registry task's value from per-instance results: the weighted mean of `metric` over its
/// instances (the MMLU average weights its 4 categories 0.215/0.335/0.219/0.231, §5.4). `None`
/// when an instance was not evaluated.
pub fn task_value(task: &Task, results: &[TaskResult], metric: impl Fn(&TaskResult) -> f64) -> Option<f64> {
    let mut value = 0.0;
    for (instance, weight) in &task.instances {
        let label = task.label(instance);
        value += weight * metric(results.iter().find(|r| r.task == label)?);
    }
    Some(value)
}

/// Accuracy under the task's primary ranking.
pub fn accuracy(r: &TaskResult) -> f64 {
    r.metrics.accuracy()
}

/// A mean per-question value.
pub fn mean(f: fn(&QuestionMetrics) -> f64) -> impl Fn(&TaskResult) -> f64 {
    move |r| f(&r.metrics.mean)
}
