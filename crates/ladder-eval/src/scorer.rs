//! Log-likelihoods of continuations under a model: requests sorted by length and batched with
//! right padding (attention is causal, so padding never reaches a scored position), a shared
//! prefix run once per group and its keys/values reused.

use burn::prelude::*;
use burn::tensor::activation::log_softmax;
use ladder_model::{KvCache, Model};

use crate::requests::{Encoded, PrefixGroup};

/// How requests are run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScorerConfig {
    /// Reuse each group's shared prefix (exact; off: every request runs from position 0).
    pub prefix_cache: bool,
    /// Most hidden values (batch × length × width) one forward pass may hold, which bounds its
    /// memory.
    pub max_activations: usize,
}

impl Default for ScorerConfig {
    fn default() -> Self {
        Self { prefix_cache: true, max_activations: 1 << 22 }
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

    /// Whether shared prefixes are run once.
    pub fn caches(&self) -> bool {
        self.config.prefix_cache
    }

    /// S for every request (summed log-probability of its continuation, nats), in request
    /// order. `done` hears how many requests each finished batch held.
    pub fn score(&self, requests: &[Encoded], groups: &[PrefixGroup], done: &mut dyn FnMut(usize)) -> Vec<f64> {
        let mut out = vec![f64::NAN; requests.len()];
        let width = self.model.lm_head.weight.dims()[0];
        for group in groups {
            let cache = (self.config.prefix_cache && !group.prefix.is_empty()).then(|| self.prefill(&group.prefix));
            let skip = cache.as_ref().map_or(0, |c| c.len);
            let mut members = group.members.clone();
            members.sort_by_key(|&i| std::cmp::Reverse(requests[i].input.len()));
            let mut start = 0;
            while start < members.len() {
                // Longest first: the first row sets the padded length of the batch.
                let len = requests[members[start]].input.len() - skip;
                let rows = (self.config.max_activations / (len * width).max(1)).max(1);
                let batch = &members[start..(start + rows).min(members.len())];
                for (&i, s) in batch.iter().zip(self.batch(requests, batch, skip, len, cache.as_ref())) {
                    out[i] = s;
                }
                done(batch.len());
                start += batch.len();
            }
        }
        out
    }

    fn prefill(&self, prefix: &[u32]) -> KvCache {
        let ids: Vec<i64> = prefix.iter().map(|&t| i64::from(t)).collect();
        self.model.prefill(Tensor::from_data(TensorData::new(ids, [1, prefix.len()]), &self.device))
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
