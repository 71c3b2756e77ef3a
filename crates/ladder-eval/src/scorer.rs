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
    /// Most logits (batch × length × vocab) one forward pass may produce.
    pub max_logits: usize,
}

impl Default for ScorerConfig {
    fn default() -> Self {
        Self { prefix_cache: true, max_logits: 1 << 24 }
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
        let vocab = self.model.lm_head.weight.dims()[1];
        for group in groups {
            let cache = (self.config.prefix_cache && !group.prefix.is_empty()).then(|| self.prefill(&group.prefix));
            let skip = cache.as_ref().map_or(0, |c| c.len);
            let mut members = group.members.clone();
            members.sort_by_key(|&i| std::cmp::Reverse(requests[i].input.len()));
            let mut start = 0;
            while start < members.len() {
                // Longest first: the first row sets the padded length of the batch.
                let len = requests[members[start]].input.len() - skip;
                let rows = (self.config.max_logits / (len * vocab).max(1)).max(1);
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

    /// One padded batch: rows are the members' inputs from position `skip`, `len` wide.
    fn batch(&self, requests: &[Encoded], batch: &[usize], skip: usize, len: usize, cache: Option<&KvCache>) -> Vec<f64> {
        let b = batch.len();
        let (mut ids, mut targets) = (vec![0i64; b * len], vec![0i64; b * len]);
        for (row, &i) in batch.iter().enumerate() {
            let r = &requests[i];
            for (j, (&t, next)) in r.input[skip..].iter().zip(r.targets().skip(skip)).enumerate() {
                ids[row * len + j] = i64::from(t);
                targets[row * len + j] = i64::from(next);
            }
        }
        let ids = Tensor::<2, Int>::from_data(TensorData::new(ids, [b, len]), &self.device);
        let logits = match cache {
            Some(cache) => self.model.forward_cached(cache, ids),
            None => self.model.forward(ids),
        };
        let targets = Tensor::<3, Int>::from_data(TensorData::new(targets, [b, len, 1]), &self.device);
        let picked = log_softmax(logits, 2).gather(2, targets).into_data().convert::<f32>().try_into_vec::<f32>().expect("f32 log-probs");
        batch
            .iter()
            .enumerate()
            .map(|(row, &i)| {
                let r = &requests[i];
                let from = row * len + r.first_scored() - skip;
                picked[from..from + r.continuation.len()].iter().map(|&p| f64::from(p)).sum()
            })
            .collect()
    }
}
