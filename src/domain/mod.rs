//! The domain of the contact-point system: records, vocabularies, the
//! rulebook, the status of a year, and the checks every input passes.
//!
//! Pure code: no I/O, no clock (today is always a parameter), no sled.

pub mod assessment;
pub mod date;
pub mod error;
pub mod kinds;
pub mod lookup;
pub mod plan;
pub mod records;
pub mod rules;
pub mod status;
pub mod text;
pub mod validate;

pub use assessment::{Assessment, DimensionGrade, Rubric};
pub use error::{DomainError, DomainResult, Field, RecordKind};
pub use kinds::{ActivityKind, EventKind, PointState, ProblemCategory, ProblemState, Role, Weakness};
pub use plan::{Plan, PlanPhase, PlanTask};
pub use records::*;
pub use rules::{RuleId, Target, Targets};
pub use status::{Pace, RuleStatus, YearStatus};
