//! Box bounds on parameters.

/// Lower and upper bound per parameter (±∞ where free).
#[derive(Debug, Clone, PartialEq)]
pub struct Bounds {
    /// Lower bounds.
    pub lower: Vec<f64>,
    /// Upper bounds.
    pub upper: Vec<f64>,
}

impl Bounds {
    /// No bounds on `n` parameters.
    pub fn free(n: usize) -> Bounds {
        Bounds { lower: vec![f64::NEG_INFINITY; n], upper: vec![f64::INFINITY; n] }
    }

    /// Bounds from (lower, upper) pairs.
    pub fn new(pairs: &[(f64, f64)]) -> Bounds {
        Bounds { lower: pairs.iter().map(|p| p.0).collect(), upper: pairs.iter().map(|p| p.1).collect() }
    }

    /// Number of parameters.
    pub fn len(&self) -> usize {
        self.lower.len()
    }

    /// Whether there are no parameters.
    pub fn is_empty(&self) -> bool {
        self.lower.is_empty()
    }

    /// Clamps `x` into the box.
    pub fn project(&self, x: &mut [f64]) {
        for ((v, lo), hi) in x.iter_mut().zip(&self.lower).zip(&self.upper) {
            *v = v.clamp(*lo, *hi);
        }
    }

    /// Whether parameter `i` at `x` sits on a bound that the gradient `g` pushes against (such
    /// a parameter is held fixed by an active-set step).
    pub fn blocked(&self, i: usize, x: f64, g: f64) -> bool {
        (x <= self.lower[i] && g > 0.0) || (x >= self.upper[i] && g < 0.0)
    }

    /// ∞-norm of the projected gradient step P(x − g) − x (zero at a bounded stationary point).
    pub fn projected_gradient_norm(&self, x: &[f64], g: &[f64]) -> f64 {
        let mut moved: Vec<f64> = x.iter().zip(g).map(|(a, b)| a - b).collect();
        self.project(&mut moved);
        moved.iter().zip(x).map(|(m, a)| (m - a).abs()).fold(0.0, f64::max)
    }

    /// Which parameters sit on a bound (within 1e-9 · max(1, |bound|): interior-point solvers
    /// stop a hair inside).
    pub fn at_bound(&self, x: &[f64]) -> Vec<bool> {
        let near = |v: f64, b: f64| b.is_finite() && (v - b).abs() <= 1e-9 * b.abs().max(1.0);
        x.iter().zip(&self.lower).zip(&self.upper).map(|((v, lo), hi)| near(*v, *lo) || near(*v, *hi)).collect()
    }
}
