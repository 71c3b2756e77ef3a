//! Contamination check: evaluation questions whose text appears in the training mix.
//!
//! The question of a request is the last paragraph of its context (after the 5 shots). A question
//! counts as contaminated when one of its word 13-grams (lower-cased, split on whitespace) also
//! occurs in a training document — the n-gram overlap test of the GPT-3 and OLMo reports.
//! Questions shorter than 13 words are not checked; the report counts them.

use std::collections::{HashMap, HashSet};

use crate::prepare::manifest::fnv1a64;
use crate::tasks::TaskRequests;

/// Words per n-gram.
pub const NGRAM: usize = 13;

/// Overlap of one task with the corpus.
#[derive(Debug, Clone, PartialEq)]
pub struct TaskOverlap {
    /// Task name.
    pub task: String,
    /// Questions checked.
    pub questions: usize,
    /// Questions shorter than an n-gram (not checked).
    pub too_short: usize,
    /// Questions with at least one n-gram in the corpus.
    pub contaminated: usize,
    /// Doc ids of up to 5 contaminated questions.
    pub examples: Vec<u64>,
}

fn words(text: &str) -> Vec<String> {
    text.split_whitespace().map(|w| w.to_lowercase()).collect()
}

fn grams(words: &[String]) -> Vec<u64> {
    words.windows(NGRAM).map(|w| fnv1a64(w.join(" ").as_bytes())).collect()
}

/// The question text of a context: its last paragraph.
pub fn question_text(context: &str) -> &str {
    context.rsplit("\n\n").next().unwrap_or(context)
}

/// Count, per task, the questions whose n-grams occur in `documents`.
pub fn check<'a>(tasks: &[TaskRequests], documents: impl Iterator<Item = &'a str>) -> Vec<TaskOverlap> {
    // n-gram hash → (task index, question index) pairs that own it.
    let mut owners: HashMap<u64, Vec<(usize, usize)>> = HashMap::new();
    let mut short = vec![0usize; tasks.len()];
    for (t, task) in tasks.iter().enumerate() {
        for (q, question) in task.questions.iter().enumerate() {
            let w = words(question_text(&question.choices[0].context));
            if w.len() < NGRAM {
                short[t] += 1;
            }
            for g in grams(&w) {
                owners.entry(g).or_default().push((t, q));
            }
        }
    }
    let mut hit: HashSet<(usize, usize)> = HashSet::new();
    for doc in documents {
        let w = words(doc);
        for g in grams(&w) {
            if let Some(list) = owners.get(&g) {
                hit.extend(list.iter().copied());
            }
        }
    }
    tasks
        .iter()
        .enumerate()
        .map(|(t, task)| {
            let mut ids: Vec<u64> = hit.iter().filter(|(tt, _)| *tt == t).map(|&(_, q)| task.questions[q].doc_id).collect();
            ids.sort();
            TaskOverlap {
                task: task.name.clone(),
                questions: task.questions.len(),
                too_short: short[t],
                contaminated: ids.len(),
                examples: ids.into_iter().take(5).collect(),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tasks::{Choice, Question};

    fn task(questions: &[&str]) -> TaskRequests {
        let questions = questions
            .iter()
            .enumerate()
            .map(|(i, q)| Question {
                doc_id: i as u64,
                native_id: String::new(),
                choices: vec![Choice { context: format!("Question: shot\nAnswer: x\n\n{q}"), continuation: " a".into() }; 2],
                gold: 0,
            })
            .collect();
        TaskRequests { name: "t".into(), questions }
    }

    #[test]
    fn overlapping_questions_are_found_and_clean_ones_are_not() {
        let leaked = "Question: Which statement best explains why photosynthesis is the foundation of most food webs?\nAnswer:";
        let clean = "Question: Which of these animals lays eggs and also feeds its young with milk from glands?\nAnswer:";
        let t = task(&[leaked, clean]);
        let corpus = ["Some notes. which statement best explains WHY photosynthesis is the foundation of most food webs? It is light."];
        let report = check(&[t], corpus.iter().copied());
        assert_eq!((report[0].questions, report[0].contaminated, report[0].examples.clone()), (2, 1, vec![0]));
    }
}
