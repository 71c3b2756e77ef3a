//! Log-likelihoods of continuations under a model: requests sorted by length and batched with
//! right padding (attention is causal, so padding never reaches a scored position), a shared
//! prefix run once per group and its keys/values reused, and on top of it each question's context
//! run once for all of its choices.

use burn::prelude::*;
use burn::tensor::activation::log_softmax;
use ladder_model::{KvCache, Model};

use crate::requests::{Encoded, PrefixGroup};

/// Which shared prefixes are run once and reused (all exact up to float rounding).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize, clap::ValueEnum)]
#[serde(rename_all = "snake_case")]
pub enum CacheLevel {
    /// Every request runs from position 0.
    None,
    /// A task's shared shots (the prefix of a [`PrefixGroup`]) run once.
    Task,
    /// As `task`, and then each question's context once for all of its choices.
    Question,
}

/// Shorter question contexts (beyond the task prefix) run with the other requests instead.
pub const MIN_QUESTION_PREFIX: usize = 4;

/// How many tokens the model ran and how many requests followed a cached prefix.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ScoreStats {
    /// Tokens run (each cached prefix counted once).
    pub tokens_run: usize,
    /// Requests scored after a cached prefix.
    pub cached: usize,
}

/// How requests are run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScorerConfig {
    /// Which prefixes are cached.
    pub cache: CacheLevel,
    /// Most hidden values (batch × length × width) one forward pass may hold, which bounds its
    /// memory.
    pub max_activations: usize,
}

impl Default for ScorerConfig {
    fn default() -> Self {
        Self { cache: CacheLevel::Question, max_activations: 1 << 22 }
    }
}

/// Scores requests with one model on one device.
#[derive(Debug)]
pub struct Scorer<'a> {
    model: &'a Model,
    device: Device,
    config: ScorerConfig,
}

impl<'a> Scorer<'a> {
    /// A scorer of `model`, whose weights live on `device`.
    pub fn new(model: &'a Model, device: Device, config: ScorerConfig) -> Self {
        Self { model, device, config }
    }

    /// S for every request (summed log-probability of its continuation, nats), in request
    /// order, and what running them took. `done` hears how many requests each finished batch
    /// held.
    pub fn score(&self, requests: &[Encoded], groups: &[PrefixGroup], done: &mut dyn FnMut(usize)) -> (Vec<f64>, ScoreStats) {
        let mut out = vec![f64::NAN; requests.len()];
        let mut stats = ScoreStats::default();
        for group in groups {
            let cache = (self.config.cache != CacheLevel::None && !group.prefix.is_empty()).then(|| self.prefill(&group.prefix));
            let skip = cache.as_ref().map_or(0, |c| c.len);
            stats.tokens_run += skip;
            let mut rest = Vec::new();
            if self.config.cache == CacheLevel::Question {
                for members in by_question(requests, &group.members) {
                    let shared = shared_prefix(requests, &members, skip);
                    if members.len() > 1 && shared >= MIN_QUESTION_PREFIX {
                        let ids = &requests[members[0]].input[skip..skip + shared];
                        let question = self.model.extend(cache.as_ref(), self.ids(ids));
                        stats.tokens_run += shared;
                        self.run(requests, &members, skip + shared, Some(&question), &mut out, &mut stats, done);
                    } else {
                        rest.extend(members);
                    }
                }
            } else {
                rest = group.members.clone();
            }
            self.run(requests, &rest, skip, cache.as_ref(), &mut out, &mut stats, done);
        }
        (out, stats)
    }

