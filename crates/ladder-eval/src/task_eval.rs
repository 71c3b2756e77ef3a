//! One task end to end: tokenize, group by shared prefix, score, reduce to the task's metrics.

use ladder_data::tasks::TaskRequests;
use ladder_data::Tokenizer;

use crate::metrics::{ChoiceScore, QuestionMetrics, Ranking, TaskMetrics};
use crate::requests::{encode_task, group_by_prefix};
use crate::scorer::Scorer;

/// A task's result, with how its requests were run.
#[derive(Debug, Clone, PartialEq)]
pub struct TaskResult {
    /// The OLMo label (`arc_easy_test_rc_5shot`).
    pub task: String,
    /// Means over its questions.
    pub metrics: TaskMetrics,
    /// Every question's values, in question order.
    pub questions: Vec<QuestionMetrics>,
    /// (question, choice) pairs scored.
    pub requests: usize,
    /// Of those, how many ran after a cached prefix.
    pub cached: usize,
    /// Of those, how many lost tokens to left truncation.
    pub truncated: usize,
    /// Tokens the model actually ran (prefixes counted once).
    pub tokens_run: usize,
}

/// Evaluate `task` with `scorer` at context length `max_len`.
pub fn evaluate_task(
    task: &TaskRequests,
    tokenizer: &dyn Tokenizer,
    scorer: &Scorer,
    max_len: usize,
    done: &mut dyn FnMut(usize),
) -> TaskResult {
    let requests = encode_task(task, tokenizer, max_len);
    let groups = group_by_prefix(task, &requests);
    let (logprobs, stats) = scorer.score(&requests, &groups, done);
    let primary = Ranking::primary_for(&task.name);
    let mut per_question: Vec<Vec<ChoiceScore>> = task.questions.iter().map(|q| Vec::with_capacity(q.choices.len())).collect();
    for (r, s) in requests.iter().zip(&logprobs) {
        per_question[r.question].push(ChoiceScore::new(&task.questions[r.question].choices[r.choice].continuation, *s));
    }
    let questions: Vec<QuestionMetrics> =
        per_question.iter().zip(&task.questions).map(|(c, q)| QuestionMetrics::new(c, q.gold, primary)).collect();
    TaskResult {
        task: task.name.clone(),
        metrics: TaskMetrics::mean_of(&questions, primary),
        questions,
        requests: requests.len(),
        cached: stats.cached,
        truncated: requests.iter().filter(|r| r.truncated).count(),
        tokens_run: stats.tokens_run,
    }
}
