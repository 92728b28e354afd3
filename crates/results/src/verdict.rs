//! What a check concludes, before the runner turns it into an [`Outcome`](crate::Outcome).

use crate::message::Message;
use serde::{Deserialize, Serialize};

/// The smallest input that shows a violation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Counterexample {
    /// Payloads in the order they were sent (datagrams, writes, input lines).
    Payloads(Vec<Vec<u8>>),
    /// Anything else, described.
    Described(Message),
}

/// What a check concluded.
#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    /// It holds; the message says what was seen.
    Holds(Message),
    /// It does not hold.
    Violated {
        /// One sentence a student can act on.
        diagnosis: Message,
        /// The smallest input that shows it.
        counterexample: Option<Counterexample>,
    },
    /// An observation (info checks).
    Observed(Message),
    /// Not applicable; the reason.
    Skip(Message),
    /// Its premise failed through another check, which names the mistake.
    Blocked {
        /// The check that failed first.
        by: &'static str,
        /// Why this one cannot be judged.
        reason: Message,
    },
    /// sockspec could not run the check; never the target's fault.
    Error(Message),
}

impl Verdict {
    /// A violation without a separate counterexample.
    pub fn violated(diagnosis: Message) -> Self {
        Verdict::Violated {
            diagnosis,
            counterexample: None,
        }
    }

    /// A violation shown by `payloads`.
    pub fn violated_by(diagnosis: Message, payloads: Vec<Vec<u8>>) -> Self {
        Verdict::Violated {
            diagnosis,
            counterexample: Some(Counterexample::Payloads(payloads)),
        }
    }

    /// Whether this verdict blames the target.
    pub fn is_violation(&self) -> bool {
        matches!(self, Verdict::Violated { .. })
    }

    /// The verdict's main message.
    pub fn message(&self) -> &Message {
        match self {
            Verdict::Holds(m) | Verdict::Observed(m) | Verdict::Skip(m) | Verdict::Error(m) => m,
            Verdict::Violated { diagnosis, .. } => diagnosis,
            Verdict::Blocked { reason, .. } => reason,
        }
    }
}