    /// `members` in padded batches, longest first, from position `skip` after `cache`.
    #[allow(clippy::too_many_arguments)]
    fn run(
        &self,
        requests: &[Encoded],
        members: &[usize],
        skip: usize,
        cache: Option<&KvCache>,
        out: &mut [f64],
        stats: &mut ScoreStats,
        done: &mut dyn FnMut(usize),
    ) {
        let width = self.model.lm_head.weight.dims()[0];
        let mut members = members.to_vec();
        members.sort_by_key(|&i| std::cmp::Reverse(requests[i].input.len()));
        let mut start = 0;
        while start < members.len() {
            // Longest first: the first row sets the padded length of the batch.
            let len = requests[members[start]].input.len() - skip;
            let rows = (self.config.max_activations / (len * width).max(1)).max(1);
            let batch = &members[start..(start + rows).min(members.len())];
            for (&i, s) in batch.iter().zip(self.batch(requests, batch, skip, len, cache)) {
                out[i] = s;
                stats.tokens_run += requests[i].input.len() - skip;
                stats.cached += usize::from(cache.is_some());
            }
            done(batch.len());
            start += batch.len();
        }
    }

    fn ids(&self, tokens: &[u32]) -> Tensor<2, Int> {
        let ids: Vec<i64> = tokens.iter().map(|&t| i64::from(t)).collect();
        Tensor::from_data(TensorData::new(ids, [1, tokens.len()]), &self.device)
    }

    fn prefill(&self, prefix: &[u32]) -> KvCache {
        self.model.prefill(self.ids(prefix))
    }

    /// One padded batch: rows are the members' inputs from position `skip`, `len` wide. Only the
    /// positions that predict a continuation token go through the LM head.
    fn batch(&self, requests: &[Encoded], batch: &[usize], skip: usize, len: usize, cache: Option<&KvCache>) -> Vec<f64> {
        let b = batch.len();
        let mut ids = vec![0i64; b * len];
        let (mut rows, mut targets) = (Vec::new(), Vec::new());
        for (row, &i) in batch.iter().enumerate() {
            let r = &requests[i];
            for (j, &t) in r.input[skip..].iter().enumerate() {
                ids[row * len + j] = i64::from(t);
            }
            let first = r.first_scored() - skip;
            for (j, &t) in r.continuation.iter().enumerate() {
                rows.push((row * len + first + j) as i64);
                targets.push(i64::from(t));
            }
        }
        let ids = Tensor::<2, Int>::from_data(TensorData::new(ids, [b, len]), &self.device);
        let hidden = match cache {
            Some(cache) => self.model.hidden_cached(cache, ids),
            None => self.model.hidden_from(ids, 0),
        };
        let d = hidden.dims()[2];
        let k = rows.len();
        let picked_rows = Tensor::<1, Int>::from_data(TensorData::new(rows, [k]), &self.device);
        let logits = self.model.lm_head.forward(hidden.reshape([b * len, d]).select(0, picked_rows));
        let targets = Tensor::<2, Int>::from_data(TensorData::new(targets, [k, 1]), &self.device);
        let picked = log_softmax(logits, 1).gather(1, targets).into_data().convert::<f32>().try_into_vec::<f32>().expect("f32 log-probs");
        let mut at = 0;
        batch
            .iter()
            .map(|&i| {
                let n = requests[i].continuation.len();
                at += n;
                picked[at - n..at].iter().map(|&p| f64::from(p)).sum()
            })
            .collect()
    }
}

/// `members` split by question, in order of first appearance.
fn by_question(requests: &[Encoded], members: &[usize]) -> Vec<Vec<usize>> {
    let mut out: Vec<(usize, Vec<usize>)> = Vec::new();
    for &i in members {
        match out.iter_mut().find(|(q, _)| *q == requests[i].question) {
            Some((_, m)) => m.push(i),
            None => out.push((requests[i].question, vec![i])),
        }
    }
    out.into_iter().map(|(_, m)| m).collect()
}

/// Tokens after `skip` that every member's input starts with, never reaching a scored position.
fn shared_prefix(requests: &[Encoded], members: &[usize], skip: usize) -> usize {
    let first = &requests[members[0]].input;
    let mut shared = members.iter().map(|&i| requests[i].first_scored()).min().unwrap_or(0).saturating_sub(skip);
    for &i in &members[1..] {
        shared = shared.min(first[skip..].iter().zip(&requests[i].input[skip..]).take_while(|(a, b)| a == b).count());
    }
    shared
}
