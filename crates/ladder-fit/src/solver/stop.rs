//! Why a solver stopped, shared by every solver here.

/// Why a solver stopped; returned with every fit as data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StopReason {
    /// The projected gradient's largest component fell below the tolerance.
    ProjectedGradient,
    /// An accepted step reduced the objective by less than the relative tolerance.
    RelativeReduction,
    /// No step along the search direction reduced the objective (a stationary point to
    /// machine precision, or a kink).
    LineSearchFailed,
    /// The last step was shorter than the step tolerance relative to the parameters.
    SmallStep,
    /// The Nelder–Mead simplex shrank below its tolerance.
    SimplexCollapsed,
    /// The iteration limit was reached.
    MaxIterations,
}

impl StopReason {
    /// Whether the stop indicates convergence (as opposed to running out of iterations).
    pub fn converged(self) -> bool {
        !matches!(self, StopReason::MaxIterations)
    }

    /// Short snake-case label used in tables.
    pub fn label(self) -> &'static str {
        match self {
            StopReason::ProjectedGradient => "projected_gradient",
            StopReason::RelativeReduction => "relative_reduction",
            StopReason::LineSearchFailed => "line_search_failed",
            StopReason::SmallStep => "small_step",
            StopReason::SimplexCollapsed => "simplex_collapsed",
            StopReason::MaxIterations => "max_iterations",
        }
    }
}
